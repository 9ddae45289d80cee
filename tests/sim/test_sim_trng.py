"""TRNG model (peripherals/trng.py): ID, READY after LATENCY cycles (after enable and after
each DATA read), words that depend on the seed and their index only, and the interrupt
line that follows READY."""

from __future__ import annotations


from tlscosim.sim.architecture.nvic import Exc

from simtest import DeviceBench, Regs

PERIPHERAL = "trng"
WORDS = 8


def trng(board_desc, spec, seed=0):
    bench = DeviceBench(board_desc, seed=seed)
    return bench, Regs(bench.build(spec), spec.regmap)


def enable(regs, *fields):
    regs.write("CTRL", regs.mask("CTRL", "ENABLE", *fields))


def read_words(bench, regs, n=WORDS, gap=0):
    """Enables the TRNG and reads n words, each as soon as READY (plus `gap` cycles)."""
    enable(regs)
    words = []
    for _ in range(n):
        while not regs.get("STATUS", "READY"):
            bench.clock.advance(1)
        bench.clock.advance(gap)
        words.append(regs.read("DATA"))
    return words


def test_id_and_latency(board_desc, spec):
    _bench, regs = trng(board_desc, spec)
    assert regs.read("ID") == regs.reset_value("ID") != 0
    assert regs.read("LATENCY") > 0


def test_not_ready_and_zero_data_while_disabled(board_desc, spec):
    bench, regs = trng(board_desc, spec)
    bench.clock.advance(10 * regs.read("LATENCY"))
    assert regs.get("STATUS", "READY") == 0
    assert regs.read("DATA") == 0
    assert any(spec.name in w and "before READY" in w for w in bench.warnings)


def test_ready_exactly_latency_cycles_after_enable_and_after_each_read(board_desc, spec):
    bench, regs = trng(board_desc, spec)
    latency = regs.read("LATENCY")
    bench.clock.advance_to(100)
    enable(regs)
    bench.clock.advance_to(100 + latency - 1)
    assert regs.get("STATUS", "READY") == 0
    bench.clock.advance_to(100 + latency)
    assert regs.get("STATUS", "READY") == 1
    bench.clock.advance(5)
    read_at = bench.clock.now()
    assert regs.read("DATA") != 0
    assert regs.get("STATUS", "READY") == 0
    bench.clock.advance_to(read_at + latency - 1)
    assert regs.get("STATUS", "READY") == 0
    bench.clock.advance_to(read_at + latency)
    assert regs.get("STATUS", "READY") == 1


def test_same_seed_same_words_whatever_the_timing(board_desc, spec):
    first = read_words(*trng(board_desc, spec, seed=5))
    again = read_words(*trng(board_desc, spec, seed=5), gap=37)
    assert first == again
    assert len(set(first)) == WORDS, "the words of one run differ from each other"


def test_different_seed_different_words(board_desc, spec):
    a = read_words(*trng(board_desc, spec, seed=1))
    b = read_words(*trng(board_desc, spec, seed=2))
    assert all(x != y for x, y in zip(a, b))


def test_interrupt_line_follows_ready(board_desc, spec):
    bench, regs = trng(board_desc, spec)
    latency = regs.read("LATENCY")
    line = spec.irq
    enable(regs, "IRQ_EN")
    assert not bench.nvic.line_level[line]
    assert bench.scheduler.next_cycle() == latency
    bench.clock.advance_to(latency)
    assert bench.nvic.line_level[line] and bench.nvic.pending[Exc.IRQ0 + line]
    regs.read("DATA")
    assert not bench.nvic.line_level[line]
    bench.clock.advance(latency)
    assert bench.nvic.line_level[line]


def test_no_interrupt_without_irq_enable(board_desc, spec):
    bench, regs = trng(board_desc, spec)
    enable(regs)
    bench.clock.advance(10 * regs.read("LATENCY"))
    assert regs.get("STATUS", "READY") == 1
    assert not bench.nvic.line_level[spec.irq]
    assert not bench.nvic.pending[Exc.IRQ0 + spec.irq]
