"""Random Thumb-2 programs (hypothesis strategies) from a grammar of what gcc emits for a
Cortex-M4: 16- and 32-bit ALU and DSP instructions, compares, IT blocks with conditional
ALU ops, loads, stores and a closing branch, LDM/STM, PUSH/POP, LDRD/STRD, TBB/TBH,
forward branches, CBZ/CBNZ, counted loops, divides, loads from a table in code memory,
literal loads and word reads of constant SCB registers.

Every program is deterministic, terminates and stays inside its buffers:
- two base registers are never written: BUF (the SRAM work buffer) and TAB (the table in
  code memory); every address is one of them plus a bounded offset, or a scratch copy of
  one made just before the access (for writeback), or an index register masked just
  before it is used;
- nothing that holds a code address reaches a data register, the buffer or the stack,
  because code addresses differ between boards and the final state must not;
- branches go forward except the back edge of a loop whose counter only the loop writes;
- UNPREDICTABLE encodings are not drawn (ARMv7-M ARM: writeback onto a transferred
  register, LDRD/UMULL with equal destinations, LDM/STM of one register, SP/PC operands).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

BUF = "r7"      # SRAM work buffer base, never written (low: 16-bit encodings reach it)
TAB = "r6"      # code-memory table base, never written, never used as a value
DATA_REGS = ("r0", "r1", "r2", "r3", "r4", "r5", "r8", "r9", "r10", "r11", "r12")
LOW_REGS = ("r0", "r1", "r2", "r3", "r4", "r5")

# The buffer spans [BUF - BUF_BELOW, BUF + BUF_ABOVE); the offsets below stay inside.
BUF_BELOW = 256
BUF_ABOVE = 768
INDEX_SPAN = 256            # masked index registers: 0..255
WRITEBACK_STARTS = BUF_ABOVE - 264   # a scratch base starts here at most, then moves <= 255+8
TABLE_BYTES = 256           # the table at TAB

# The SCB words read by address (by words only: narrower SCS accesses are UNPREDICTABLE).
SCS_SYMBOLS = ("SCS_CPUID_ADDR", "SCS_AIRCR_ADDR")

CONDITIONS = ("eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le")
INVERSE = {"eq": "ne", "ne": "eq", "cs": "cc", "cc": "cs", "mi": "pl", "pl": "mi", "vs": "vc",
           "vc": "vs", "hi": "ls", "ls": "hi", "ge": "lt", "lt": "ge", "gt": "le", "le": "gt"}

MAX_DEPTH = 2               # nesting of loops, branches and switches
MEMORY_OP_FREE_REGS = 3     # registers a memory op in an IT block may need: data, base, index


@dataclass(frozen=True)
class Op:
    """One instruction that may also run conditionally inside an IT block: `setup` runs
    before it (and before the IT instruction: it must not touch the flags)."""

    mnemonic: str            # without condition: "adds", "ldrb", "ldmia"
    operands: str
    writes: frozenset[str]   # registers the instruction itself writes
    setup: tuple[str, ...] = ()
    uses: frozenset[str] = frozenset()   # registers `setup` prepares for it
    width: str = ""          # ".w" to force the 32-bit encoding
    in_it: bool = True       # False: has no conditional form (16-bit-only MULS)

    def line(self, cond: str = "") -> str:
        return f"{self.mnemonic}{cond}{self.width} {self.operands}"


@dataclass
class Program:
    """A generated program: its body (labels `.Lp_<n>`, made unique per program by the
    batch) and the state it starts from."""

    body: list[str]
    registers: dict[str, int]    # initial r0-r5, r8-r12
    flags: int                   # initial APSR (NZCVQ, GE)
    buffer_seed: int             # xorshift32 seed filling the buffer
    kinds: set[str] = field(default_factory=set)   # grammar productions used

    def _repr_pretty_(self, printer, cycle) -> None:   # hypothesis prints examples with it
        printer.text(repr(self))

    def __repr__(self) -> str:
        regs = ", ".join(f"{r}=0x{v:08x}" for r, v in self.registers.items())
        return (f"Program(flags=0x{self.flags:08x}, buffer_seed=0x{self.buffer_seed:08x}, {regs})\n"
                + "\n".join("    " + line for line in self.body))


class _Context:
    """What the draw so far constrains: registers no instruction may write (loop
    counters), label numbers, nesting depth, and productions used."""

    def __init__(self, draw):
        self.draw = draw
        self.reserved: set[str] = set()
        self.labels = 0
        self.depth = 0
        self.kinds: set[str] = set()

    def label(self) -> str:
        self.labels += 1
        return f".Lp_{self.labels}"

    def reg(self, pool=DATA_REGS, avoid=()) -> str:
        """A register of `pool` that may be written."""
        choices = [r for r in pool if r not in self.reserved and r not in avoid]
        return self.draw(st.sampled_from(choices))

    def any_reg(self, pool=DATA_REGS) -> str:
        """A register to read (loop counters included)."""
        return self.draw(st.sampled_from(pool))

    def one_of(self, *options):
        return self.draw(st.sampled_from(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def boolean(self) -> bool:
        return self.draw(st.booleans())


# -- constants -----------------------------------------------------------------------------


def _modified_immediate(c: _Context) -> int:
    """A constant ThumbExpandImm can encode (ARMv7-M A5.3.2)."""
    b = c.integer(0, 255)
    kind = c.one_of("byte", "00XY00XY", "XY00XY00", "XYXYXYXY", "shifted")
    if kind == "byte":
        return b
    if kind == "00XY00XY":
        return b | b << 16
    if kind == "XY00XY00":
        return b << 8 | b << 24
    if kind == "XYXYXYXY":
        return b * 0x01010101
    return (0x80 | b) << c.integer(1, 24)


def _word(c: _Context) -> int:
    return c.draw(interesting_words)


interesting_words = st.one_of(
    st.sampled_from([0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
                     0x80000001, 0xFFFFFFFE, 0xFFFFFFFF]),
    st.integers(0, 0xFF),
    st.integers(0, 0xFFFFFFFF),
)


# -- ALU -----------------------------------------------------------------------------------


def _s(c: _Context) -> str:
    return "s" if c.boolean() else ""


def _shifted_operand(c: _Context) -> str:
    rm = c.any_reg()
    shift = c.one_of("", "lsl", "lsr", "asr", "ror", "rrx")
    if shift == "":
        return rm
    if shift == "rrx":
        return f"{rm}, rrx"
    amount = c.integer(1, 31) if shift in ("lsl", "ror") else c.integer(1, 32)
    return f"{rm}, {shift} #{amount}"


def alu_op(c: _Context) -> Op:
    kind = c.one_of("arith", "arith_imm", "logic_imm", "addw", "move", "shift", "multiply",
                    "long_multiply", "bits", "extend", "bitfield", "saturate", "divide", "dsp",
                    "narrow")
    c.kinds.add(f"alu.{kind}")
    rd = c.reg()
    w = frozenset({rd})
    if kind == "arith":
        op = c.one_of("add", "sub", "adc", "sbc", "and", "orr", "eor", "bic", "orn", "rsb")
        return Op(op + _s(c), f"{rd}, {c.any_reg()}, {_shifted_operand(c)}", w)
    if kind == "arith_imm":
        op = c.one_of("add", "sub", "adc", "sbc", "rsb", "negate")
        if op == "negate":
            return Op("rsb" + _s(c), f"{rd}, {c.any_reg()}, #0", w)
        return Op(op + _s(c), f"{rd}, {c.any_reg()}, #{_modified_immediate(c)}", w)
    if kind == "logic_imm":
        op = c.one_of("and", "orr", "eor", "bic", "orn")
        return Op(op + _s(c), f"{rd}, {c.any_reg()}, #{_modified_immediate(c)}", w)
    if kind == "addw":
        return Op(c.one_of("addw", "subw"), f"{rd}, {c.any_reg()}, #{c.integer(0, 4095)}", w)
    if kind == "move":
        form = c.one_of("mov", "mvn", "movw", "movt", "movimm", "mvnimm")
        if form in ("mov", "mvn"):
            return Op(form + _s(c), f"{rd}, {_shifted_operand(c) if form == 'mvn' else c.any_reg()}", w)
        if form in ("movw", "movt"):
            return Op(form, f"{rd}, #{c.integer(0, 0xFFFF)}", w)
        return Op(("mov" if form == "movimm" else "mvn") + _s(c), f"{rd}, #{_modified_immediate(c)}", w)
    if kind == "shift":
        op = c.one_of("lsl", "lsr", "asr", "ror")
        if c.boolean():
            lo, hi = (1, 31) if op in ("lsl", "ror") else (1, 32)
            return Op(op + _s(c), f"{rd}, {c.any_reg()}, #{c.integer(lo, hi)}", w)
        # by register: the amount is the low byte of rm (32 and above included)
        return Op(op + _s(c), f"{rd}, {c.any_reg()}, {c.any_reg()}", w)
    if kind == "multiply":
        op = c.one_of("mul", "mla", "mls")
        if op == "mul":
            return Op("mul", f"{rd}, {c.any_reg()}, {c.any_reg()}", w)
        return Op(op, f"{rd}, {c.any_reg()}, {c.any_reg()}, {c.any_reg()}", w)
    if kind == "long_multiply":
        hi = c.reg(avoid=(rd,))
        op = c.one_of("umull", "smull", "umlal", "smlal")
        return Op(op, f"{rd}, {hi}, {c.any_reg()}, {c.any_reg()}", frozenset({rd, hi}))
    if kind == "bits":
        return Op(c.one_of("clz", "rbit", "rev", "rev16", "revsh"), f"{rd}, {c.any_reg()}", w)
    if kind == "extend":
        op = c.one_of("uxtb", "uxth", "sxtb", "sxth")
        rot = c.one_of("", ", ror #8", ", ror #16", ", ror #24")
        if c.boolean():      # the accumulating forms (DSP)
            return Op(op.replace("xt", "xta"), f"{rd}, {c.any_reg()}, {c.any_reg()}{rot}", w)
        return Op(op, f"{rd}, {c.any_reg()}{rot}", w)
    if kind == "bitfield":
        op = c.one_of("ubfx", "sbfx", "bfi", "bfc")
        lsb = c.integer(0, 31)
        width = c.integer(1, 32 - lsb)
        if op == "bfc":
            return Op(op, f"{rd}, #{lsb}, #{width}", w)
        return Op(op, f"{rd}, {c.any_reg()}, #{lsb}, #{width}", w)
    if kind == "saturate":
        op = c.one_of("ssat", "usat", "ssat16", "usat16")
        if op.endswith("16"):
            sat = c.integer(1, 16) if op == "ssat16" else c.integer(0, 15)
            return Op(op, f"{rd}, #{sat}, {c.any_reg()}", w)
        sat = c.integer(1, 32) if op == "ssat" else c.integer(0, 31)
        shift = c.one_of("", f", lsl #{c.integer(1, 31)}", f", asr #{c.integer(1, 31)}")
        return Op(op, f"{rd}, #{sat}, {c.any_reg()}{shift}", w)
    if kind == "divide":
        # zero divisors included: Cortex-M4 returns 0 while CCR.DIV_0_TRP is clear
        return Op(c.one_of("udiv", "sdiv"), f"{rd}, {c.any_reg()}, {c.any_reg()}", w)
    if kind == "dsp":
        op = c.one_of("uadd8", "usub8", "sadd8", "ssub8", "uadd16", "sadd16", "usub16", "ssub16",
                      "uasx", "sasx", "sel", "qadd", "qsub", "qadd8", "uqadd8", "uqsub16", "shadd8",
                      "smulbb", "smultb", "smlabb", "smlad", "smuad", "smmul", "usad8", "pkhbt",
                      "usada8")
        if op in ("smlabb", "smlad", "usada8"):
            return Op(op, f"{rd}, {c.any_reg()}, {c.any_reg()}, {c.any_reg()}", w)
        if op == "pkhbt":
            return Op(op, f"{rd}, {c.any_reg()}, {c.any_reg()}, lsl #{c.integer(0, 31)}", w)
        return Op(op, f"{rd}, {c.any_reg()}, {c.any_reg()}", w)
    # narrow: the 16-bit encodings gcc prefers (two-operand, low registers)
    rd = c.reg(LOW_REGS)
    w = frozenset({rd})
    form = c.one_of("two", "imm8", "imm3", "muls", "neg", "mov")
    if form == "two":
        op = c.one_of("adds", "subs", "ands", "orrs", "eors", "bics", "adcs", "sbcs", "lsls",
                      "lsrs", "asrs", "rors", "mvns")
        return Op(op, f"{rd}, {c.any_reg(LOW_REGS)}", w)
    if form == "imm8":
        return Op(c.one_of("adds", "subs", "movs"), f"{rd}, #{c.integer(0, 255)}", w)
    if form == "imm3":
        return Op(c.one_of("adds", "subs"), f"{rd}, {c.any_reg(LOW_REGS)}, #{c.integer(0, 7)}", w)
    if form == "muls":
        # 16-bit MULS only: inside an IT block it would be MUL, so it stays outside
        return Op("muls", f"{rd}, {c.any_reg(LOW_REGS)}, {rd}", w, in_it=False)
    if form == "neg":
        return Op("negs", f"{rd}, {c.any_reg(LOW_REGS)}", w)
    return Op("movs", f"{rd}, {c.any_reg(LOW_REGS)}", w)


def compare(c: _Context) -> str:
    c.kinds.add("compare")
    op = c.one_of("cmp", "cmn", "tst", "teq")
    rn = c.any_reg()
    if c.boolean():
        return f"{op} {rn}, #{_modified_immediate(c)}"
    if op in ("cmp", "cmn") and c.boolean():
        return f"{op} {rn}, {c.any_reg()}"
    return f"{op} {rn}, {_shifted_operand(c)}"


# -- memory --------------------------------------------------------------------------------

LOADS = {"ldr": 4, "ldrh": 2, "ldrsh": 2, "ldrb": 1, "ldrsb": 1}
STORES = {"str": 4, "strh": 2, "strb": 1}


def _aligned(c: _Context, lo: int, hi: int, size: int) -> int:
    return c.integer(-(-lo // size), hi // size) * size


def memory_op(c: _Context, avoid=frozenset()) -> Op:
    """A load or store; `avoid`: registers it must not prepare (an IT block's others')."""
    kind = c.one_of("buffer", "buffer", "table", "literal", "pair", "multiple", "scs")
    c.kinds.add(f"mem.{kind}")
    if kind == "literal":
        rt = c.reg()
        return Op("ldr", f"{rt}, ={_word(c)}", frozenset({rt}))
    if kind == "scs":
        base = c.reg(avoid=avoid)
        rt = c.reg()
        offset = c.one_of(0, "AIRCR")
        if offset == "AIRCR":   # from the CPUID address: a base plus an offset, as gcc does
            return Op("ldr", f"{rt}, [{base}, #(SCS_AIRCR_ADDR - SCS_CPUID_ADDR)]", frozenset({rt}),
                      setup=(f"ldr {base}, =SCS_CPUID_ADDR",), uses=frozenset({base}))
        return Op("ldr", f"{rt}, [{base}]", frozenset({rt}),
                  setup=(f"ldr {base}, ={c.one_of(*SCS_SYMBOLS)}",), uses=frozenset({base}))
    if kind == "pair":
        return _pair(c, avoid)
    if kind == "multiple":
        return _multiple(c, avoid)
    store = kind == "buffer" and c.boolean()
    mnemonic, size = c.one_of(*(STORES if store else LOADS).items())
    base = BUF if kind == "buffer" else TAB
    rt = c.any_reg() if store else c.reg()
    writes = frozenset() if store else frozenset({rt})
    address = c.one_of("immediate", "register", "writeback") if kind == "buffer" else \
        c.one_of("immediate", "register")
    width = c.one_of("", ".w")
    if address == "immediate":
        lo, hi = (-BUF_BELOW + 1, BUF_ABOVE - size) if kind == "buffer" else (0, TABLE_BYTES - size)
        lo = max(lo, -255)                    # the negative form (T4) has 8 bits
        offset = _aligned(c, lo, hi, size)
        return Op(mnemonic, f"{rt}, [{base}, #{offset}]", writes, width=width)
    if address == "register":
        index = c.reg(avoid=avoid | {rt})
        shift = c.integer(0, 3)
        scaled = INDEX_SPAN >> shift
        mask = (scaled - 1) & ~((size - 1) >> shift)     # in the span, aligned
        source = c.any_reg()
        setup = (f"and {index}, {source}, #{mask}",)
        operand = f"[{base}, {index}, lsl #{shift}]" if shift else f"[{base}, {index}]"
        return Op(mnemonic, f"{rt}, {operand}", writes, setup=setup, uses=frozenset({index}), width=width)
    # writeback on a scratch copy of the base: pre-indexed [rn, #imm]! or post-indexed [rn], #imm
    scratch = c.reg(avoid=avoid | {rt})
    start = _aligned(c, 0, WRITEBACK_STARTS, 4)
    step = _aligned(c, -255, 255, size)
    setup = (f"add {scratch}, {BUF}, #{start}",)
    operand = f"[{scratch}, #{step}]!" if c.boolean() else f"[{scratch}], #{step}"
    return Op(mnemonic, f"{rt}, {operand}", writes | {scratch}, setup=setup, uses=frozenset({scratch}))


def _pair(c: _Context, avoid) -> Op:
    store = c.boolean()
    rt = c.any_reg() if store else c.reg()
    rt2 = c.any_reg() if store else c.reg(avoid=(rt,))
    writes = frozenset() if store else frozenset({rt, rt2})
    mnemonic = "strd" if store else "ldrd"
    form = c.one_of("buffer", "writeback") if store else c.one_of("buffer", "table", "writeback")
    if form == "table":
        return Op(mnemonic, f"{rt}, {rt2}, [{TAB}, #{_aligned(c, 0, TABLE_BYTES - 8, 4)}]", writes)
    if form == "buffer":
        return Op(mnemonic, f"{rt}, {rt2}, [{BUF}, #{_aligned(c, -BUF_BELOW, BUF_ABOVE - 8, 4)}]", writes)
    scratch = c.reg(avoid=avoid | {rt, rt2})
    step = _aligned(c, -252, 252, 4)
    operand = f"[{scratch}, #{step}]!" if c.boolean() else f"[{scratch}], #{step}"
    return Op(mnemonic, f"{rt}, {rt2}, {operand}", writes | {scratch},
              setup=(f"add {scratch}, {BUF}, #{_aligned(c, 0, WRITEBACK_STARTS, 4)}",), uses=frozenset({scratch}))


def _register_list(c: _Context, pool, count: int) -> list[str]:
    chosen = c.draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count, unique=True))
    return sorted(chosen, key=lambda r: int(r[1:]))


def _multiple(c: _Context, avoid) -> Op:
    store = c.boolean()
    scratch = c.reg(avoid=avoid)
    pool = [r for r in DATA_REGS if r != scratch and (store or r not in c.reserved)]
    count = c.integer(2, min(6, len(pool)))
    regs = _register_list(c, pool, count)
    mnemonic = c.one_of("stmia", "stmdb") if store else c.one_of("ldmia", "ldmdb")
    writeback = c.boolean()
    # descending forms start at the top of the block
    start = _aligned(c, 4 * count, BUF_ABOVE - 4, 4) if mnemonic.endswith("db") else \
        _aligned(c, -BUF_BELOW, BUF_ABOVE - 4 * count, 4)
    setup = (f"{'sub' if start < 0 else 'add'} {scratch}, {BUF}, #{abs(start)}",)
    writes = (frozenset() if store else frozenset(regs)) | ({scratch} if writeback else set())
    return Op(mnemonic, f"{scratch}{'!' if writeback else ''}, {{{', '.join(regs)}}}", frozenset(writes),
              setup=setup, uses=frozenset({scratch}))


# -- blocks --------------------------------------------------------------------------------


def simple(c: _Context) -> list[str]:
    """An ALU op, a memory op, or a compare, outside any IT block."""
    choice = c.one_of("alu", "alu", "alu", "memory", "memory", "compare")
    if choice == "compare":
        return [compare(c)]
    op = alu_op(c) if choice == "alu" else memory_op(c)
    return [*op.setup, op.line()]


def it_block(c: _Context, branch_target: str | None = None) -> list[str]:
    """[setups] [compare] IT<mask> cond; 1-4 conditional ALU/memory ops; optionally a
    conditional branch last (to `branch_target`)."""
    c.kinds.add("it")
    count = c.integer(1, 4)
    first = c.one_of(*CONDITIONS)
    conds = [first] + [c.one_of(first, INVERSE[first]) for _ in range(count - 1)]
    ops: list[Op] = []
    # a setup must not overwrite what an earlier setup prepared, nor prepare a register an
    # earlier instruction of the block writes
    taken: set[str] = set()
    for _ in range(count - (1 if branch_target else 0)):
        free = [r for r in DATA_REGS if r not in taken and r not in c.reserved]
        # a memory op may need a scratch base and an index: only with registers to spare
        memory = len(free) >= MEMORY_OP_FREE_REGS and c.integer(0, 2) == 0
        op = memory_op(c, avoid=frozenset(taken)) if memory else alu_op(c)
        if not op.in_it:        # 16-bit MULS is MUL inside an IT block
            op = Op("mul", op.operands, op.writes)
        ops.append(op)
        taken |= op.uses | op.writes
    lines = [line for op in ops for line in op.setup]
    if c.boolean():
        lines.append(compare(c))
    mask = "".join("t" if cond == first else "e" for cond in conds[1:])
    lines.append(f"it{mask} {first}")
    lines += [op.line(cond) for op, cond in zip(ops, conds)]
    if branch_target:
        c.kinds.add("it.branch")
        lines.append(f"b{conds[-1]} {branch_target}")
    return lines


def forward_branch(c: _Context) -> list[str]:
    c.kinds.add("branch")
    skip = c.label()
    form = c.one_of("it_branch", "bcond", "it_branch", "cbz")
    if form == "cbz":
        # CBZ/CBNZ reach 126 bytes forward: a short body of ALU ops
        c.kinds.add("cbz")
        body = [alu_op(c).line() for _ in range(c.integer(1, 4))]   # 1 at least: no zero offset
        return [f"{c.one_of('cbz', 'cbnz')} {c.any_reg(LOW_REGS)}, {skip}", *body, f"{skip}:"]
    head = it_block(c, branch_target=skip) if form == "it_branch" else \
        [compare(c), f"b{c.one_of(*CONDITIONS)}{c.one_of('', '.w')} {skip}"]
    return [*head, *block(c), f"{skip}:"]


def loop(c: _Context) -> list[str]:
    """A counted loop: the counter is reserved for its body, which runs 1-6 times."""
    c.kinds.add("loop")
    counter = c.reg()
    top = c.label()
    c.reserved.add(counter)
    body = block(c)
    c.reserved.discard(counter)
    return [f"movs {counter}, #{c.integer(1, 6)}" if counter in LOW_REGS else f"mov {counter}, #{c.integer(1, 6)}",
            f"{top}:", *body, f"subs {counter}, {counter}, #1", f"bne {top}"]


def switch(c: _Context) -> list[str]:
    """A dense switch as gcc compiles it: bounds check, TBB/TBH, cases that break."""
    c.kinds.add("switch")
    cases = c.integer(2, 6)
    index = c.reg()
    wide = c.boolean()
    table, default, end = c.label(), c.label(), c.label()
    labels = [c.label() for _ in range(cases)]
    lines = [f"and {index}, {c.any_reg()}, #7", f"cmp {index}, #{cases - 1}", f"bhi {default}",
             f"tbh [pc, {index}, lsl #1]" if wide else f"tbb [pc, {index}]", f"{table}:"]
    entry = ".hword" if wide else ".byte"
    lines += [f"{entry} ({label} - {table}) / 2" for label in labels]
    lines.append(".align 1")
    depth, c.depth = c.depth, MAX_DEPTH   # flat cases: TBB reaches 510 bytes
    for label in labels:
        lines += [f"{label}:", *block(c, max_items=3), f"b {end}"]
    lines += [f"{default}:", *block(c, max_items=2), f"{end}:"]
    c.depth = depth
    return lines


def push_pop(c: _Context) -> list[str]:
    """PUSH a list, work, POP as many registers (possibly others: values move)."""
    c.kinds.add("stack")
    count = c.integer(1, 5)
    pushed = _register_list(c, DATA_REGS, count)
    writable = [r for r in DATA_REGS if r not in c.reserved]
    popped = _register_list(c, writable, min(count, len(writable)))
    if len(popped) != count:
        return []
    body = [line for _ in range(c.integer(0, 3)) for line in simple(c)]
    return [f"push {{{', '.join(pushed)}}}", *body, f"pop {{{', '.join(popped)}}}"]


def item(c: _Context) -> list[str]:
    nested = ["loop", "branch", "switch"] if c.depth < MAX_DEPTH else []
    choice = c.draw(st.sampled_from(["simple"] * 4 + ["it"] * 3 + ["stack"] + nested))
    if choice == "simple":
        return simple(c)
    if choice == "it":
        return it_block(c)
    if choice == "stack":
        return push_pop(c)
    c.depth += 1
    try:
        return {"loop": loop, "branch": forward_branch, "switch": switch}[choice](c)
    finally:
        c.depth -= 1


def block(c: _Context, max_items: int = 5) -> list[str]:
    return [line for _ in range(c.integer(1, max_items)) for line in item(c)]


@st.composite
def programs(draw, max_items: int = 12) -> Program:
    c = _Context(draw)
    registers = {r: draw(interesting_words) for r in DATA_REGS}
    flags = draw(st.integers(0, 31)) << 27 | draw(st.integers(0, 15)) << 16
    seed = draw(st.integers(1, 0xFFFFFFFF))
    body = block(c, max_items=max_items)
    return Program(body, registers, flags, seed, c.kinds)
