"""Microbenchmarks on the zero-wait-state board (mps2-an386): each hand-written Thumb-2
sequence (firmware/tbench/sequences.c) is measured with the DWT counters around it, and
measured(n copies) - measured(0 copies) must equal the cost the TRM rules give, exactly,
in cycles (CYCCNT) and in DWT events (CPICNT, LSUCNT, FOLDCNT; 8 bits, modulo 256)."""

from __future__ import annotations

import pytest

from timing_rules import (ADDRESS_INTERLOCK, ALU, BRANCH, BRANCH_NOT_TAKEN, DOUBLE, IT_FOLDED, IT_NOT_FOLDED, ISB,
                          LOAD, LOAD_PIPELINED, LOADED_TARGET, MULTIPLY, SKIPPED, STORE,
                          STORE_PIPELINED, TABLE_BRANCH, Cost, divide, multiple, refill, refill_cost)

REPS = (1, 8, 64)

# Every copy of a branch sequence is a multiple of 4 bytes long and starts word-aligned.
P_ALIGNED = refill_cost(refill(target_is_32bit=False, target_address_mod4=0))
P_ALIGNED_32 = refill_cost(refill(target_is_32bit=True, target_address_mod4=0))
P_STRADDLING_32 = refill_cost(refill(target_is_32bit=True, target_address_mod4=2))
assert (P_ALIGNED.cycles, P_ALIGNED_32.cycles, P_STRADDLING_32.cycles) == (1, 1, 2)


def per_copy(cost: Cost):
    return lambda n: cost * n


