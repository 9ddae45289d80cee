"""DWT counters (peripherals/dwt.py): CYCCNT (32 bits) and the 8-bit CPI/EXC/SLEEP/LSU/FOLD
counters count their core event while DEMCR.TRCENA and their CTRL enable are set, wrap,
can be written, freeze when disabled, and (the 8-bit ones) restart from 0 when enabled. Unit tests drive a core whose event counts the
test sets; the last tests use a real board, where DEMCR lives in the SCS."""

from __future__ import annotations

import pytest

from tlscosim.sim.board.peripherals.dwt import Dwt

from simtest import BoardClock, Regs

COUNTERS = ("CYCCNT", "CPICNT", "EXCCNT", "SLEEPCNT", "LSUCNT", "FOLDCNT")
EIGHT_BIT = COUNTERS[1:]
CORTEX_M4_COMPARATORS = 4


def enable_field(counter: str) -> str:
    """CTRL.CYCCNTENA for CYCCNT, CTRL.<X>EVTENA for <X>CNT."""
    return "CYCCNTENA" if counter == "CYCCNT" else counter[:-3] + "EVTENA"


def event(counter: str) -> str:
    """The core event a counter counts, by the name the core's event_counts() gives it."""
    return "cycles" if counter == "CYCCNT" else counter[:-3].lower()


class EventCore:
    """What the DWT asks of the core, with counts the test moves."""

    def __init__(self):
        self.trace = True
        self.counts = {event(name): 0 for name in COUNTERS}
        self.pc = 0

    def trace_enabled(self) -> bool:
        return self.trace

    def event_counts(self) -> dict[str, int]:
        return dict(self.counts)

    def current_pc(self) -> int:
        return self.pc


@pytest.fixture
def core():
    return EventCore()


@pytest.fixture
def regs(board_desc, bench, core):
    spec = board_desc.peripheral("dwt")
    bench.ctx.core = core
    return Regs(Dwt(spec, bench.ctx), spec.regmap)


def enable(regs, *names):
    regs.write("CTRL", regs.mask("CTRL", *(enable_field(n) for n in names)))


def width(regs, name: str) -> int:
    fields = regs.map[name].fields
    return fields[0].width if fields else regs.map[name].width


def test_numcomp_is_read_only(regs):
    assert regs.get("CTRL", "NUMCOMP") == CORTEX_M4_COMPARATORS
    regs.write("CTRL", 0)
    assert regs.get("CTRL", "NUMCOMP") == CORTEX_M4_COMPARATORS


@pytest.mark.parametrize("name", COUNTERS)
def test_counter_counts_its_event_only_while_enabled_and_traced(regs, core, name):
    source = event(name)
    core.counts[source] += 10
    assert regs.read(name) == 0, "disabled at reset"
    enable(regs, name)
    core.counts[source] += 17
    assert regs.read(name) == 17
    for other in COUNTERS:
        if other != name:
            core.counts[event(other)] += 5
            assert regs.read(other) == 0, f"{other} is not enabled"
    regs.write("CTRL", 0)
    core.counts[source] += 40
    assert regs.read(name) == 17, "frozen while disabled"


@pytest.mark.parametrize("name", COUNTERS)
def test_enabling_zeroes_event_counters_but_not_cyccnt(regs, core, name):
    # C1.8.7: an event counter is cleared when its enable goes from 0 to 1; CYCCNT is not.
    source = event(name)
    enable(regs, name)
    core.counts[source] += 17
    regs.write("CTRL", 0)
    enable(regs, name)
    core.counts[source] += 3
    assert regs.read(name) == (20 if name == "CYCCNT" else 3)


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_event_counters_wrap_at_256(regs, core, name):
    assert width(regs, name) == 8
    enable(regs, name)
    core.counts[event(name)] += 300
    assert regs.read(name) == 300 % 256


def test_cyccnt_wraps_at_32_bits(regs, core):
    enable(regs, "CYCCNT")
    regs.write("CYCCNT", 0xFFFFFFF0)
    core.counts["cycles"] += 0x20
    assert regs.read("CYCCNT") == 0x10


@pytest.mark.parametrize("name", COUNTERS)
def test_counter_write_sets_the_value_it_counts_from(regs, core, name):
    enable(regs, name)
    regs.write(name, 0x1F5)
    core.counts[event(name)] += 4
    assert regs.read(name) == (0x1F5 + 4) & ((1 << width(regs, name)) - 1)


def test_trace_disable_freezes_every_counter(regs, core):
    enable(regs, *COUNTERS)
    for source in core.counts:
        core.counts[source] += 9
    core.trace = False
    regs.device.on_trace_enable_change()
    for source in core.counts:
        core.counts[source] += 100
    assert all(regs.read(name) == 9 for name in COUNTERS)


def test_pcsr_samples_the_pc(regs, core):
    core.pc = 0x1234
    assert regs.read("PCSR") == 0x1234


def test_undecoded_offsets_read_zero_and_ignore_writes(bench, regs):
    offset = regs.undecoded_offset()
    regs.device.write(offset, 4, 0xFFFFFFFF)
    assert regs.device.read(offset, 4) == 0
    assert len([w for w in bench.warnings if f"{offset:#x}" in w]) == 1


# -- on a real board: DEMCR.TRCENA in the SCS gates the DWT ----------------------------------


@pytest.fixture
def board_dwt(board, board_desc):
    return Regs(board.devices["dwt"], board_desc.peripheral("dwt").regmap)


def test_cyccnt_needs_demcr_trcena_on_the_board(board, board_dwt, scs):
    dwt = board_dwt
    clock = BoardClock(board)
    enable(dwt, "CYCCNT")
    clock.advance(100)
    assert dwt.read("CYCCNT") == 0, "no trace enable yet"
    scs.write("DEMCR", scs.mask("DEMCR", "TRCENA"))
    clock.advance(250)
    assert dwt.read("CYCCNT") == 250
    scs.write("DEMCR", 0)
    clock.advance(1000)
    assert dwt.read("CYCCNT") == 250


def test_exception_and_sleep_cycles_reach_their_counters_on_the_board(board, board_dwt, scs):
    dwt = board_dwt
    scs.write("DEMCR", scs.mask("DEMCR", "TRCENA"))
    enable(dwt, "CYCCNT", "EXCCNT", "SLEEPCNT")
    board.core.spend_exception_cycles(12)
    board.core.sleep_until(board.core.accounting.block_cycles + 300)
    assert dwt.read("EXCCNT") == 12
    assert dwt.read("SLEEPCNT") == 300 % 256
    assert dwt.read("CYCCNT") == 312
