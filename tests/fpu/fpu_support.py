"""Helpers of the FPU tests (not in conftest.py: test modules import them)."""

from __future__ import annotations

from pathlib import Path

from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.frontends.runner import load_simulation

FIRMWARE_DIR = Path(__file__).parent / "firmware"
NO_FPU_BOARD = "mps2-an386"
FPU_BOARD = "mps2-an386-fpu"


def build(app: str, board: str) -> Path:
    out = BUILD_DIR / "fpu" / board
    return build_firmware([app], board=board, apps_dir=FIRMWARE_DIR, out_dir=out).elfs[app]


def run(elf: Path, board: str, **options):
    sim = load_simulation(elf, board, max_cycles=50_000_000, **options)
    return sim, sim.run()
