"""Fixtures for the profiler tests: the test firmware (firmware/profcalls, a known call
structure) built once per board, and profiled runs shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.board.machine import RunResult, Simulation
from tlscosim.sim.frontends.profiler import ProfileReport, Profiler
from tlscosim.sim.frontends.runner import load_simulation

APPS_DIR = Path(__file__).resolve().parent / "firmware"
OUT_DIR = BUILD_DIR / "tests" / "sim_profiler"


@dataclass
class ProfiledRun:
    sim: Simulation
    result: RunResult
    report: ProfileReport
    profiler: Profiler


def profiled_run(elf: Path, board: str = "mps2-an386", **profiler_options) -> ProfiledRun:
    sim = load_simulation(elf, board)
    profiler = Profiler.attach(sim, **profiler_options)
    result = sim.run()
    return ProfiledRun(sim, result, profiler.report(), profiler)


@pytest.fixture(scope="session")
def profile_elf():
    """profile_elf(elf, board=..., **profiler_options) -> ProfiledRun"""
    return profiled_run


@pytest.fixture(scope="session")
def profcalls_elf() -> Path:
    return build_firmware(("profcalls",), apps_dir=APPS_DIR, out_dir=OUT_DIR).elfs["profcalls"]


@pytest.fixture(scope="session")
def profcalls_elf_wait_states() -> Path:
    """The same app for a board whose memories have wait states (run-time cost hooks)."""
    return build_firmware(("profcalls",), board="stm32f4-like", apps_dir=APPS_DIR,
                          out_dir=OUT_DIR / "stm32f4-like").elfs["profcalls"]


@pytest.fixture(scope="session")
def standard_elfs() -> dict[str, Path]:
    return build_firmware(("selfcheck", "bench", "hello")).elfs


@pytest.fixture(scope="session")
def profcalls(profcalls_elf) -> ProfiledRun:
    run = profiled_run(profcalls_elf)
    assert run.result.stop_reason == "exit" and run.result.exit_code == 0, run.result.message
    return run


@pytest.fixture(scope="session")
def bench_elf(standard_elfs) -> Path:
    return standard_elfs["bench"]