# name -> expected cost of n copies of its sequence (see sequences.c for the sequences)
EXPECTED = {
    # add r0, r0, r1 (16-bit) / add.w (32-bit): "ADD 1"
    "add": per_copy(ALU),
    "addw": per_copy(ALU),
    # ldr r0, [r6] back to back: the first 2, each next pipelines behind the one before
    "ldr": lambda n: LOAD + LOAD_PIPELINED * (n - 1),
    # ldr r0, [r0]: the address needs the previous result, no pipelining (3.3.2)
    "ldr_chase": per_copy(LOAD),
    # ldr r0, [r6]; str r0, [r6, #4]: "LDR R0,[R1,R2]; STR R0,[R3,#20] - normally three
    # cycles total" (3.3.2); the next LDR follows a store: not pipelined
    "ldr_str": per_copy(LOAD + STORE_PIPELINED),
    "str": per_copy(STORE),
    # mov r3, r6; ldr/str [r3]: the address was computed by the instruction before
    "mov_ldr": per_copy(ALU + LOAD + ADDRESS_INTERLOCK),
    "mov_str": per_copy(ALU + STORE + ADDRESS_INTERLOCK),
    # mov r3, r6; ldr r0, [r6]: the load does not use r3, no stall
    "mov_ldr_other": per_copy(ALU + LOAD),
    # ldm/stm of r0-r7: 1+N, "an eight element store takes nine cycles" (3.3.2)
    "ldm8": per_copy(multiple(8)),
    "stm8": per_copy(multiple(8)),
    "ldm8_code": per_copy(multiple(8)),
    "ldr_code": lambda n: LOAD + LOAD_PIPELINED * (n - 1),
    "ldrd": per_copy(DOUBLE),
    "strd": per_copy(DOUBLE),
    "mul": per_copy(MULTIPLY),
    "mla": per_copy(MULTIPLY),
    "umull": per_copy(MULTIPLY),
    "umlal": per_copy(MULTIPLY),
    "smlal": per_copy(MULTIPLY),
    "isb": per_copy(ISB),
    # b.n 1f; nop; 1: -- taken, to an aligned 16-bit instruction: 1+P
    "b": per_copy(BRANCH + P_ALIGNED),
    # b.n 1f; nop; 1: add.w -- to an aligned 32-bit instruction
    "b_w32": per_copy(BRANCH + P_ALIGNED_32 + ALU),
    # b.n 1f; 1: add.w; nop -- to a 32-bit instruction straddling two words: P = 2
    "b_u32": per_copy(BRANCH + P_STRADDLING_32 + ALU + ALU),
    # b<cond>.n / cbz / cbnz over three nops: taken 1+P, not taken 1 plus the nops
    "beq_taken": per_copy(BRANCH + P_ALIGNED),
    "bne_taken": per_copy(BRANCH + P_ALIGNED),
    "cbz_taken": per_copy(BRANCH + P_ALIGNED),
    "cbnz_taken": per_copy(BRANCH + P_ALIGNED),
    "beq_untaken": per_copy(BRANCH_NOT_TAKEN + ALU * 3),
    "bne_untaken": per_copy(BRANCH_NOT_TAKEN + ALU * 3),
    "cbz_untaken": per_copy(BRANCH_NOT_TAKEN + ALU * 3),
    "cbnz_untaken": per_copy(BRANCH_NOT_TAKEN + ALU * 3),
    # bl leaf (aligned 16-bit bx lr) ... bx lr back to the next (aligned) instruction:
    # "BL 1+P", "BX 1+P"
    "bl_bx": per_copy(BRANCH + P_ALIGNED + BRANCH + P_ALIGNED),
    # bl to push {r4-r7, lr}; pop {r4-r7, pc}: "PUSH 1+N", "POP {..., PC} 1+N+P", the
    # P of a loaded target
    "push_pop_pc": per_copy(BRANCH + P_ALIGNED + multiple(5) + multiple(5) + LOADED_TARGET + P_ALIGNED),
    "push_pop_pc1": per_copy(BRANCH + P_ALIGNED + multiple(1) + multiple(1) + LOADED_TARGET + P_ALIGNED),
    # bl to push {r4, lr}; cmp r1, r2; it eq; popeq {r4, pc}; pop {r4, pc}: the
    # conditional POP returns when r1 == r2, else costs 1 and the next POP returns
    "cond_pop_taken": per_copy(BRANCH + P_ALIGNED + multiple(2) + ALU + IT_FOLDED
                               + multiple(2) + LOADED_TARGET + P_ALIGNED),
    "cond_pop_skipped": per_copy(BRANCH + P_ALIGNED + multiple(2) + ALU + IT_FOLDED + SKIPPED
                                 + multiple(2) + LOADED_TARGET + P_ALIGNED),
    # adr r3, 1f; mov pc, r3: "MOV PC 1+P"
    "mov_pc": per_copy(ALU + BRANCH + P_ALIGNED),
    # tbb/tbh to an aligned 16-bit instruction: 3.3.2's six cycles (load, add, reload)
    "tbb": per_copy(TABLE_BRANCH + P_ALIGNED),
    "tbh": per_copy(TABLE_BRANCH + P_ALIGNED),
    # cmp r1, r2 (16-bit); it eq; addeq r0, #1: the IT folds onto the CMP
    "it_fold": per_copy(ALU + IT_FOLDED + ALU),
    # cmp.w (32-bit) before the IT: no folding
    "it_nofold": per_copy(ALU + IT_NOT_FOLDED + ALU),
    # cmp; it eq; ldreq r0, [r6] with the condition failing, then passing
    "it_ldr_skipped": per_copy(ALU + IT_FOLDED + SKIPPED),
    "it_ldr_executed": per_copy(ALU + IT_FOLDED + LOAD),
    # cmp r1, r2; it eq; sdiveq r0, r1, r2 with r1 = r2 = 5 (quotient 1) or r1 != r2
    "it_sdiv_skipped": per_copy(ALU + IT_FOLDED + SKIPPED),
    "it_sdiv_executed": per_copy(ALU + IT_FOLDED + divide(5, 5, signed=True)),
    # cmp; itt eq; addeq; addeq, both skipped
    "itt_skipped": per_copy(ALU + IT_FOLDED + SKIPPED + SKIPPED),
}


@pytest.mark.parametrize("reps", REPS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sequence_costs_what_the_trm_says(bench, name, reps):
    assert bench.delta(name, reps) == EXPECTED[name](reps).counters()


def test_every_benchmark_is_checked(bench):
    """No benchmark of the firmware goes unchecked (the others have their own tests)."""
    others = {"sdiv", "udiv", "loop", "pend", "pend2", "same_base_sdiv", "same_base_ldr_code"}
    assert {key[0] for key in bench.values} == set(EXPECTED) | others


def test_calibration_frame_is_identical(bench):
    """The empty frame costs the same around every sequence: the first read (2 cycles,
    1 LSU) and the two fences (1 cycle each); the second read is not counted (a read
    sees the counter as the reading instruction starts)."""
    frames = {tuple(sorted(bench.get(name, 0).items())) for name in EXPECTED}
    assert frames == {tuple(sorted((LOAD + ALU + ALU).counters().items()))}


@pytest.mark.parametrize("iterations", (1, 2, 8, 64))
def test_loop(bench, iterations):
    """1: subs r1, r1, #1; bne 1b -- every iteration but the last branches back (1+P)."""
    taken = (ALU + BRANCH + P_ALIGNED) * (iterations - 1)
    last = ALU + BRANCH_NOT_TAKEN
    assert bench.delta("loop", 1, a=iterations) == (taken + last).counters()
