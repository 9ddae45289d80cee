"""Runs a batch image everywhere it must give the same answer: QEMU mps2-an386 (the
oracle) and tlscosim on each board under each timing model, optionally stopped and
restarted before every translated block, and checks the invariant: the same final state
everywhere and the same instruction count as QEMU's under every timing model of every board."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.qemu import run_qemu
from tlscosim.sim.frontends.runner import load_simulation

from diffimage import FinalState, build_images, parse_report
from thumbgen import Program

QEMU_BOARD = "mps2-an386"
BOARDS = ("mps2-an386", "stm32f4-like")   # zero wait states; flash with 5 wait states
TIMINGS = ("flat", "cortex-m4")
STOP_EVERY_BLOCK = 1     # heartbeat_cycles: the run loop stops the CPU before every block
MAX_CYCLES = 20_000_000
QEMU_TIMEOUT_S = 30


@dataclass(frozen=True)
class Config:
    board: str
    timing: str
    stop_every_block: bool = False

    def __str__(self) -> str:
        return f"{self.board}/{self.timing}" + ("/every-block" if self.stop_every_block else "")


def configs(stop_every_block_on: tuple[tuple[str, str], ...] = ()) -> list[Config]:
    """Every board and timing model, plus the runs stopped before every block. The ones
    most likely to differ come first (wait states, stops): a failing batch fails sooner,
    which makes hypothesis's shrinking faster."""
    plain = [Config(b, t) for b in reversed(BOARDS) for t in reversed(TIMINGS)]
    return [Config(b, t, True) for b, t in stop_every_block_on] + plain


class Divergence(AssertionError):
    pass


def _descriptions() -> list[BoardDescription]:
    return [BoardDescription.load(b) for b in BOARDS]


def run_tlscosim(elf: Path, config: Config, programs: int) -> tuple[list[FinalState], int]:
    options = {"heartbeat_cycles": STOP_EVERY_BLOCK} if config.stop_every_block else {}
    result = load_simulation(elf, config.board, timing=config.timing, max_cycles=MAX_CYCLES, **options).run()
    if result.stop_reason != "exit" or result.exit_code != 0:
        raise Divergence(f"{config}: {result.stop_reason} (exit code {result.exit_code}): {result.message}\n"
                         f"{result.semihosting_output[-200:]!r}")
    return parse_report(result.semihosting_output, programs), result.instructions


def run_reference(elf: Path, programs: int) -> tuple[list[FinalState], int]:
    """QEMU's final states and instruction count (its TCG plugin counts them)."""
    result = run_qemu(elf, timeout_s=QEMU_TIMEOUT_S, board=QEMU_BOARD, count_instructions=True)
    if result.timed_out or result.exit_code != 0:
        raise Divergence(f"QEMU: exit code {result.exit_code}, timed out {result.timed_out}: "
                         f"{result.output[-200:]!r} {result.stderr[-400:]!r}")
    # ":tt" opened for writing is QEMU's stdout
    return parse_report(result.output, programs), result.instructions


def check_batch(programs: list[Program], folder: Path, runs: list[Config]) -> dict[str, int]:
    """Raises Divergence naming the program, the configuration and what differs; returns
    the instruction count of QEMU and of each configuration. Every board runs the same
    instructions (only addresses differ), so every count must be QEMU's."""
    elfs = build_images(programs, _descriptions(), folder)
    reference, qemu_count = run_reference(elfs[QEMU_BOARD], len(programs))
    _check_generator_invariants(reference)
    counts = {"qemu": qemu_count}
    for config in runs:
        states, counts[str(config)] = run_tlscosim(elfs[config.board], config, len(programs))
        for i, (want, got) in enumerate(zip(reference, states)):
            diff = want.differences(got)
            if diff:
                raise Divergence(f"program {i} on {config} differs from QEMU (QEMU != tlscosim):\n  "
                                 + "\n  ".join(diff[:20]))
    if len(set(counts.values())) > 1:
        raise Divergence(f"instruction counts differ (timing, stops or board changed the program): {counts}")
    return counts


def _check_generator_invariants(states: list[FinalState]) -> None:
    """The programs kept their bases and balanced their stack (a generator guarantee)."""
    for i, state in enumerate(states):
        bases = {r: state.registers[int(r[1:])] for r in ("r6", "r7")}
        if any(bases.values()) or state.sp_offset:
            raise AssertionError(f"generator bug: program {i} moved a base ({bases}) or SP ({state.sp_offset:#x})")
