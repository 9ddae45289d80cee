"""The block decoder (decode.py) parses capstone's light disassembly text for speed; the
facts it extracts must match capstone's detailed decode. Checked over every function of
the test firmware (which links newlib: printf, memcpy, division helpers, ...)."""

from __future__ import annotations

import capstone
import pytest
from capstone import arm
from elftools.elf.elffile import ELFFile

from tlscosim.sim.engine.decode import decode_one

from simtest import load

CONDITIONAL_WITHOUT_CC = ("cbz", "cbnz")       # compare-and-branch: conditional, cc is AL
LIST_INSNS = ("push", "pop", "ldm", "ldmdb", "ldmia", "stm", "stmdb", "stmia")
FLOW_GROUPS = (capstone.CS_GRP_JUMP, capstone.CS_GRP_CALL, capstone.CS_GRP_RET)
REPORT_AT_MOST = 20
ALIASES = {"sb": "r9", "sl": "r10", "fp": "r11", "ip": "r12"}   # capstone's names of r9-r12


def detailed() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    return md


def function_code(sim, elf):
    """(name, address, bytes) of every function of the image, as loaded."""
    with open(elf, "rb") as fh:
        symbols = list(ELFFile(fh).get_section_by_name(".symtab").iter_symbols())
    for sym in symbols:
        if sym["st_info"]["type"] == "STT_FUNC" and sym["st_size"]:
            address = sym["st_value"] & ~1
            yield sym.name, address, sim.cpu.read_memory(address, sym["st_size"])


def reg(insn, number) -> str:
    name = insn.reg_name(number)
    return ALIASES.get(name, name)


def truth(insn) -> dict:
    """What capstone's detailed decode says about one instruction."""
    name = insn.mnemonic.split(".")[0]
    regs = [reg(insn, op.reg) for op in insn.operands if op.type == arm.ARM_OP_REG]
    mems = [op for op in insn.operands if op.type == arm.ARM_OP_MEM]
    _read, written = insn.regs_access()
    facts = {
        "writes_pc": "pc" in {reg(insn, r) for r in written} or any(insn.group(g) for g in FLOW_GROUPS),
    }
    if not (name.startswith("it") and set(name[2:]) <= {"t", "e"}):   # IT itself is not conditional
        facts["conditional"] = insn.cc not in (arm.ARM_CC_AL, arm.ARM_CC_INVALID) or name in CONDITIONAL_WITHOUT_CC
    if mems:
        mem = mems[0]
        facts["mem"] = (reg(insn, mem.mem.base), reg(insn, mem.mem.index) if mem.mem.index else None,
                        mem.mem.disp, mem.shift.value if mem.mem.index else 0, bool(mem.subtracted),
                        bool(insn.post_index))
    if any(name.startswith(p) for p in LIST_INSNS) and not mems:
        has_base = not name.startswith(("push", "pop"))
        facts["reg_list"] = len(regs) - int(has_base)
    if insn.group(capstone.arm.ARM_GRP_BRANCH_RELATIVE):
        facts["target"] = [op.imm for op in insn.operands if op.type == arm.ARM_OP_IMM][-1] & 0xFFFFFFFF
    return facts


def decoded(insn) -> dict:
    """The same facts from the simulator's decoder."""
    got = decode_one(insn.address, insn.size, insn.mnemonic, insn.op_str)
    facts = {"writes_pc": got.writes_pc, "conditional": got.conditional, "reg_list": got.reg_list,
             "target": got.target}
    if got.mem is not None:
        m = got.mem
        facts["mem"] = (m.base, m.index, m.disp, m.lshift, m.subtracted, m.post_indexed)
    return facts


@pytest.mark.parametrize("app", ["exceptions", "faults"])
def test_decoded_facts_match_capstone_detail(test_elfs, app):
    sim = load(test_elfs[app])
    md = detailed()
    mismatches, checked = [], 0
    for name, address, code in function_code(sim, test_elfs[app]):
        for insn in md.disasm(code, address):
            want, got = truth(insn), decoded(insn)
            for key, value in want.items():
                if got.get(key) != value:
                    mismatches.append(f"{insn.address:#x} {name}: {insn.mnemonic} {insn.op_str}: "
                                      f"{key} decoded {got.get(key)!r}, capstone {value!r}")
            checked += 1
    assert checked > 10_000, "the images hold enough code to be a real check"
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:REPORT_AT_MOST])
