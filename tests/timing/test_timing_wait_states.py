"""Flash wait states (stm32f4-like: code and read-only data in flash with 5 wait states at
168 MHz, data in zero-wait SRAM), from the platform description alone.

Fetch-limited code depends on what the fetch unit did before a sequence, so these
compare n = 64 with n = 8 copies (and 64 with 8 loop iterations): the 56 extra copies
run in steady state and must cost what the rules of timing_rules give for 56 copies
(fetch_bound, refill with wait states, ws per data access to flash)."""

from __future__ import annotations

import pytest

from timing_support import FLASH_BOARD, parse_bench, run
from timing_rules import (ALU, BRANCH, LOAD_PIPELINED, LOADED_TARGET, TABLE_BRANCH, Cost, fetch_bound,
                          multiple, refill)
from tlscosim.boarddesc import BoardDescription

WS = 5
EXTRA = 64 - 8


def flash_rules(ws: int, n: int) -> dict[str, int]:
    """Cycles of n copies of each sequence in steady state, code in a ws-wait-state memory."""
    p = refill(target_is_32bit=False, target_address_mod4=0, wait_states=ws)
    p32 = refill(target_is_32bit=True, target_address_mod4=0, wait_states=ws)
    return {
        # 16-bit add: two per fetched word
        "add": fetch_bound(n * ALU.cycles, n * 2, ws),
        # 32-bit add.w: one per word
        "addw": fetch_bound(n * ALU.cycles, n * 4, ws),
        # 16-bit loads from SRAM, pipelined: fetch-bound
        "ldr": fetch_bound(n * LOAD_PIPELINED.cycles, n * 2, ws),
        # 32-bit LDM of 8 from SRAM: 9 cycles, execution-bound
        "ldm8": fetch_bound(n * multiple(8).cycles, n * 4, ws),
        # the same from flash: 8 data reads with ws each
        "ldm8_code": fetch_bound(n * multiple(8).cycles, n * 4, ws) + n * 8 * ws,
        # 16-bit pipelined loads from flash: fetch-bound plus ws per read
        "ldr_code": fetch_bound(n * LOAD_PIPELINED.cycles, n * 2, ws) + n * ws,
        # b.n to the next copy (word-aligned, 16-bit): 1 + P, P fetches the target's word
        "b": n * (BRANCH.cycles + p),
        # 8 bytes (two words) of a not-taken branch and three nops
        "beq_untaken": fetch_bound(n * 4, n * 8, ws),
        # bl to `bx lr` and back to the next (word-aligned, 32-bit) bl
        "bl_bx": n * (BRANCH.cycles + p + BRANCH.cycles + p32),
        # bl to push {r4-r7, lr}; pop {r4-r7, pc} (one word) and back
        "push_pop_pc": n * (BRANCH.cycles + p + multiple(5).cycles + multiple(5).cycles
                            + LOADED_TARGET.cycles + p32),
        # tbb reads its table from flash (ws), then refetches the target
        "tbb": n * (TABLE_BRANCH.cycles + ws + p32),
    }


@pytest.mark.parametrize("name", sorted(flash_rules(WS, EXTRA)))
def test_steady_state(bench_flash, name):
    assert bench_flash.delta(name, 64, base_reps=8)["CYCCNT"] == flash_rules(WS, EXTRA)[name]


def loop_iteration(ws: int) -> Cost:
    """1: subs; bne 1b (one word): the taken branch refetches the loop's word."""
    return ALU + BRANCH + Cost(refill(False, 0, ws))


def extra_loop_iterations(report) -> int:
    """Cycles of 64 iterations of the loop less those of 8."""
    return report.get("loop", 1, a=64)["CYCCNT"] - report.get("loop", 1, a=8)["CYCCNT"]


def test_loop_in_flash(bench_flash):
    per_iteration = loop_iteration(WS)
    assert per_iteration.cycles == 8
    assert extra_loop_iterations(bench_flash) == EXTRA * per_iteration.cycles


def test_zero_wait_data_is_unaffected(bench_flash):
    """Pipelined loads from SRAM have no extra cycle; from flash, ws each (LSUCNT)."""
    assert bench_flash.delta("ldr", 64, base_reps=8)["LSUCNT"] == 0
    assert bench_flash.delta("ldr_code", 64, base_reps=8)["LSUCNT"] == EXTRA * WS % 256


def test_board_description_gives_the_wait_states():
    memories = {m.name: m.wait_states for m in BoardDescription.load(FLASH_BOARD).memories}
    assert memories == {"flash": WS, "sram": 0}


@pytest.mark.parametrize("ws", (0, 2))
def test_wait_states_come_from_toml_alone(bench_elf_flash, flash_board_with_wait_states, ws):
    """The same ELF on a copy of the board description with other flash wait states."""
    _sim, result = run(bench_elf_flash, flash_board_with_wait_states(ws))
    report = parse_bench(result.uart_output)
    rules = flash_rules(ws, EXTRA)
    for name in ("add", "addw", "ldm8_code", "b"):
        assert report.delta(name, 64, base_reps=8)["CYCCNT"] == rules[name], name
    assert extra_loop_iterations(report) == EXTRA * loop_iteration(ws).cycles
