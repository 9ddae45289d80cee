"""The firmware under QEMU mps2-an386: output, exit status, and the benchmark's results
recomputed on the host."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

import pytest

from tlscosim.errors import UserError
from tlscosim.fw.qemu import run_qemu

SELFCHECKS = ("uart", "core", "printf", "division", "arith64", "heap", "systick", "irq_masking",
              "nested_irq", "usage_fault", "fault_escalation", "dwt", "trng")
FATAL_EXIT_BASE = 128   # sw/board/fatal.h
EXC_HARDFAULT = 3


def test_hello(board, firmware):
    result = run_qemu(firmware.elfs["hello"], timeout_s=10)
    assert not result.timed_out
    assert result.output == f"Hello from {board.name}!\n".encode()
    assert result.exit_code == 0


def test_selfcheck_passes_every_check(firmware):
    result = run_qemu(firmware.elfs["selfcheck"], timeout_s=10)
    lines = result.output.decode().splitlines()
    assert lines == [f"selfcheck: {name}: ok" for name in SELFCHECKS] + [
        f"selfcheck: {len(SELFCHECKS)} checks, 0 failed"]
    assert result.exit_code == 0


def test_exit_status_reaches_the_host(firmware):
    result = run_qemu(firmware.elfs["exitcode"], timeout_s=10)
    assert result.output == b"exitcode: exiting with 3\n"
    assert result.exit_code == 3


def test_unhandled_fault_is_reported_and_ends_the_run(firmware):
    result = run_qemu(firmware.elfs["crash"], timeout_s=10)
    text = result.output.decode()
    assert text.startswith("crash: executing an undefined instruction\n")
    assert re.search(rf"\nfatal: exception {EXC_HARDFAULT} at pc 0x[0-9a-f]{{8}} \(cfsr 0x00010000 hfsr 0x40000000\)\n$", text)
    assert "still running" not in text
    assert result.exit_code == FATAL_EXIT_BASE + EXC_HARDFAULT


def test_timeout_kills_qemu(firmware):
    result = run_qemu(firmware.elfs["bench"], timeout_s=0.01)
    assert result.timed_out
    assert result.exit_code != 0
    assert result.instructions is None


def test_board_without_qemu_machine_is_a_user_error(tmp_path, board, firmware):
    soc = board.source.parent.parent / "soc" / "cortex-m4.toml"
    toml = tmp_path / "noqemu.toml"
    toml.write_text(f'include = "{soc}"\n[board]\nname = "noqemu"\nclock_hz = 1000000\n'
                    '[firmware]\ncode = "ram"\ndata = "ram"\n'
                    '[[memory]]\nname = "ram"\nbase = 0\nsize = 0x10000\n')
    with pytest.raises(UserError, match="board noqemu has no QEMU machine"):
        run_qemu(firmware.elfs["hello"], board=str(toml))


# -- the benchmark ---------------------------------------------------------------------

def xorshift32(state: int) -> int:
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    return state ^ ((state << 5) & 0xFFFFFFFF)


def words(seed: int, count: int) -> list[int]:
    out = []
    for _ in range(count):
        seed = xorshift32(seed)
        out.append(seed)
    return out


def expected_bench_lines(report: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """What sw/apps/bench computes, recomputed from the parameters it printed."""
    crc, sha, sort = report["crc32"], report["sha256"], report["sort"]
    buffer = bytearray(struct.pack(f"<{int(crc['bytes']) // 4}I", *words(int(crc["seed"], 16), int(crc["bytes"]) // 4)))
    value = 0
    for _ in range(int(crc["rounds"])):
        value = zlib.crc32(buffer, value)
    digest = b""
    for round_ in range(int(sha["rounds"])):
        if round_:
            buffer[:32] = digest
        digest = hashlib.sha256(buffer).digest()
    checksum, seed, count = 0, int(sort["seed"], 16), int(sort["elements"])
    for _ in range(int(sort["rounds"])):
        values = words(seed, count)
        seed = values[-1]
        for v in sorted(values):
            checksum = (checksum * 31 + v) & 0xFFFFFFFF
    return {"crc32": {"crc": f"0x{value:08x}"}, "sha256": {"digest": digest.hex()},
            "sort": {"checksum": f"0x{checksum:08x}", "sorted": "yes"}}


def test_bench_results_and_instruction_count(firmware):
    result = run_qemu(firmware.elfs["bench"], timeout_s=30, count_instructions=True)
    assert result.exit_code == 0 and not result.timed_out
    report = {}
    for line in result.output.decode().splitlines():
        kernel, *pairs = line.removeprefix("bench: ").split()
        report[kernel] = dict(p.split("=") for p in pairs)
    assert set(report) == {"crc32", "sha256", "matmul", "sort"}
    for kernel, fields in expected_bench_lines(report).items():
        assert {k: report[kernel][k] for k in fields} == fields, kernel
    assert 100_000_000 <= result.instructions <= 200_000_000
