"""Fixtures of the simulator tests: the board description, real boards to poke devices
on, and the test firmware of tests/sim/firmware/ built once per session (builds are
locked, so parallel workers share one build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import available_apps, build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.board.board import Board

from simtest import DeviceBench, Regs, build_raw_images

FIRMWARE_DIR = Path(__file__).parent / "firmware"
FIRMWARE_OUT = BUILD_DIR / "test-sim" / "fw"


@pytest.fixture(scope="session")
def board_desc() -> BoardDescription:
    return BoardDescription.load()


@pytest.fixture
def board(board_desc):
    """A fresh board (CPU, core, devices) with its warnings collected in board.warnings."""
    warnings: list[str] = []
    b = Board(board_desc, warn=warnings.append)
    b.warnings = warnings
    yield b
    b.core.cpu.close()


@pytest.fixture
def scs(board, board_desc) -> Regs:
    """The System Control Space registers of `board`."""
    return Regs(board.devices["scs"], board_desc.peripheral("scs").regmap)


@pytest.fixture
def bench(board_desc) -> DeviceBench:
    """A device context of its own: scheduler, NVIC and a clock the test moves."""
    return DeviceBench(board_desc)


@pytest.fixture
def spec(request, board_desc):
    """The peripheral the test module names in PERIPHERAL."""
    return board_desc.peripheral(request.module.PERIPHERAL)


@pytest.fixture
def regs(bench, spec) -> Regs:
    """That peripheral's model, built on `bench`, by register name."""
    return Regs(bench.build(spec), spec.regmap)


@pytest.fixture(scope="session")
def test_elfs() -> dict[str, Path]:
    """app name -> ELF of every app under tests/sim/firmware/."""
    return build_firmware(available_apps(FIRMWARE_DIR), apps_dir=FIRMWARE_DIR, out_dir=FIRMWARE_OUT).elfs


@pytest.fixture(scope="session")
def raw_images(board_desc, tmp_path_factory, test_elfs) -> dict[str, Path]:
    """Small images built from tests/sim/firmware/raw/ with addresses taken from the board
    description, plus other files `tlscosim run` must refuse: name -> path."""
    return build_raw_images(board_desc, tmp_path_factory.mktemp("raw-images"), test_elfs["exit3"])
