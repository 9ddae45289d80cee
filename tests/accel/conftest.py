"""Fixtures of the accelerator tests: the accel_check firmware built once, and a runner
that puts it on the simulated board with a chosen RTL back end, fault and verifier."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import build_firmware
from tlscosim.sim.board.elf import Firmware
from tlscosim.sim.board.machine import RunOptions, RunResult, Simulation
from tlscosim.sim.board.peripherals import accelerator_run

MAX_CYCLES = 50_000_000


@dataclass
class AccelRun:
    result: RunResult
    offload: dict               # accelerator_run.OffloadRun.summary()
    mismatches: list            # sim.offload_verify.Mismatch

    @property
    def uart(self) -> str:
        return self.result.uart_output.decode()


def run_on_board(elf, *, board: str = "mps2-an386", backend: str = "amaranth", fault: str | None = None,
                 verify: bool = True, max_cycles: int = MAX_CYCLES) -> AccelRun:
    sim = Simulation(BoardDescription.load(board), Firmware.load(elf), RunOptions(max_cycles=max_cycles))
    offload = accelerator_run.attach(sim, backend, fault, verify)
    result = sim.run()
    summary = offload.summary()
    mismatches = list(offload.verifier.mismatches) if offload.verifier else []
    offload.close()
    return AccelRun(result, summary, mismatches)


@pytest.fixture(scope="session")
def accel_check_elf():
    return build_firmware(["accel_check"]).elfs["accel_check"]


@pytest.fixture(scope="session")
def accel_check_run(accel_check_elf) -> AccelRun:
    """accel_check on the default board, Amaranth back end, offload verified."""
    return run_on_board(accel_check_elf)
