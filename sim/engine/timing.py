"""Cortex-M4 instruction timing: the cost of a decoded block.

Implements the Cortex-M4 Technical Reference Manual (ARM DDI 0439, table 3-1, zero wait
states) plus memory wait states from the platform description. docs/timing.md states
the rules, their sources and what is not modelled, and tests/timing checks them on
firmware microbenchmarks. Costs are static per block; the parts that depend on run-time
facts are resolved by the native hook (the pipeline refill P after a taken branch, see
cyclehook.c), by instruction sites (divides, conditional instructions in IT blocks) or
by the exception model (entry/return).
"""

from __future__ import annotations

from dataclasses import dataclass

from .decode import BRANCHES, Insn, operand_registers
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

# FPU (TRM chapter 7, table 7-1 "FPU instruction set").
FP_LOAD_STORE_SINGLE = frozenset({"vldr", "vstr"})
FP_MULTIPLE = frozenset({"vldmia", "vldmdb", "vstmia", "vstmdb", "vpush", "vpop"})
FP_LONG = {"vdiv": 14, "vsqrt": 14}
FP_MAC = frozenset({"vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma", "vfnms"})
# "Floating-point arithmetic data processing instructions, such as add, subtract, multiply,
# divide, square-root, all forms of multiply with accumulate, as well as conversions of all
# types take one cycle longer if their result is consumed by the following instruction."
FP_ARITHMETIC = frozenset({"vadd", "vsub", "vmul", "vnmul", "vcvt", "vcvtr", "vcvtb", "vcvtt",
                           *FP_LONG, *FP_MAC})
# Instructions whose first operand is read, not written.
FP_READS_FIRST = frozenset({"vstr", "vstmia", "vstmdb", "vpush", "vcmp", "vcmpe", "vmsr", *FP_MAC})

# A branch whose target is loaded (LDR PC, POP/LDM with PC, TBB/TBH) cannot be speculated
# early: the TRM's P then takes its maximum, 3 ("three cycles for the pipeline reload",
# 3.3.2); `refill` charges the target's fetch (1 at zero wait states) at the target, the
# load-to-address latency is the other 2, charged to the loading instruction as CPI.
LOADED_TARGET_EXTRA = 2
# TBB/TBH: "two cycles for the load, one cycle for the add, and three cycles for the
# pipeline reload" (3.3.2): the add is one more CPI cycle.
TABLE_BRANCH_ADD = 1
# "Any load or store that generates an address dependent on the result of a preceding data
# processing operation stalls the pipeline for an additional cycle while the register bank
# is updated. There is no forwarding path for this scenario." (TRM 3.3.2, as quoted for the
# Cortex-M4 core in TI's SWCU185 and in the Cortex-M3 TRM 3.3.2.) Counted as LSU: it is a
# cycle of the load/store instruction.
ADDRESS_INTERLOCK = 1
# Instructions that write no general-purpose register, or write one as a load, a branch or
# a status move: never the "data processing operation" of the interlock.
NOT_DATA_PROCESSING = frozenset({"cmp", "cmn", "tst", "teq", "it", "nop", "dmb", "dsb", "isb", "wfi", "wfe",
                                 "sev", "yield", "bkpt", "svc", "cpsie", "cpsid", "msr", "udf"})
LONG_MULTIPLY = ("umull", "smull", "umlal", "smlal", "umaal", "smlalbb", "smlalbt", "smlaltb", "smlaltt",
                 "smlald", "smlaldx", "smlsld", "smlsldx")
# Divide: 2..12 cycles, early termination on the operands (TRM note). The static cost is
# the minimum (1, a failed condition, inside an IT block); an instruction hook adds the
# rest from the operands (cyclehook.c).
DIVIDE_MIN, DIVIDE_MAX = 2, 12
# The prefetch unit buffers up to three words (Cortex-M3 TRM r2p0, 1.4; the Cortex-M4 keeps
# the design): how far instruction fetch runs ahead of execution.
FETCH_BUFFER_WORDS = 3
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
    lsu: int             # LSU cycles of the executed cost (DWT); the rest of a correction is CPI


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
    refill: int               # paid when a branch lands on this block: P, less the fetches
                              # P already did (wait-state memories, see _fetch_limited)
    sites: tuple[Site, ...] = ()


