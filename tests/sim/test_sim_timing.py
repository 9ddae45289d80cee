"""Time as firmware measures it (tests/sim/firmware/timing): SysTick periods seen by the
DWT cycle counter, a timer waking WFI, a level-sensitive line, WFI with PRIMASK set,
SLEEPONEXIT, the DWT counter identity over a known instruction sequence, and the TRNG.

Interrupts are taken at block boundaries (docs/simulator.md, "Time"): an interrupt whose
event falls while a block runs is taken when the block ends, so a busy CPU sees periods
exact to within one block of its loop; a sleeping CPU wakes on the event's cycle."""

from __future__ import annotations

import capstone
import pytest

from simtest import ENTRY_CYCLES, RETURN_CYCLES, group, reports, run

NMI_HANDLER_INSTRUCTIONS = 1          # timing/window.c: NMI_Handler is one `bx lr`
TICK_INTERVALS = 7
TIMER_SLACK = 64                      # the enable, WFI, entry and the handler's prologue


@pytest.fixture(scope="module")
def app(test_elfs):
    sim, result = run(test_elfs["timing"], max_cycles=50_000_000)
    assert (result.stop_reason, result.exit_code) == ("exit", 0), result.message
    return sim, result, reports(result.uart_output)


@pytest.fixture(scope="module")
def seen(app):
    return app[2]


def deltas(seen, prefix):
    found = group(seen, prefix)
    return [found[f"delta{i}"] for i in range(1, TICK_INTERVALS + 1)]


def longest_block(sim, function: str) -> int:
    """The most cycles one executed block of `function` costs, with its pipeline refill."""
    symbols = sim.firmware.symbols
    start = symbols.address_of(function)
    end = start + symbols.lookup(start).size
    costs = [block.timing.cycles + block.timing.refill
             for block, count in sim.acct.blocks_with_counts() if count and start <= block.address < end]
    assert costs, f"no block of {function} ran"
    return max(costs)


def instructions_between(sim, first: str, last: str) -> int:
    symbols = sim.firmware.symbols
    start, end = symbols.address_of(first), symbols.address_of(last)
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    insns = list(md.disasm(sim.cpu.read_memory(start, end - start), start))
    assert insns and insns[-1].address + insns[-1].size == end, "the window decodes completely"
    return len(insns)


def test_systick_period_is_exact_when_the_core_sleeps(seen):
    assert deltas(seen, "systick_wfi") == [seen["systick.period"]] * TICK_INTERVALS


def test_systick_period_within_one_loop_block_when_busy(app, seen):
    sim = app[0]
    period, bound = seen["systick.period"], longest_block(sim, "busy_wait")
    measured = deltas(seen, "systick_busy")
    assert all(abs(d - period) <= bound for d in measured), (measured, bound)
    assert abs(sum(measured) - TICK_INTERVALS * period) <= bound, "no drift: errors do not accumulate"


def test_timer_wakes_wfi_after_its_count(app, seen):
    cycles = seen["timer.cycles"]
    assert seen["timer.entries"] == 1
    assert cycles <= seen["timer.wake_delta"] <= cycles + TIMER_SLACK
    assert app[1].counters["sleep_cycles"] >= cycles - TIMER_SLACK, "the wait was spent asleep"


def test_line_still_high_after_the_handler_pends_again(seen):
    assert seen["timer_level.entries"] == 2
    assert seen["timer_level.gap"] < seen["timer.cycles"] // 10, "re-taken at once, not a period later"


def test_wfi_wakes_for_an_interrupt_masked_by_primask(seen):
    period = seen["systick.period"]
    assert seen["wfi_primask.ran_asleep"] == 0, "PRIMASK keeps the handler from running"
    assert seen["wfi_primask.pending"] == 1
    assert 0 < seen["wfi_primask.slept"] <= period + TIMER_SLACK
    assert seen["wfi_primask.ran_after"] == 1, "taken once PRIMASK is cleared"


def test_sleep_on_exit_returns_to_sleep_not_to_thread_code(seen):
    assert seen["sleep_on_exit.ticks"] == seen["sleep_on_exit.until"]
    assert seen["sleep_on_exit.thread_wakeups"] == 1, "thread code ran only until its first WFI"


def test_dwt_counters_satisfy_the_architectural_identity(app, seen):
    # ARMv7-M C1.8: instructions = CYCCNT - CPICNT - EXCCNT - SLEEPCNT - LSUCNT + FOLDCNT
    sim = app[0]
    dwt = group(seen, "dwt")
    executed = instructions_between(sim, "dwt_window_start", "dwt_window_end") + NMI_HANDLER_INSTRUCTIONS
    derived = dwt["cyccnt"] - dwt["cpicnt"] - dwt["exccnt"] - dwt["sleepcnt"] - dwt["lsucnt"] + dwt["foldcnt"]
    assert derived == executed, dwt
    assert dwt["exccnt"] == ENTRY_CYCLES + RETURN_CYCLES
    assert dwt["sleepcnt"] > 0 and dwt["lsucnt"] > 0 and dwt["cpicnt"] > 0


def test_run_totals_satisfy_the_same_identity(app):
    result = app[1]
    c = result.counters
    assert result.cycles == (result.instructions + c["cpi"] + c["lsu"] + c["exception_cycles"]
                             + c["sleep_cycles"] - c["fold"])
    assert c["exception_cycles"] > 0 and c["sleep_cycles"] > 0


def test_trng_on_the_bus(seen, board_desc):
    trng = group(seen, "trng")
    assert trng["id"] == board_desc.peripheral("trng").regmap["ID"].reset
    assert trng["polls0"] > 0, "the first word needs LATENCY cycles after enable"
    words = [trng[f"word{i}"] for i in range(4)]
    assert len(set(words)) == 4
