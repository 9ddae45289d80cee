"""Mbed TLS's test suites on the accelerators (`tlscosim test-suites --offload`): each
suite built a second time against libmbedtls-accel (its generated sources copied next to
a `uses-mbedtls-accel` marker) and run on the board with the RTL attached and every
accelerator operation verified, beside the plain software build."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..paths import BUILD_DIR
from . import catalog, generate, runner
from .progress import CaseCounter
from .split import Part

ACCEL_SRC = BUILD_DIR / "suites" / "src-accel"


def build_accelerated(suites: list[catalog.Suite], board: str, jobs: int | None = None) -> dict[str, Path]:
    """Suite name -> the suite's ELF linked against Mbed TLS on the accelerators."""
    from ..fw.build import build_firmware

    for suite in suites:
        dst = ACCEL_SRC / suite.program
        shutil.copytree(generate.suite_dir(suite), dst, dirs_exist_ok=True)
        (dst / "uses-mbedtls-accel").touch()
    result = build_firmware([s.program for s in suites], board=board, apps_dir=ACCEL_SRC,
                            out_dir=BUILD_DIR / "suites" / f"{board}-accel", jobs=jobs)
    return {s.name: result.elfs[s.program] for s in suites}


def run_with_rtl(suite: catalog.Suite, elf: Path, board: str, backend: str = "verilator",
                 fault: str | None = None, verify: bool = True, timing: str = "cortex-m4",
                 timeout_s: float = runner.TIMEOUT_S, part: Part | None = None,
                 counter: CaseCounter | None = None):
    """(the suite's outcome, the offload summary: BLOCKS per accelerator and verification)."""
    from ..sim.board.peripherals import accelerator_run

    sim = runner.load_suite(suite, elf, board, timing, timeout_s, part, counter)
    offload = accelerator_run.attach(sim, backend, fault, verify)
    try:
        result = sim.run()
        summary = offload.summary()
    finally:
        offload.close()
    return runner.outcome_of(suite, result, part), summary


def blocks_text(summary: dict) -> str:
    used = {name: n for name, n in summary["blocks"].items() if n}
    text = ", ".join(f"{name} {n:,}" for name, n in used.items()) or "none"
    verify = summary.get("verify_offload")
    if verify is not None:
        text += f"; verified {verify['checked']:,} of {verify['operations']:,}, {verify['mismatches']:,} mismatches"
    return f"hardware blocks: {text}"
