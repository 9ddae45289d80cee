"""CMSDK timer model (peripherals/cmsdk_timer.py): a 32-bit down-counter on the CPU clock.
From value V at the cycle it starts, it reads V-k after k cycles, reaches 0 at V, sets
INTSTATUS and raises its line (with IRQ_EN), then reloads: zero every RELOAD+1 cycles."""

from __future__ import annotations


from tlscosim.sim.architecture.nvic import Exc

PERIPHERAL = "timer0"
RELOAD = 1000


def start(regs, *fields):
    regs.write("CTRL", regs.mask("CTRL", "EN", *fields))


def test_registers_reset_to_zero_and_stopped(bench, regs):
    for reg in regs.map:
        assert regs.read(reg.name) == reg.reset, reg.name
    bench.clock.advance(100)
    assert regs.read("VALUE") == 0
    assert bench.scheduler.next_cycle() is None


def test_reload_write_loads_value_which_holds_until_enabled(bench, regs):
    regs.write("RELOAD", RELOAD)
    assert regs.read("RELOAD") == RELOAD
    assert regs.read("VALUE") == RELOAD
    bench.clock.advance(50)
    assert regs.read("VALUE") == RELOAD


def test_counts_down_one_per_cycle_once_enabled(bench, regs):
    regs.write("RELOAD", RELOAD)
    bench.clock.advance(7)
    start(regs)
    for k in (0, 1, 2, 500, RELOAD - 1, RELOAD):
        bench.clock.advance_to(7 + k)
        assert regs.read("VALUE") == RELOAD - k, k
    bench.clock.advance(1)
    assert regs.read("VALUE") == RELOAD, "reloaded one cycle after reaching zero"


def test_interrupt_at_zero_then_every_reload_plus_one(bench, regs, spec):
    exc = Exc.IRQ0 + spec.irq
    regs.write("RELOAD", RELOAD)
    start(regs, "IRQ_EN")
    assert bench.scheduler.next_cycle() == RELOAD
    bench.clock.advance_to(RELOAD - 1)
    assert regs.get("INTSTATUS", "IRQ") == 0 and not bench.nvic.pending[exc]
    bench.clock.advance_to(RELOAD)
    assert regs.get("INTSTATUS", "IRQ") == 1
    assert bench.nvic.pending[exc] and bench.nvic.line_level[spec.irq]
    assert bench.scheduler.next_cycle() == RELOAD + (RELOAD + 1)

    regs.write("INTSTATUS", regs.mask("INTSTATUS", "IRQ"))    # write 1 to clear
    assert regs.get("INTSTATUS", "IRQ") == 0
    assert not bench.nvic.line_level[spec.irq]
    bench.clock.advance_to(RELOAD + RELOAD)
    assert regs.get("INTSTATUS", "IRQ") == 0
    bench.clock.advance_to(RELOAD + RELOAD + 1)
    assert regs.get("INTSTATUS", "IRQ") == 1


def test_no_interrupt_without_irq_enable(bench, regs, spec):
    regs.write("RELOAD", RELOAD)
    start(regs)
    bench.clock.advance(3 * RELOAD)
    assert regs.get("INTSTATUS", "IRQ") == 0
    assert not bench.nvic.pending[Exc.IRQ0 + spec.irq]


def test_reload_write_while_running_restarts_the_count(bench, regs):
    regs.write("RELOAD", RELOAD)
    start(regs, "IRQ_EN")
    bench.clock.advance_to(300)
    regs.write("RELOAD", 50)
    assert regs.read("VALUE") == 50
    assert bench.scheduler.next_cycle() == 350
    bench.clock.advance_to(350)
    assert regs.get("INTSTATUS", "IRQ") == 1


def test_value_write_sets_the_count(bench, regs):
    regs.write("RELOAD", RELOAD)
    start(regs, "IRQ_EN")
    bench.clock.advance_to(10)
    regs.write("VALUE", 20)
    bench.clock.advance_to(15)
    assert regs.read("VALUE") == 15
    assert bench.scheduler.next_cycle() == 30


def test_disable_freezes_and_enable_resumes(bench, regs):
    regs.write("RELOAD", RELOAD)
    start(regs, "IRQ_EN")
    bench.clock.advance_to(100)
    regs.write("CTRL", 0)
    assert bench.scheduler.next_cycle() is None
    bench.clock.advance_to(600)
    assert regs.read("VALUE") == RELOAD - 100
    start(regs, "IRQ_EN")
    bench.clock.advance_to(650)
    assert regs.read("VALUE") == RELOAD - 150
    assert bench.scheduler.next_cycle() == 600 + RELOAD - 100


def test_external_clock_and_enable_are_reported_as_not_wired(bench, regs, spec):
    regs.write("CTRL", regs.mask("CTRL", "EXT_CLK"))
    regs.write("CTRL", regs.mask("CTRL", "EXT_IN_EN"))
    warnings = [w for w in bench.warnings if spec.name in w and "not wired" in w]
    assert len(warnings) == 1, "reported once"
