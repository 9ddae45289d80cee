"""Determinism: the same ELF (and seed) twice gives the same instructions, cycles, UART
output and counters; another seed changes the TRNG words and nothing else the firmware
prints. The timing app is used: interrupts, sleep, timers, the DWT and the TRNG."""

from __future__ import annotations

import pytest

from simtest import reports, run

MAX_CYCLES = 50_000_000
OTHER_SEED = 1          # the default seed is 0


def outcome(result) -> dict:
    """Everything a run produces except how long it took on this machine."""
    data = result.to_dict()
    for key in ("wall_s", "mips"):
        data.pop(key)
    data["uart_output"] = result.uart_output
    return data


@pytest.fixture(scope="module")
def first(test_elfs):
    return run(test_elfs["timing"], max_cycles=MAX_CYCLES)[1]


def test_same_elf_twice_gives_identical_runs(test_elfs, first):
    again = run(test_elfs["timing"], max_cycles=MAX_CYCLES)[1]
    assert first.stop_reason == "exit"
    assert (again.instructions, again.cycles) == (first.instructions, first.cycles)
    assert outcome(again) == outcome(first)


def test_another_seed_changes_only_the_trng_words(test_elfs, first):
    other = run(test_elfs["timing"], max_cycles=MAX_CYCLES, seed=OTHER_SEED)[1]
    a, b = reports(first.uart_output), reports(other.uart_output)
    assert a.keys() == b.keys()
    words = [k for k in a if k.startswith("trng.word")]
    assert words and all(a[k] != b[k] for k in words)
    assert {k: v for k, v in a.items() if k not in words} == {k: v for k, v in b.items() if k not in words}


def test_flat_timing_counts_one_cycle_per_instruction(test_elfs):
    # The exceptions app does not poll anything timed: the same instructions run.
    elf = test_elfs["exceptions"]
    m4, flat = (run(elf, max_cycles=MAX_CYCLES, timing=t)[1] for t in ("cortex-m4", "flat"))
    assert flat.instructions == m4.instructions, "the timing model does not change what runs"
    assert flat.uart_output == m4.uart_output
    c = flat.counters
    assert flat.cycles == flat.instructions + c["exception_cycles"] + c["sleep_cycles"]
    assert c["cpi"] == c["lsu"] == c["fold"] == 0