class CortexM4Timing:
    """Per-instruction costs from the TRM; wait states from the memory map.

    code_wait_states(addr) gives the wait states of the memory holding addr.
    """

    name = "cortex-m4"
    refills = True

    def __init__(self, code_wait_states=lambda addr: 0):
        self._ws = code_wait_states

    def block(self, insns: list[Insn]) -> BlockTiming:
        costs = []
        prev: Insn | None = None
        for insn in insns:
            costs.append(self._insn(insn, prev))
            prev = insn
        sites = tuple(self._sites(insns, costs))
        costs = [self._static(insn, cost) for insn, cost in zip(insns, costs)]
        ws = self._ws(insns[0].address) if insns else 0
        refill = self.refill(insns[0], ws) if insns else 1
        if ws:
            costs, refill = self._fetch_limited(insns, costs, ws)
        prefix, total = [], 0
        for c in costs:
            prefix.append(total)
            total += c.cycles
        return BlockTiming(costs=tuple(costs), prefix=tuple(prefix), cycles=total,
                           lsu=sum(c.lsu for c in costs), cpi=sum(c.cpi for c in costs),
                           fold=sum(c.fold for c in costs), end=block_end(insns),
                           refill=refill, sites=sites)

    @staticmethod
    def _skippable(insn: Insn, cost: InsnCost) -> bool:
        """A conditional instruction of an IT block (B<cond> is the only conditional
        instruction outside one) that costs more than one cycle when it executes."""
        return insn.condition is not None and insn.mnemonic != "b" and (
            cost.cycles > 1 or insn.mnemonic in DIVIDE)

    @classmethod
    def _static(cls, insn: Insn, cost: InsnCost) -> InsnCost:
        """The cost counted in the block: for a skippable instruction, the cost of a failed
        condition (one cycle, like a NOP); its site adds the rest when it executes."""
        return InsnCost(1) if cls._skippable(insn, cost) else cost

    @classmethod
    def _sites(cls, insns: list[Insn], costs: list[InsnCost]):
        """Divides (operand-dependent) and skippable IT-block instructions are settled at
        run time. Unicorn calls an instruction hook only when the instruction executes
        (not when its IT condition fails), so the block counts the skipped cost and the
        hook adds the executed cost, from the operands for a divide."""
        for insn, cost in zip(insns, costs):
            skippable = cls._skippable(insn, cost)
            cond = CONDITION_CODES[insn.condition] if skippable else COND_ALWAYS
            assumed = cls._static(insn, cost).cycles
            if insn.mnemonic in DIVIDE:
                regs = operand_registers(insn)
                rn, rm = regs[-2], regs[-1]
                yield Site(insn.address, SiteKind.DIVIDE, cond, rn, rm, insn.mnemonic == "sdiv",
                           assumed, cost.cycles, 1, 0)
            elif skippable:
                yield Site(insn.address, SiteKind.CONDITIONAL, cond, None, None, False,
                           assumed, cost.cycles, 1, cost.lsu)

    @staticmethod
    def refill(target: Insn, ws: int = 0) -> int:
        """P: one cycle, plus one when the target is a 32-bit instruction that straddles a
        word boundary (two fetches), plus the wait states of each fetch."""
        straddles = target.size == 4 and target.address % 4 == 2
        fetches = 2 if straddles else 1
        return fetches * (1 + ws)

    def _insn(self, insn: Insn, prev: Insn | None) -> InsnCost:
        cost = fp_cost(insn, prev) if insn.fp else self._integer(insn, prev)
        if self._address_interlock(insn, prev):
            cost = InsnCost(cost.cycles + ADDRESS_INTERLOCK, cost.lsu + ADDRESS_INTERLOCK, cost.cpi, cost.fold)
        if insn.writes_pc and insn.is_load:
            # The target comes from memory (a load to PC, TBB/TBH): P is 3, not 1.
            extra = LOADED_TARGET_EXTRA + (TABLE_BRANCH_ADD if insn.mnemonic in TABLE_BRANCH else 0)
            cost = InsnCost(cost.cycles + extra, cost.lsu, cost.cpi + extra, cost.fold)
        return cost

    def _integer(self, insn: Insn, prev: Insn | None) -> InsnCost:
        m = insn.mnemonic
        if m in LOAD_SINGLE or m in STORE_SINGLE:
            if self._pipelines_after(insn, prev) or self._buffered_store(insn):
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
    def _address_interlock(insn: Insn, prev: Insn | None) -> bool:
        """A load or store whose address register the data-processing instruction just
        before it wrote (TRM 3.3.2: no forwarding path to the address generation)."""
        if prev is None or not (insn.is_load or insn.is_store):
            return False
        address = {insn.mem.base, insn.mem.index} if insn.mem is not None else {insn.list_base}
        return bool(address & data_processing_destinations(prev))

    @staticmethod
    def _buffered_store(insn: Insn) -> bool:
        """TRM 3.3.2: "STR Rx,[Ry,#imm] is always one cycle" (the write buffer takes the
        data phase). A store with a register offset, and STREX, take the table's 2."""
        return (insn.mnemonic in STORE_SINGLE and not insn.mnemonic.startswith("strex")
                and insn.mem is not None and insn.mem.index is None)

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

    @classmethod
    def _fetch_limited(cls, insns: list[Insn], costs: list[InsnCost], ws: int) -> tuple[list[InsnCost], int]:
        """Costs and refill of a block in a memory with wait states (docs/timing.md).

        The fetch unit reads 32-bit words one after the other, F = 1 + ws cycles each,
        and runs ahead of execution by at most FETCH_BUFFER_WORDS words. Counting from
        the block's start, the first word the block has to fetch is there at once (it
        was requested while the previous block ended), each next one F cycles after the
        one before, and not before the word FETCH_BUFFER_WORDS places earlier has been
        used up (its last instruction has started). An instruction cannot start before
        the word holding its last halfword is there, and the block lasts until its last
        word is fetched. When a branch lands on the block, the refill P has fetched the
        word(s) of the target instruction; on fall-through, a first word shared with the
        previous block came with it. The native hook adds `refill` after a branch, so
        `refill` is P plus the branch-entry schedule minus the fall-through one. A fetch
        stall is charged as CPI to the instruction before it, so that `prefix` gives the
        start of every instruction. Data accesses to the memory are charged by the
        native wait-state hook, on top of this schedule.
        """
        fetch = 1 + ws
        first = insns[0]
        first_word = first.address // 4
        last_word = (insns[-1].address + insns[-1].size - 1) // 4

        def schedule(first_new_word: int) -> tuple[list[int], int]:
            arrival: list[int] = []         # word (from first_new_word) -> cycle it is there
            used_up: dict[int, int] = {}    # word -> start of its last instruction

            def arrives(word: int) -> int:
                if word < 0:
                    return 0                # fetched before the block started
                while len(arrival) <= word:
                    after_previous = arrival[-1] + fetch if arrival else 0
                    arrival.append(max(after_previous, used_up.get(len(arrival) - FETCH_BUFFER_WORDS, 0)))
                return arrival[word]

            starts, t = [], 0
            for insn, cost in zip(insns, costs):
                first_w = insn.address // 4 - first_new_word
                last_w = (insn.address + insn.size - 1) // 4 - first_new_word
                t = max(t, arrives(last_w))
                starts.append(t)
                for word in range(first_w, last_w + 1):
                    used_up[word] = t
                t += cost.cycles
            words = last_word - first_new_word + 1
            return starts, max(t, arrives(words - 1) + fetch) if words > 0 else t

        shared = 1 if first.address % 4 else 0
        starts, end = schedule(first_word + shared)
        refill = cls.refill(first, ws)
        _, end_after_branch = schedule(first_word + refill // fetch)
        refill += end_after_branch - end
        out = []
        for i, cost in enumerate(costs):
            nxt = starts[i + 1] if i + 1 < len(starts) else end
            stall = nxt - starts[i] - cost.cycles
            out.append(InsnCost(cost.cycles + stall, cost.lsu, cost.cpi + stall, cost.fold) if stall else cost)
        return out, refill


class FlatTiming(CortexM4Timing):
    """One cycle per instruction, no refill: the "instructions only" baseline."""

    name = "flat"
    refills = False   # the native hook can skip the pipeline-refill logic

    def block(self, insns: list[Insn]) -> BlockTiming:
        n = len(insns)
        return BlockTiming(costs=tuple(InsnCost(1) for _ in insns), prefix=tuple(range(n)),
                           cycles=n, lsu=0, cpi=0, fold=0, end=0, refill=0)


def data_processing_destinations(insn: Insn) -> set[str]:
    """Core registers a data-processing instruction writes (none for loads, stores,
    branches, compares, hints and FP instructions)."""
    if (insn.fp or insn.is_load or insn.is_store or insn.writes_pc or insn.mnemonic in NOT_DATA_PROCESSING
            or insn.mnemonic in BRANCHES or insn.mnemonic == "mrs"):
        return set()
    regs = operand_registers(insn)
    if not regs:
        return set()
    return set(regs[:2]) if insn.mnemonic.startswith(LONG_MULTIPLY) else {regs[0]}


def _fp_registers(text: str) -> set[int]:
    """The single-precision registers an operand text names: sN, and dN as s2N, s2N+1."""
    regs = set()
    for op in text.replace("{", " ").replace("}", " ").replace("[", " ").replace(",", " ").split():
        if len(op) > 1 and op[0] in "sd" and op[1:].isdigit():
            n = int(op[1:])
            regs.update((2 * n, 2 * n + 1) if op[0] == "d" else (n,))
    return regs


def _fp_operands(insn: Insn) -> list[str]:
    ops = insn.text.split(None, 1)[1] if " " in insn.text else ""
    return [o.strip() for o in ops.split(",")] if "{" not in ops else [ops]


def fp_sources(insn: Insn) -> set[int]:
    """S registers an instruction reads."""
    ops = _fp_operands(insn)
    if not insn.fp:
        return set()
    if insn.mnemonic in FP_READS_FIRST or insn.mnemonic in ("vstr",):
        return _fp_registers(" ".join(ops))
    return _fp_registers(" ".join(ops[1:]))


def fp_destinations(insn: Insn) -> set[int]:
    """S registers an FP arithmetic instruction writes (its first operand)."""
    ops = _fp_operands(insn)
    return _fp_registers(ops[0]) if ops and insn.mnemonic in FP_ARITHMETIC else set()


def fp_words(insn: Insn) -> int:
    """32-bit words an FP load/store moves: an S register is one, a D register two."""
    return len(_fp_registers(insn.text.split(None, 1)[1].split("[")[0])) if " " in insn.text else 1


def fp_cost(insn: Insn, prev: Insn | None) -> InsnCost:
    """TRM table 7-1: VLDR/VSTR 2 (3 for a D register), VLDM/VSTM/VPUSH/VPOP 1+N words,
    VMOV of two core registers 2, VDIV/VSQRT 14, multiply-accumulate forms 3, everything
    else 1; plus one cycle when the instruction consumes the result of the FP arithmetic
    instruction just before it (TRM 7.2.3)."""
    m = insn.mnemonic
    stall = 1 if prev is not None and prev.fp and fp_destinations(prev) & fp_sources(insn) else 0
    if m in FP_LOAD_STORE_SINGLE:
        n = fp_words(insn)
        return InsnCost(1 + n + stall, lsu=n, cpi=stall)
    if m in FP_MULTIPLE:
        n = fp_words(insn)
        return InsnCost(1 + n + stall, lsu=n, cpi=stall)
    if m == "vmov":
        core = [o for o in _fp_operands(insn) if o.startswith("r") or o in REGISTER_NAMES]
        base = 2 if len(core) == 2 else 1
        return InsnCost(base + stall, cpi=base - 1 + stall)
    base = FP_LONG.get(m, 3 if m in FP_MAC else 1)
    return InsnCost(base + stall, cpi=base - 1 + stall)


REGISTER_NAMES = frozenset({"sb", "sl", "fp", "ip", "sp", "lr", "pc"})


def block_end(insns: list[Insn]) -> int:
    """How the block ends: a PC write (branch, return, load to PC) refills the pipeline."""
    last = insns[-1] if insns else None
    if last is None or not last.writes_pc:
        return BlockEnd.SEQUENTIAL
    return BlockEnd.CONDITIONAL if last.conditional else BlockEnd.BRANCH


TIMING_MODELS = {"cortex-m4": CortexM4Timing, "flat": FlatTiming}
