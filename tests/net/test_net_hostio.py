"""Host I/O as a board service (sim/board/net/hostio.py): with a host link open, a WFI that
nothing on the board will wake is a wait for the host, not a deadlock; a paced link keeps
a sleeping board's simulated time from running ahead of wall time; an unpaced one lets it
skip ahead; the header of the MAC's indirect registers matches its register maps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import tlscosim
from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR, SW_DIR
from tlscosim.sim.board.net.indirect_header import indirect_header

SIM_FIRMWARE = Path(__file__).parent.parent / "sim" / "firmware"
WAIT_S = 1.0


@pytest.fixture(scope="module")
def sleeper():
    """A firmware that sleeps in WFI with no interrupt enabled (tests/sim/firmware/sleeper)."""
    return build_firmware(["sleeper"], apps_dir=SIM_FIRMWARE, out_dir=BUILD_DIR / "test-net" / "fw").elfs["sleeper"]


def test_wfi_waits_for_the_host_when_a_link_is_open(sleeper):
    with tlscosim.start(sleeper, net="wire") as sim:
        time.sleep(WAIT_S)
        assert sim.running
        result = sim.stop()
    assert result.stop_reason == "stopped" and result.message == "stopped by the host"
    assert result.counters["sleep_cycles"] > 0.9 * result.cycles


def test_paced_board_does_not_run_ahead_of_wall_time(sleeper):
    start = time.monotonic()
    with tlscosim.start(sleeper, net="wire") as sim:
        time.sleep(WAIT_S)
        simulated, wall = sim.simulated_s, time.monotonic() - start
    assert 0.5 * WAIT_S < simulated <= wall + 0.01


def test_unpaced_board_skips_ahead_while_it_sleeps(sleeper):
    start = time.monotonic()
    with tlscosim.start(sleeper, net="wire", paced=False) as sim:
        time.sleep(WAIT_S)
        simulated, wall = sim.simulated_s, time.monotonic() - start
    assert simulated > 3 * wall


def test_without_a_link_the_same_wfi_is_a_deadlock(sleeper):
    with tlscosim.start(sleeper) as sim:
        sim.run_for(cycles=0)
    assert sim.result.stop_reason == "deadlock"


def test_indirect_register_header_is_generated_from_the_maps():
    committed = (SW_DIR / "drivers" / "lan9118_indirect.h").read_text()
    assert committed == indirect_header(), \
        "regenerate: python -m tlscosim.sim.board.net.indirect_header > sw/drivers/lan9118_indirect.h"


@pytest.mark.parametrize("limit, reason", [({"timeout_s": 0.5}, "time-limit"), ({"max_cycles": 2_000_000}, "cycle-limit")])
def test_waiting_for_the_host_is_bounded_by_the_limits(sleeper, limit, reason):
    with tlscosim.start(sleeper, net="wire", **limit) as sim:
        sim.host.wait_for(lambda: not sim.running, timeout_s=20)
        assert not sim.running
    assert sim.result.stop_reason == reason
