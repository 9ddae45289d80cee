"""Exception entry and return overhead, measured with CYCCNT and EXCCNT: a store to
NVIC_STIR (then ISB) pends an interrupt whose handler is a single `bx lr`; the same
sequence storing to RAM is the calibration. Two pended at once with PRIMASK set are
taken back to back: entry, tail-chain, return."""

from __future__ import annotations

import pytest

from tlscosim.boarddesc import BoardDescription
from timing_rules import ENTRY, RETURN, TAIL_CHAIN, Cost

HANDLER = Cost(1)   # bx lr with EXC_RETURN: the return's 10 cycles include the refill


def measurements(bench, name: str) -> tuple[dict, dict]:
    """(pending an interrupt, storing to RAM): the firmware runs the sequence twice."""
    ram = BoardDescription.load("mps2-an386")
    keys = [key for key in bench.values if key[0] == name]
    to_ram = [k for k in keys if ram.memory_at(k[2]) is not None]
    pending = [k for k in keys if ram.memory_at(k[2]) is None]
    assert len(to_ram) == len(pending) == 1
    return bench.values[pending[0]], bench.values[to_ram[0]]


@pytest.mark.parametrize("name,expected", [
    ("pend", ENTRY + HANDLER + RETURN),
    ("pend2", ENTRY + HANDLER + TAIL_CHAIN + HANDLER + RETURN),
])
def test_exception_overhead(bench, name, expected):
    taken, calibration = measurements(bench, name)
    delta = {c: (taken[c] - calibration[c]) % (2**32 if c == "CYCCNT" else 256) for c in taken}
    assert delta == expected.counters()
    assert calibration["EXCCNT"] == 0
