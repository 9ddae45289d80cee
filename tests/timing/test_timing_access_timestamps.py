"""A device access is timed at the start of its own instruction (sim/engine/accounting.py
`now`/`event_counts`), also when a run-time correction happened earlier in the same
translated block: a divide (its operand-dependent cycles are added when it runs) or a
data access to a memory with wait states.

Firmware reads CYCCNT twice through the same base register, as compiled C does
(`same_base_*` in firmware/tbench/sequences.c); the second read must see the cycles of
everything between the two reads, as the post-increment frame of the other benchmarks
does."""

from __future__ import annotations

import pytest

from timing_rules import divide

BIG_QUOTIENT = divide(0x7FFFFFFF, 1, signed=True)


@pytest.mark.parametrize("reps", (1, 8, 64))
def test_read_after_a_divide(bench, reps):
    assert bench.delta("same_base_sdiv", reps) == (BIG_QUOTIENT * reps).counters()


@pytest.mark.parametrize("reps", (8, 64))
def test_read_after_flash_data_reads(bench_flash, reps):
    """The same loads from flash, timed with either frame, cost the same."""
    assert bench_flash.delta("same_base_ldr_code", reps) == bench_flash.delta("ldr_code", reps)


def test_second_word_of_ldrd(dwt):
    """LDRD of CYCCNT and CPICNT makes two device reads; the CPICNT one belongs to the
    LDRD as well (sequence in firmware/dwtcheck, check_ldrd): it must read what a load of
    CPICNT just before the LDRD read (that load adds no CPI cycle), not include the CPI
    cycles of the divides that follow the LDRD in its block."""
    before, second_word = dwt.lines["ldrd_pair"]
    assert second_word == before
