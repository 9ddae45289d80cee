"""Seeded random bus traffic for equivalence tests: every register, every access size,
operations started (and disturbed) at random, gaps from back to back to millions."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Access:
    cycle: int
    write: bool
    offset: int
    size: int
    value: int = 0


LONG_GAPS = (0, 0, 0, 1, 2, 5, 13, 40, 100, 2_000_000)
SHORT_GAPS = (0, 0, 0, 1, 2, 5, 13, 40, 100, 1000)


def random_trace(regmap, seed: int, count: int, gaps=LONG_GAPS) -> list[Access]:
    rng = random.Random(seed)
    ctrl = regmap["CTRL"]
    offsets = [reg.offset_of(i) for reg in regmap for i in range(reg.count)]
    trace, cycle = [], 0
    for _ in range(count):
        cycle += rng.choice(gaps)
        roll = rng.random()
        if roll < 0.15:             # start an operation with random parameters
            value = ctrl.field("START").insert(rng.getrandbits(32), 1)
            trace.append(Access(cycle, True, regmap.offset("CTRL"), 4, value))
        elif roll < 0.55:
            size = rng.choice((1, 2, 4, 4, 4))
            offset = rng.choice(offsets) + rng.randrange(0, 4, size)
            trace.append(Access(cycle, True, offset, size, rng.getrandbits(8 * size)))
        else:
            size = rng.choice((1, 2, 4, 4))
            offset = rng.choice(offsets) + rng.randrange(0, 4, size)
            trace.append(Access(cycle, False, offset, size))
        cycle += 1
    return trace


def replay(dev, trace: list[Access]) -> list[tuple]:
    """What the device shows at each access: (cycle, read value or None, irq, busy)."""
    seen = []
    for a in trace:
        if a.write:
            dev.write(a.cycle, a.offset, a.size, a.value)
            value = None
        else:
            value = dev.read(a.cycle, a.offset, a.size)
        seen.append((dev.cycle, value, dev.irq, dev.busy))
    return seen
