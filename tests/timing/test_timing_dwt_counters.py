"""DWT counters as the ARMv7-M ARM (C1.8) defines them, measured by firmware/dwtcheck:
enables, writes, 8-bit wrap, the identity
    instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT
over a workload with interrupts and sleep (checked against the simulator's exact
instruction count, modulo 256 for the 8-bit counters), and SysTick and the CMSDK timer
counting the same clock as CYCCNT."""

from __future__ import annotations

import pytest

from timing_rules import ALU, ENTRY, LOAD, LOAD_PIPELINED, RETURN, STORE, multiple

# dwtcheck prints the counters in this order; the simulator's names for what they count
ORDER = ("CYCCNT", "CPICNT", "EXCCNT", "SLEEPCNT", "LSUCNT", "FOLDCNT")
SOURCE = {"CYCCNT": "cycles", "CPICNT": "cpi", "EXCCNT": "exc", "SLEEPCNT": "sleep",
          "LSUCNT": "lsu", "FOLDCNT": "fold"}
WIDTH = {"CYCCNT": 32, "CPICNT": 8, "EXCCNT": 8, "SLEEPCNT": 8, "LSUCNT": 8, "FOLDCNT": 8}
# dwtcheck's gating cases, in the order it runs them (two snapshots each): the counters
# each one enables (trcena_off enables all of them in CTRL but clears DEMCR.TRCENA)
GATING = {
    "trcena_off": (),
    "only_cyccnt": ("CYCCNT",),
    "only_cpi": ("CPICNT",),
    "only_exc": ("EXCCNT",),
    "only_sleep": ("SLEEPCNT",),
    "only_lsu": ("LSUCNT",),
    "only_fold": ("FOLDCNT",),
    "none": (),
}


def firmware_deltas(dwt, check: str) -> dict[str, int]:
    before, after = dwt.lines[f"{check}_before"], dwt.lines[f"{check}_after"]
    return {c: (a - b) % 2 ** WIDTH[c] for c, b, a in zip(ORDER, before, after)}


def simulator_deltas(dwt, index: int) -> dict[str, int]:
    """What the simulator counted between snapshot number index and the next one."""
    before, after = dwt.snapshots[index], dwt.snapshots[index + 1]
    return {name: after[name] - before[name] for name in ("instructions", *SOURCE.values())}


@pytest.mark.parametrize("case", list(GATING))
def test_counts_only_when_enabled(dwt, case):
    """A counter counts while DEMCR.TRCENA and its CTRL enable are both set (C1.8.1)."""
    index = 2 * list(GATING).index(case)
    measured = firmware_deltas(dwt, f"gate_{case}")
    counted = simulator_deltas(dwt, index)
    expected = {c: counted[SOURCE[c]] % 2 ** WIDTH[c] if c in GATING[case] else 0 for c in ORDER}
    assert measured == expected
    # the workload really produced every kind of event, so a zero above means "not counting"
    assert all(counted[s] > 0 for s in SOURCE.values())


def test_enabling_a_counter_clears_it(dwt):
    """ARM C1.8, DWT_CPICNT ... DWT_FOLDCNT: each event counter is "initialized to zero
    when DWT_CTRL.<X>EVTENA transitions from 0 to 1". The counters hold 0x55 (written
    while disabled) when one store enables them all; then the store (2 cycles, 1 LSU) and the first load (2, 1 LSU,
    not pipelined after a store) run before LSUCNT is read, the later loads pipeline."""
    lsu = STORE.lsu + LOAD.lsu + 3 * LOAD_PIPELINED.lsu
    assert dwt.lines["enable_clears"] == [0, 0, 0, lsu, 0]


def test_writes_set_the_value(dwt):
    """Disabled counters keep a written value; the 8-bit ones keep its low 8 bits."""
    assert dwt.lines["write_disabled"] == [0x12345678, 0x1AB & 0xFF, 0x3CD & 0xFF]


def test_cyccnt_counts_from_a_written_value_and_wraps(dwt):
    """CYCCNT = 0xfffffffc, then the store (2 cycles) and eight ADDs: a read wraps past 2^32."""
    cycles = STORE.cycles + 8 * ALU.cycles
    assert dwt.lines["write_cyccnt_wrap"] == [(0xFFFFFFFC + cycles) % 2**32]


def test_8bit_counter_wraps(dwt):
    """LSUCNT = 0xfe, then the store (1 LSU cycle) and an LDM of four registers (4)."""
    lsu = STORE.lsu + multiple(4).lsu
    assert dwt.lines["write_lsucnt_wrap"] == [(0xFE + lsu) % 256]


@pytest.mark.parametrize("board_report", ["dwt", "dwt_flash"])
def test_identity_over_a_workload(request, board_report):
    """C1.8: instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT, here
    over code with loads, divides, IT blocks, calls, SysTick and PendSV interrupts and WFI
    (on both boards: the flash board adds fetch stalls and data wait states)."""
    dwt = request.getfixturevalue(board_report)
    index = 2 * len(GATING)
    measured = firmware_deltas(dwt, "identity")
    counted = simulator_deltas(dwt, index)
    assert measured["CYCCNT"] == counted["cycles"]
    derived = (measured["CYCCNT"] - measured["CPICNT"] - measured["EXCCNT"] - measured["SLEEPCNT"]
               - measured["LSUCNT"] + measured["FOLDCNT"])
    assert derived % 256 == counted["instructions"] % 256
    for counter in ORDER[1:]:
        assert measured[counter] == counted[SOURCE[counter]] % 256, counter
    exceptions = dwt.lines["identity_exceptions"][0]
    assert counted["exc"] == exceptions * (ENTRY.exc + RETURN.exc) and counted["exc"] > 255
    assert counted["sleep"] > 255 and counted["fold"] > 255


@pytest.mark.parametrize("timer", ["systick", "timer0"])
def test_timers_count_the_cpu_clock(dwt, timer):
    """SysTick (CLKSOURCE = processor clock) and the CMSDK timer count down by exactly as
    much as CYCCNT counts up between two identical read pairs."""
    down0, up0, down1, up1 = dwt.lines[f"clock_{timer}"]
    assert down0 - down1 == up1 - up0 > 1000


def test_systick_period_from_sleep(dwt):
    """SysTick interrupts taken from WFI, each handler reading CYCCNT at the same point:
    successive readings are exactly one period (RVR + 1) apart."""
    period, *readings = dwt.lines["tick_period"]
    assert [b - a for a, b in zip(readings, readings[1:])] == [period] * (len(readings) - 1)
