"""SDIV/UDIV: operand-dependent latency (TRM table 3-1: "2-12", early termination).
Eight copies of `sdiv r0, r1, r2` (or udiv) per measurement, operands from main.c's
table: each must cost the documented formula (timing_rules.divide_cycles), inside the
TRM's bounds, with every cycle beyond the first counted by CPICNT."""

from __future__ import annotations

import pytest

from timing_rules import DIVIDE_BOUNDS, divide, divide_cycles

COPIES = 8
# main.c: divide_cases, (dividend, divisor) as 32-bit patterns
CASES = [(0, 7), (6, 7), (7, 7), (100, 7), (1000, 10), (65535, 3), (0x7FFFFFFF, 1),
         (0xFFFFFFFF, 1), (0xFFFFFFFF, 0x10000), (0x80000000, 0xFFFFFFFF), ((-100) & 0xFFFFFFFF, 7),
         (12345678, 0), (0x40000000, 0x3FFFFFFF)]


@pytest.mark.parametrize("signed", (True, False), ids=("sdiv", "udiv"))
@pytest.mark.parametrize("dividend,divisor", CASES, ids=[f"{a:#x}/{b:#x}" for a, b in CASES])
def test_divide_latency(bench, signed, dividend, divisor):
    name = "sdiv" if signed else "udiv"
    expected = divide(dividend, divisor, signed) * COPIES
    measured = bench.delta(name, COPIES, a=dividend, b=divisor)
    assert measured["CYCCNT"] == expected.cycles
    assert measured["CPICNT"] == expected.cpi % 256
    assert measured["LSUCNT"] == measured["FOLDCNT"] == 0
    low, high = DIVIDE_BOUNDS
    assert low * COPIES <= measured["CYCCNT"] <= high * COPIES


def test_cases_cover_small_and_large_quotients():
    """The table spans the formula's range: 2 (zero divisor, quotient 0) up to a full
    32-bit quotient."""
    cycles = {divide_cycles(a, b, signed) for a, b in CASES for signed in (True, False)}
    assert min(cycles) == 2 and max(cycles) == 10
    assert cycles == {2, 3, 4, 6, 10}
