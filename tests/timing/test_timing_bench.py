"""`tlscosim bench --elf` on firmware that reads the DWT: QEMU's DWT reads 0, so the
firmware's path, and its instruction count, differ between the engines. The bench reports
each engine against its own count, with a note, instead of refusing."""

from __future__ import annotations

import json

from tlscosim.cli import main
from tlscosim.fw.qemu import run_qemu
from timing_support import ZERO_WAIT_BOARD, build


def test_bench_runs_firmware_that_reads_the_dwt(tmp_path):
    elf = build("tbench", ZERO_WAIT_BOARD)
    out = tmp_path / "bench.json"
    assert main(["bench", "--elf", str(elf), "--repeat", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    engines = report["engines"]
    qemu = engines["qemu, whole process"]["instructions"]
    ours = engines["tlscosim, instruction counting"]["instructions"]
    assert qemu == run_qemu(elf, count_instructions=True, timeout_s=60).instructions
    # The counts also differ between the two timing models: the DWT readings differ.
    assert ours != qemu and engines["tlscosim, Cortex-M4 cycle model"]["instructions"] != qemu
    assert report["notes"] == [
        f"instruction counts differ: QEMU {qemu:,}, tlscosim {ours:,} ({(ours - qemu) / qemu:+.2%}): the "
        "firmware's path depends on what it reads (QEMU's DWT reads 0); each engine's MIPS use its own count"]
    for fig in engines.values():
        assert fig["cpu_mips"] == fig["instructions"] / fig["cpu_s"] / 1e6
