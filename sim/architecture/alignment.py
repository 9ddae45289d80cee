"""Accesses that must be aligned whatever CCR.UNALIGN_TRP says (ARMv7-M A3.2.1): LDM/STM
and LDRD/STRD need word alignment, LDREX/STREX word, LDREXH/STREXH halfword. A misaligned
one raises UsageFault UNALIGNED before it accesses memory. Unicorn does not check this, so
the instructions that can fault get a native hook (cyclehook.c, tcs_align_hook) that
compares the address they would access with their alignment.

SP-based forms (PUSH/POP, LDM/LDRD on SP) are left out: SP[1:0] are always zero on
ARMv7-M (B1.4.1), so they cannot be misaligned; neither can PC-relative (literal) forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.decode import Insn
from ..engine.timing import COND_ALWAYS, CONDITION_CODES

WORD, HALFWORD = 3, 1   # address bits that must be zero
_MULTIPLE_ASCENDING = frozenset({"ldm", "stm"})
_MULTIPLE_DESCENDING = frozenset({"ldmdb", "stmdb"})
_SINGLE = {"ldrd": WORD, "strd": WORD, "ldrex": WORD, "strex": WORD, "ldrexh": HALFWORD, "strexh": HALFWORD}
_NEVER_MISALIGNED_BASES = frozenset({"sp", "pc"})


@dataclass(frozen=True, slots=True)
class AlignmentCheck:
    address: int     # of the instruction
    cond: int        # condition code; COND_ALWAYS when unconditional
    base: str        # base register
    offset: int      # the lowest address accessed is base + offset
    mask: int        # address bits that must be zero

    def describe(self, insn: Insn, base_value: int) -> str:
        what = "word" if self.mask == WORD else "halfword"
        ea = (base_value + self.offset) & 0xFFFFFFFF
        return f"unaligned {insn.text} at address {ea:#010x} ({what} alignment required)"


def alignment_checks(insns: list[Insn]) -> list[AlignmentCheck]:
    checks = []
    for insn in insns:
        check = _check(insn)
        if check is not None:
            checks.append(check)
    return checks


def _check(insn: Insn) -> AlignmentCheck | None:
    m = insn.mnemonic
    cond = CONDITION_CODES[insn.condition] if insn.condition else COND_ALWAYS
    if m in _MULTIPLE_ASCENDING or m in _MULTIPLE_DESCENDING:
        if insn.list_base in _NEVER_MISALIGNED_BASES:
            return None
        offset = -4 * insn.reg_list if m in _MULTIPLE_DESCENDING else 0
        return AlignmentCheck(insn.address, cond, insn.list_base, offset, WORD)
    if m in _SINGLE and insn.mem is not None and insn.mem.base not in _NEVER_MISALIGNED_BASES:
        offset = 0 if insn.mem.post_indexed else insn.mem.disp
        return AlignmentCheck(insn.address, cond, insn.mem.base, offset, _SINGLE[m])
    return None
