"""Cortex-M4 instruction timing: the cost of a decoded block.

Implements the Cortex-M4 Technical Reference Manual (ARM DDI 0439, table 3-1, zero wait
states) plus memory wait states from the platform description. docs/timing.md states
the rules, their sources and what is not modelled. Costs are static per block; the
parts that depend on run-time facts are resolved by the native hook (the pipeline refill
P after a taken branch, see cyclehook.c) or by the exception model (entry/return).
"""

from __future__ import annotations

from dataclasses import dataclass

from .decode import Insn, operand_registers
from .native import BlockEnd, SiteKind

LOAD_SINGLE = frozenset({
    "ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrt", "ldrbt", "ldrht", "ldrsbt", "ldrsht",
    "ldrex", "ldrexb", "ldrexh",
})
STORE_SINGLE = frozenset({
    "str", "strb", "strh", "strt", "strbt", "strht", "strex", "strexb", "strexh",
})
DOUBLE = frozenset({"ldrd", "strd"})
MULTIPLE = frozenset({"ldm", "ldmdb", "stm", "stmdb", "push", "pop"})
TABLE_BRANCH = frozenset({"tbb", "tbh"})
DIVIDE = frozenset({"sdiv", "udiv"})
BARRIER_REFILL = frozenset({"isb"})

# Divide: 2..12 cycles, early termination on the operands (TRM note). The static cost is
# the minimum; an instruction hook adds the rest from the operands (cyclehook.c).
DIVIDE_MIN, DIVIDE_MAX = 2, 12
# ARM condition codes, as the instruction hook evaluates them against APSR.
CONDITION_CODES = {c: i for i, c in enumerate("eq ne cs cc mi pl vs vc hi ls ge lt gt le".split())}
CONDITION_CODES.update({"hs": 2, "lo": 3})
COND_ALWAYS = 14


@dataclass(frozen=True, slots=True)
class Site:
    """An instruction whose cost the native hook settles when it runs."""

    address: int
    kind: int            # native.SiteKind
    cond: int            # condition code; COND_ALWAYS when unconditional
    rn: str | None       # divide operands
    rm: str | None
    is_signed: bool
    assumed: int         # cycles counted in the block's static cost
    executed: int
    skipped: int
    is_memory: bool


@dataclass(frozen=True, slots=True)
class InsnCost:
    cycles: int
    lsu: int = 0     # cycles beyond the first of a load/store (DWT LSUCNT)
    cpi: int = 0     # other cycles beyond the first (DWT CPICNT)
    fold: int = 0    # folded instruction (DWT FOLDCNT)


@dataclass(frozen=True, slots=True)
class BlockTiming:
    costs: tuple[InsnCost, ...]
    prefix: tuple[int, ...]   # cycles before instruction i (static part)
    cycles: int
    lsu: int
    cpi: int
    fold: int
    end: int                  # native.BlockEnd value
    refill: int               # P paid when a branch lands on this block
    sites: tuple[Site, ...] = ()


