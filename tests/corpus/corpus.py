"""The differential corpus (issue 7): every firmware app and Mbed TLS test suite the
project has, run on every board under both timing models and under QEMU mps2-an386.

What must hold: the functional output (UART, less the lines that carry cycle figures,
which DWT makes differ by design: QEMU's DWT reads 0) is QEMU's on every board and timing
model, and a board executes the same number of instructions under both timing models for
programs whose path does not depend on time. Not here, with the reason: the apps that
need a peer or hardware QEMU lacks (tested against QEMU in their own folders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu
from tlscosim.paths import ROOT

BOARDS = ("mps2-an386", "stm32f4-like")
TIMINGS = ("flat", "cortex-m4")
QEMU_BOARD = "mps2-an386"
# A line that reports a cycle figure, e.g. "sha256 cycles=4312": dropped before comparing.
CYCLE_FIGURE = re.compile(r"\bcycles?=")
MAX_CYCLES = 20_000_000_000
TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class App:
    name: str
    reads_time: bool = False     # its instruction stream depends on DWT/SysTick/TRNG timing
    exit_code: int = 0
    boards: tuple[str, ...] = BOARDS


# The apps written for the MPS2's 4 MiB RAMs: on stm32f4-like's 128 KiB, bench does not
# link and selfcheck's 100 KB heap check fails by design.
LARGE_RAM = ("mps2-an386",)
APPS = (
    App("hello"),
    App("exitcode", exit_code=3),
    App("crash", exit_code=131),
    App("selfcheck", reads_time=True, boards=LARGE_RAM),   # checks SysTick, DWT and the timers
    App("bench", reads_time=True, boards=LARGE_RAM),       # prints its DWT cycle counts
    App("mbedtls_selftest", reads_time=True),   # prints each operation's DWT cycles; TRNG entropy
)
# Apps left out, and why (each is compared with QEMU where it is tested).
NOT_IN_CORPUS = {
    "echo": "needs a network peer: tests/net runs it under QEMU and tlscosim",
    "accel_bench": "measures the accelerators, which QEMU lacks: tests/accel",
    "accel_bench_sw": "a benchmark whose output is cycle figures: tests/accel",
    "accel_check": "drives the accelerators directly (absent under QEMU): tests/accel",
    "accel_mbedtls": "offload through Mbed TLS: tests/accel compares it with QEMU's fallback",
    "accel_selftest": "offload self-tests: tests/accel compares them with QEMU's fallback",
    "accel_selftest_hwonly": "the hardware-only build cannot run without accelerators: tests/accel",
    "tls_client": "needs a TLS server on the network: tests/tls runs it under QEMU and tlscosim",
    "tls_server": "needs TLS clients on the network: tests/tls runs it under QEMU and tlscosim",
    "timecheck": "prints the board's time, which differs per run unless set: tests/fw/test_fw_time.py "
                 "compares it with QEMU given the same time",
}
QUICK_APPS = ("hello", "exitcode", "crash", "mbedtls_selftest")

# Mbed TLS's own suites named by the issue; the quick run takes the first.
SUITES = ("shax", "aes", "gcm", "ccm", "cipher.aes", "cipher.gcm", "md", "hmac_drbg", "ctr_drbg",
          "entropy", "ecp", "ecdh", "ecdsa", "bignum_core", "bignum_mod", "bignum_mod_raw",
          "x509parse", "pk", "pkparse")
QUICK_SUITES = ("shax",)
# Suites whose path does not wait on timed devices. The others draw entropy from the
# TRNG, whose words are ready a fixed number of cycles after a read: how often the
# firmware polls depends on the timing model (their output must still be QEMU's).
TIME_INDEPENDENT_SUITES = ("shax",)


@dataclass
class Run:
    output: bytes
    exit_code: int | None
    instructions: int | None = None


_PC_VALUE = re.compile(r"(?<=\bpc[ =])0x[0-9a-fA-F]{8}")   # "at pc 0x...", "pc=0x..."


def functional(output: bytes, board: str) -> list[str]:
    """The lines to compare: no cycle figures, and what differs between boards by design
    (the board's name, code addresses printed as a PC: the boards link differently)
    written as placeholders."""
    desc = BoardDescription.load(board)
    code = desc.code_memory

    def placeholder(match: re.Match) -> str:
        value = int(match.group(), 16)
        return "<code address>" if code.base <= value < code.base + code.size else match.group()

    lines = []
    for line in output.decode(errors="replace").splitlines():
        if CYCLE_FIGURE.search(line):
            continue
        lines.append(_PC_VALUE.sub(placeholder, line.replace(desc.name, "<board>")))
    return lines


def app_elf(app: str, board: str) -> Path:
    return build_firmware([app], board=board).elfs[app]


def run_app(elf: Path, board: str, timing: str | None) -> Run:
    """tlscosim with `timing`, or QEMU when timing is None."""
    if timing is None:
        q = run_qemu(elf, board=board, timeout_s=TIMEOUT_S)
        assert not q.timed_out, f"QEMU did not finish {elf}"
        return Run(q.output, q.exit_code)
    from tlscosim.sim.frontends.runner import run_elf

    r = run_elf(elf, board, timing=timing, max_cycles=MAX_CYCLES, timeout_s=TIMEOUT_S)
    assert r.stop_reason in ("exit", "fault"), r.message
    return Run(r.uart_output, r.exit_code, r.instructions)


def suite_elfs(name: str, board: str) -> dict[str, Path]:
    """One ELF per data file of the suite (e.g. aes: aes.ecb, aes.cbc, ...)."""
    from tlscosim.suites.catalog import select
    from tlscosim.suites.generate import build

    return build(select([name]), board)


def run_suite(name: str, elfs: dict[str, Path], board: str, timing: str | None) -> Run:
    """All the suite's data files, one after the other: their output and counts summed."""
    from tlscosim.suites.catalog import select

    runs = [_run_suite_file(suite, elfs[suite.name], board, timing) for suite in select([name])]
    counts = [r.instructions for r in runs]
    return Run(b"".join(r.output for r in runs), max((r.exit_code or 0) for r in runs),
               None if None in counts else sum(counts))


def _run_suite_file(suite, elf: Path, board: str, timing: str | None) -> Run:
    from tlscosim.suites.runner import command_line

    name = suite.name
    cwd = suite.mbedtls / "tests"
    args = command_line(suite)
    if timing is None:
        q = run_qemu(elf, board=board, timeout_s=TIMEOUT_S, semihosting_args=args, cwd=cwd)
        assert not q.timed_out, f"QEMU did not finish suite {name}"
        return Run(q.output, q.exit_code)
    from tlscosim.sim.frontends.runner import load_simulation
    from tlscosim.sim.board.semihosting import attach

    sim = load_simulation(elf, board, timing=timing, max_cycles=MAX_CYCLES, timeout_s=TIMEOUT_S)
    attach(sim, root=ROOT, cwd=cwd, args=args)
    r = sim.run()
    assert r.stop_reason == "exit", r.message
    return Run(r.uart_output, r.exit_code, r.instructions)
