"""Decodes translated blocks once into the facts the timing model and the access
locator need: sizes, base mnemonics, conditions, memory operands, register lists, PC
writes and direct branch targets.

Capstone's light disassembly (mnemonic and operand text) is used and the operand text is
parsed here: it is about 15x faster than capstone's detailed mode in Python, which
matters because every new block is decoded while the firmware waits. tests/sim checks
these facts against capstone's detailed decode over whole firmware images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import capstone

CONDITIONS = frozenset("eq ne cs hs cc lo mi pl vs vc hi ls ge lt gt le".split())
REGISTER_ALIASES = {"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12"}
BRANCHES = frozenset({"b", "bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh"})
DIRECT_BRANCHES = frozenset({"b", "bl", "cbz", "cbnz"})
# Instructions whose first operand is read, not written (PC as first operand is no jump).
NO_DESTINATION = frozenset({"cmp", "cmn", "tst", "teq", "str", "strb", "strh", "strd", "strt",
                            "strbt", "strht", "push", "stm", "stmdb", "msr", "it"})
LOADS = ("ldr", "ldm", "pop", "tbb", "tbh", "lda", "vldr", "vldm", "vpop")
STORES = ("str", "stm", "push", "stl", "vstr", "vstm", "vpush")
# Every FPv4-SP instruction is a coprocessor (CP10/CP11) instruction whose capstone name
# starts with "v" (the M4 has no other V* instructions: no NEON, no MVE).
FP_PREFIX = "v"

_MEM_RE = re.compile(r"\[(?P<base>\w+)(?:,\s*(?P<second>[^\]]+?))?\](?P<wb>!)?(?:,\s*(?P<post>.+))?$")
_IMM_RE = re.compile(r"#(-?(?:0x[0-9a-f]+|\d+))")


@dataclass(frozen=True, slots=True)
class MemOperand:
    base: str            # register name, r0..r12, sp, lr, pc
    index: str | None
    disp: int
    lshift: int
    subtracted: bool     # register index subtracted ([rn, -rm])
    post_indexed: bool


@dataclass(frozen=True, slots=True)
class Insn:
    address: int
    size: int
    mnemonic: str        # base name: no condition, no width suffix (flag-setting 's' kept)
    text: str            # as disassembled, for reports
    conditional: bool    # has a condition (Bcc, CBZ/CBNZ, or inside an IT block)
    condition: str | None  # the condition suffix ("eq", ...) when it has one
    mem: MemOperand | None
    reg_list: int        # registers transferred by LDM/STM/PUSH/POP, else 0
    list_base: str | None  # base register of LDM/STM, "sp" for PUSH/POP
    writes_pc: bool
    target: int | None   # direct branch target
    loaded: tuple[str, ...]  # registers a load writes from memory
    fp: bool = False     # an FPU (CP10/CP11) instruction: NOCP when the FPU is off

    @property
    def is_load(self) -> bool:
        return self.mnemonic.startswith(LOADS)

    @property
    def is_store(self) -> bool:
        return self.mnemonic.startswith(STORES)


class DecodeError(Exception):
    pass


@lru_cache(maxsize=1)
def _disassembler() -> capstone.Cs:
    return capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)


@lru_cache(maxsize=1)
def _base_names() -> frozenset[str]:
    md = _disassembler()
    names = {md.insn_name(i) for i in range(1, capstone.arm.ARM_INS_ENDING)}
    names.discard(None)
    # Flag-setting forms, except for branches, where "bl"+"s" would hide "b"+"ls".
    return frozenset(names | {n + "s" for n in names if n not in BRANCHES})


def split_mnemonic(mnemonic: str) -> tuple[str, str | None]:
    """("popne.w") -> ("pop", "ne"): base name and its condition suffix, if any."""
    m = mnemonic.split(".")[0]
    if m.startswith("it") and set(m[2:]) <= {"t", "e"}:
        return "it", None
    names = _base_names()
    if m not in names and m[-2:] in CONDITIONS and m[:-2] in names:
        return m[:-2], m[-2:]
    return m, None


# What the decoder makes of an instruction it cannot decode (see decode_block).
UNKNOWN = ".unknown"


def decode_block(code: bytes, address: int) -> list[Insn]:
    """All instructions of a block. Bytes the disassembler cannot decode become UNKNOWN
    instructions (their size from the Thumb-2 encoding rule) and decoding goes on after
    them: the engine decides what they are (an undefined instruction faults there, as
    on hardware; one it runs is a gap of the decoder, reported by the run)."""
    insns: list[Insn] = []
    offset = 0
    while offset < len(code):
        start = address + offset
        for a, s, mn, ops in _disassembler().disasm_lite(code[offset:], start):
            try:
                insns.append(decode_one(a, s, mn, ops))
            except DecodeError:
                insns.append(unknown_insn(a, code[a - address:a - address + s]))
        end = insns[-1].address + insns[-1].size if insns else address
        if end >= address + len(code):
            break
        halfword = int.from_bytes(code[end - address:end - address + 2].ljust(2, b"\0"), "little")
        size = 4 if halfword >> 11 in (0b11101, 0b11110, 0b11111) else 2   # ARMv7-M A5.1
        insns.append(unknown_insn(end, code[end - address:end - address + size]))
        offset = end - address + size
    return insns


def unknown_insn(address: int, raw: bytes) -> Insn:
    return Insn(address=address, size=len(raw), mnemonic=UNKNOWN, text=f"{UNKNOWN} {raw.hex()}",
                conditional=False, condition=None, mem=None, reg_list=0, list_base=None,
                writes_pc=False, target=None, loaded=())


def operand_registers(insn: Insn) -> list[str]:
    """The register operands of a data-processing instruction, in order."""
    ops = insn.text.split(None, 1)[1] if " " in insn.text else ""
    return [_reg(op) for op in ops.split(",") if op.strip() and not op.strip().startswith("#")]


def _reg(name: str) -> str:
    name = name.strip()
    return REGISTER_ALIASES.get(name, name)


def _parse_int(text: str) -> int:
    return int(text, 16) if text.lstrip("-").startswith("0x") else int(text)


def decode_one(address: int, size: int, mnemonic: str, op_str: str) -> Insn:
    base, condition = split_mnemonic(mnemonic)
    conditional = condition is not None or base in ("cbz", "cbnz")
    ops = op_str.strip()
    mem = None
    reg_list, list_base = 0, None
    loaded: tuple[str, ...] = ()
    writes_pc = base in BRANCHES
    target = None
    if "{" in ops:
        head, _, rest = ops.partition("{")
        regs = [_reg(r) for r in rest.rstrip("}").split(",") if r.strip()]
        reg_list = len(regs)
        list_base = _reg(head.rstrip(" ,!")) if head.strip() else "sp"
        if base.startswith(("ldm", "pop")):
            loaded = tuple(regs)
            writes_pc = writes_pc or "pc" in regs
    elif "[" in ops:
        before, _, rest = ops.partition("[")
        mem = _memory_operand("[" + rest)
        dests = [_reg(r) for r in before.split(",") if r.strip()]
        if base.startswith("ldr") or base.startswith("lda"):
            loaded = tuple(dests)
            writes_pc = writes_pc or "pc" in dests
    else:
        first = ops.split(",")[0].strip()
        if _reg(first) == "pc" and base not in NO_DESTINATION:
            writes_pc = True
    if base in DIRECT_BRANCHES:
        imm = _IMM_RE.findall(ops)
        if imm:
            target = _parse_int(imm[-1])
    return Insn(address=address, size=size, mnemonic=base, text=f"{mnemonic} {op_str}".strip(),
                conditional=conditional, condition=condition, mem=mem, reg_list=reg_list, list_base=list_base,
                writes_pc=writes_pc, target=target, loaded=loaded, fp=base.startswith(FP_PREFIX))


def _memory_operand(text: str) -> MemOperand:
    match = _MEM_RE.match(text.strip())
    if not match:
        raise DecodeError(f"cannot parse memory operand {text!r}")
    base = _reg(match["base"])
    index, disp, lshift, subtracted = None, 0, 0, False
    post = match["post"]
    if match["second"]:
        parts = [p.strip() for p in match["second"].split(",")]
        if parts[0].startswith("#"):
            disp = _parse_int(parts[0][1:])
        else:
            subtracted = parts[0].startswith("-")
            index = _reg(parts[0].lstrip("-"))
            if len(parts) > 1 and parts[1].startswith("lsl"):
                lshift = _parse_int(parts[1].split("#")[1])
    return MemOperand(base=base, index=index, disp=disp, lshift=lshift, subtracted=subtracted,
                      post_indexed=post is not None)


def control_flow(insns: list[Insn]) -> int:
    """How the block's last instruction moves the call stack (native.Flow)."""
    from .native import Flow

    last = insns[-1] if insns else None
    if last is None or not last.writes_pc:
        return Flow.NONE
    if last.mnemonic in ("bl", "blx"):
        return Flow.CALL
    ops = last.text.split(None, 1)[1] if " " in last.text else ""
    if last.mnemonic == "bx" and ops.strip() == "lr":
        return Flow.RETURN
    if last.mnemonic == "pop" or (last.reg_list and last.list_base == "sp" and last.mnemonic.startswith("ldm")):
        return Flow.RETURN
    if last.mnemonic == "ldr" and last.mem is not None and last.mem.base == "sp" and "pc" in last.loaded:
        return Flow.RETURN
    return Flow.NONE