class CortexM4Timing:
    """Per-instruction costs from the TRM; wait states from the memory map.

    code_wait_states(addr) gives the wait states of the memory holding addr.
    """

    name = "cortex-m4"

    def __init__(self, code_wait_states=lambda addr: 0):
        self._ws = code_wait_states

    def block(self, insns: list[Insn]) -> BlockTiming:
        costs = []
        prev: Insn | None = None
        for insn in insns:
            costs.append(self._insn(insn, prev))
            prev = insn
        ws = self._ws(insns[0].address) if insns else 0
        if ws:
            costs = self._fetch_limited(insns, costs, ws)
        prefix, total = [], 0
        for c in costs:
            prefix.append(total)
            total += c.cycles
        return BlockTiming(costs=tuple(costs), prefix=tuple(prefix), cycles=total,
                           lsu=sum(c.lsu for c in costs), cpi=sum(c.cpi for c in costs),
                           fold=sum(c.fold for c in costs), end=block_end(insns),
                           refill=self.refill(insns[0], ws) if insns else 1,
                           sites=tuple(self._sites(insns, costs)))

    @staticmethod
    def _sites(insns: list[Insn], costs: list[InsnCost]):
        """Divides (operand-dependent) and IT-block instructions of more than one cycle
        (one cycle when their condition fails) are settled at run time."""
        for insn, cost in zip(insns, costs):
            in_it = insn.condition is not None and not insn.writes_pc
            cond = CONDITION_CODES[insn.condition] if in_it else COND_ALWAYS
            if insn.mnemonic in DIVIDE:
                regs = operand_registers(insn)
                rn, rm = regs[-2], regs[-1]
                yield Site(insn.address, SiteKind.DIVIDE, cond, rn, rm, insn.mnemonic == "sdiv",
                           cost.cycles, cost.cycles, 1, False)
            elif in_it and cost.cycles > 1:
                yield Site(insn.address, SiteKind.CONDITIONAL, cond, None, None, False,
                           cost.cycles, cost.cycles, 1, cost.lsu > 0)

    @staticmethod
    def refill(target: Insn, ws: int = 0) -> int:
        """P: one cycle, plus one when the target is a 32-bit instruction that straddles a
        word boundary (two fetches), plus the wait states of each fetch."""
        straddles = target.size == 4 and target.address % 4 == 2
        fetches = 2 if straddles else 1
        return fetches * (1 + ws)

    def _insn(self, insn: Insn, prev: Insn | None) -> InsnCost:
        m = insn.mnemonic
        if m in LOAD_SINGLE or m in STORE_SINGLE:
            if self._pipelines_after(insn, prev):
                return InsnCost(1)
            return InsnCost(2, lsu=1)
        if m in DOUBLE:
            return InsnCost(3, lsu=2)
        if m in MULTIPLE:
            return InsnCost(1 + insn.reg_list, lsu=insn.reg_list)
        if m in TABLE_BRANCH:
            return InsnCost(2, lsu=1)
        if m in DIVIDE:
            return InsnCost(DIVIDE_MIN, cpi=DIVIDE_MIN - 1)
        if m == "it":
            # Folded onto a preceding 16-bit instruction (TRM): zero cycles.
            if prev is not None and prev.size == 2:
                return InsnCost(0, fold=1)
            return InsnCost(1)
        if m in BARRIER_REFILL:
            return InsnCost(2, cpi=1)
        return InsnCost(1)

    @staticmethod
    def _pipelines_after(insn: Insn, prev: Insn | None) -> bool:
        """A load/store single pipelines behind a preceding load single whose result it
        does not need for its address (TRM: neighbouring load/store pipelining; nothing
        pipelines after a store)."""
        if prev is None or prev.mnemonic not in LOAD_SINGLE or prev.writes_pc:
            return False
        if insn.mem is None:
            return False
        return insn.mem.base not in prev.loaded and insn.mem.index not in prev.loaded

    @staticmethod
    def _fetch_limited(insns: list[Insn], costs: list[InsnCost], ws: int) -> list[InsnCost]:
        """With wait states, straight-line code cannot run faster than the fetch unit
        delivers 32-bit words (1 + ws cycles each): the shortfall is charged as CPI on the
        block's last instruction. (Data reads of that memory, literal pools included, are
        charged by the native wait-state hook as they happen.)"""
        size = insns[-1].address + insns[-1].size - insns[0].address
        fetch_cycles = -(-size // 4) * (1 + ws)
        shortfall = fetch_cycles - sum(c.cycles for c in costs)
        if shortfall > 0:
            last = costs[-1]
            costs[-1] = InsnCost(last.cycles + shortfall, last.lsu, last.cpi + shortfall, last.fold)
        return costs


class FlatTiming(CortexM4Timing):
    """One cycle per instruction, no refill: the "instructions only" baseline."""

    name = "flat"

    def block(self, insns: list[Insn]) -> BlockTiming:
        n = len(insns)
        return BlockTiming(costs=tuple(InsnCost(1) for _ in insns), prefix=tuple(range(n)),
                           cycles=n, lsu=0, cpi=0, fold=0, end=0, refill=0)


def block_end(insns: list[Insn]) -> int:
    """How the block ends: a PC write (branch, return, load to PC) refills the pipeline."""
    last = insns[-1] if insns else None
    if last is None or not last.writes_pc:
        return BlockEnd.SEQUENTIAL
    return BlockEnd.CONDITIONAL if last.conditional else BlockEnd.BRANCH


TIMING_MODELS = {"cortex-m4": CortexM4Timing, "flat": FlatTiming}
