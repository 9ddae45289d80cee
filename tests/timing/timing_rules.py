"""Cortex-M4 timing rules, written out independently of sim/engine/timing.py: the tests derive
their expectations from these and compare them with DWT readings on the simulated board.

Sources:
  TRM   Cortex-M4 Technical Reference Manual (ARM DDI 0439), table 3-1 "Cortex-M4
        instruction cycle timings" and section 3.3.2 "Load/store timings"
  ARM   ARMv7-M Architecture Reference Manual (ARM DDI 0403), C1.8 (DWT), B1.5 (exceptions)
  PFU   Cortex-M3 TRM (ARM DDI 0337) 1.4: the prefetch unit fetches 32-bit words and
        buffers up to three; the Cortex-M4 keeps it
docs/timing.md states which of the TRM's ranges the model takes (P, divide).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cost:
    """Cycles of a sequence and the DWT events in them (ARM C1.8: CPICNT counts extra
    cycles other than load/store ones, LSUCNT extra load/store cycles, FOLDCNT folded
    instructions, EXCCNT exception entry/return cycles)."""

    cycles: int
    cpi: int = 0
    lsu: int = 0
    fold: int = 0
    exc: int = 0

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(self.cycles + other.cycles, self.cpi + other.cpi, self.lsu + other.lsu,
                    self.fold + other.fold, self.exc + other.exc)

    def __mul__(self, n: int) -> "Cost":
        return Cost(self.cycles * n, self.cpi * n, self.lsu * n, self.fold * n, self.exc * n)

    __rmul__ = __mul__

    def counters(self) -> dict[str, int]:
        """As the DWT shows it: CYCCNT 32 bits, the event counters 8 bits."""
        return {"CYCCNT": self.cycles % 2**32, "CPICNT": self.cpi % 256, "LSUCNT": self.lsu % 256,
                "FOLDCNT": self.fold % 256, "EXCCNT": self.exc % 256}


ZERO = Cost(0)

# -- pipeline refill P (TRM table 3-1 footnote: "P ... ranges from 1 to 3 depending on the
# alignment and width of the target instruction, and whether the processor manages to
# speculate the address early"). The model's choice: the fetch of the target instruction,
# one 32-bit word, or two when a 32-bit target straddles a word boundary; each fetch
# costs 1 + the memory's wait states.


def refill(target_is_32bit: bool, target_address_mod4: int, wait_states: int = 0) -> int:
    fetches = 2 if target_is_32bit and target_address_mod4 == 2 else 1
    return fetches * (1 + wait_states)


def refill_cost(p: int) -> Cost:
    return Cost(p, cpi=p)


# -- single instructions, zero wait states (TRM table 3-1) -----------------------------

ALU = Cost(1)                          # "Add ADD 1", "Move MOV 1", "Compare CMP 1", NOP 1
MULTIPLY = Cost(1)                     # "Multiply MUL/MLA/UMULL/UMLAL/SMLAL ... 1"
LOAD = Cost(2, lsu=1)                  # "Load LDR 2"
LOAD_PIPELINED = Cost(1)               # footnote b / 3.3.2: an LDR or STR right after an LDR
                                       # whose result it does not use for its address
STORE = Cost(1)                        # 3.3.2: "STR Rx,[Ry,#imm] is always one cycle" (write buffer)
STORE_REGISTER_OFFSET = Cost(2, lsu=1) # "Store STR 2" for [Rn, Rm]; nothing pipelines after it
STORE_PIPELINED = Cost(1)              # 3.3.2: "STR can only be pipelined when it follows an LDR"
# 3.3.2: "Any load or store that generates an address dependent on the result of a
# preceding data processing operation stalls the pipeline for an additional cycle while
# the register bank is updated. There is no forwarding path" (as TI's SWCU185 quotes it for
# its Cortex-M4F; the Cortex-M3 TRM has the same text). One more load/store cycle.
ADDRESS_INTERLOCK = Cost(1, lsu=1)
DOUBLE = Cost(3, lsu=2)                # "LDRD/STRD 1+N" with N = 2; 3.3.2: "three cycles"
BRANCH = Cost(1)                       # "B 1+P": the P is added where the branch is taken
BRANCH_NOT_TAKEN = Cost(1)             # "B<cond> 1 or 1+P", "CBZ 1 or 1+P": 1 when not taken
ISB = Cost(2, cpi=1)                   # "ISB 1+B", B = a pipeline refill, P = 1 here
IT_FOLDED = Cost(0, fold=1)            # footnote: "IT can be folded onto a preceding 16-bit
                                       # Thumb instruction, enabling execution in zero cycles"
IT_NOT_FOLDED = Cost(1)                # "If-then IT 1"
SKIPPED = Cost(1)                      # an IT-block instruction whose condition fails does
                                       # nothing (ARM A7.3.3): one cycle, like NOP
# A branch whose target is loaded cannot be speculated early (table 3-1 footnote on P),
# and 3.3.2 gives "three cycles for the pipeline reload" for LDR PC and TBB/TBH: P = 3, of
# which refill() is the target's fetch; the 2 others come with the loading instruction.
LOADED_TARGET = Cost(2, cpi=2)
# 3.3.2: TBB/TBH "are at least two cycles for the load, one cycle for the add, and three
# cycles for the pipeline reload"; the target's fetch (refill) is added at the target.
TABLE_BRANCH = Cost(2 + 1, lsu=1, cpi=1) + LOADED_TARGET


def multiple(n: int) -> Cost:
    """LDM/STM/PUSH/POP of n registers: "1+N" (TRM table 3-1; 3.3.2: "all elements after
    the first are pipelined together")."""
    return Cost(1 + n, lsu=n)


# -- divide (TRM table 3-1: "SDIV/UDIV 2-12", footnote: early termination depending on
# the operands). The documented model (docs/timing.md): two cycles, plus one for every
# four bits of quotient, counted from the operands' significant bits; two when the
# divisor is zero or the dividend's magnitude is smaller than the divisor's.

DIVIDE_BOUNDS = (2, 12)


def divide_cycles(dividend: int, divisor: int, signed: bool) -> int:
    n, d = dividend & 0xFFFFFFFF, divisor & 0xFFFFFFFF
    if signed:
        n = abs(n - (1 << 32) if n >> 31 else n)
        d = abs(d - (1 << 32) if d >> 31 else d)
    if d == 0 or n < d:
        return 2
    quotient_bits = n.bit_length() - d.bit_length() + 1
    return min(2 + (quotient_bits + 3) // 4, 12)


def divide(dividend: int, divisor: int, signed: bool) -> Cost:
    c = divide_cycles(dividend, divisor, signed)
    return Cost(c, cpi=c - 1)


# -- exceptions, zero wait states: the TRM gives an entry latency of 12 cycles and an
# exit latency of 10 (both without the FPU's lazy stacking; ARM knowledge article
# "What is the true interrupt latency of Cortex-M3 and Cortex-M4"), and 6 cycles for
# tail-chaining. EXCCNT counts them (ARM C1.8). ------------------------------------------

ENTRY = Cost(12, exc=12)
RETURN = Cost(10, exc=10)
TAIL_CHAIN = Cost(6, exc=6)

# -- wait states (PFU; docs/timing.md "Wait states") ---------------------------------------
# Code in a memory with ws wait states is fetched one 32-bit word per (1 + ws) cycles.
# In steady state a straight-line sequence costs, per repetition,
#     max(its execution cycles, its bytes / 4 * (1 + ws)),
# a taken branch refetches its target (P above, with the wait states), and every data
# access to that memory adds ws cycles (LSU).


def fetch_bound(execute: int, size_bytes: int, wait_states: int) -> int:
    return max(execute, size_bytes * (1 + wait_states) // 4)
