"""Firmware that never ends: a spinning loop is stopped by the cycle or the wall-time
limit, a WFI nothing can wake is a deadlock, and every stop says where the firmware was."""

from __future__ import annotations

from simtest import run

MAX_CYCLES = 2_000_000
BLOCK_SLACK = 64      # the limit is checked between blocks: one block may run past it


def test_spinning_firmware_stops_at_the_cycle_limit(test_elfs):
    sim, result = run(test_elfs["spin"], max_cycles=MAX_CYCLES)
    assert (result.stop_reason, result.exit_code) == ("cycle-limit", None)
    assert MAX_CYCLES <= result.cycles < MAX_CYCLES + BLOCK_SLACK
    assert f"cycle limit ({MAX_CYCLES})" in result.message
    assert "spin_forever" in result.message and "pc=0x" in result.message
    assert result.fault is None


def test_spinning_firmware_stops_at_the_time_limit(test_elfs):
    _sim, result = run(test_elfs["spin"], timeout_s=0.2)
    assert (result.stop_reason, result.exit_code) == ("time-limit", None)
    assert result.wall_s >= 0.2
    assert "time limit (0.2 s)" in result.message and "spin_forever" in result.message
    assert result.instructions > 0


def test_wfi_with_nothing_to_wake_it_is_a_deadlock(test_elfs):
    _sim, result = run(test_elfs["sleeper"])
    assert (result.stop_reason, result.exit_code) == ("deadlock", None)
    assert "WFI with no interrupt pending or scheduled" in result.message
    assert "sleep_forever" in result.message


def test_wfi_with_a_cycle_limit_sleeps_up_to_the_limit(test_elfs):
    _sim, result = run(test_elfs["sleeper"], max_cycles=MAX_CYCLES)
    assert result.stop_reason == "cycle-limit"
    assert result.cycles == MAX_CYCLES, "time jumps to the limit"
    assert result.counters["sleep_cycles"] > 0.99 * MAX_CYCLES, "almost all of it asleep"
    assert "sleep_forever" in result.message
