"""System Control Space registers (peripherals/scs.py) on a real board: the NVIC arrays,
the software trigger, ICSR, VTOR, AIRCR, SCR, CCR, SHPR, SHCSR, the fault status and
address registers, DEMCR and the identification registers (ARMv7-M B3.2, B3.4)."""

from __future__ import annotations

import pytest

from tlscosim.sim.architecture.nvic import Exc


# ARMv7-M B3.2.6: AIRCR writes need this key; reads return its complement.
AIRCR_VECTKEY_WRITE = 0x05FA
AIRCR_VECTKEYSTAT = 0xFA05


@pytest.fixture
def nvic(board):
    return board.core.nvic


@pytest.fixture
def lines(board_desc):
    """Two interrupt lines of the board: the first timer's and the last line."""
    return board_desc.peripheral("timer0").irq, board_desc.cpu.nvic_irq_lines - 1


def priority_mask(board_desc) -> int:
    bits = board_desc.cpu.nvic_priority_bits
    return (0xFF << (8 - bits)) & 0xFF


def aircr(scs, prigroup=0, *, key=AIRCR_VECTKEY_WRITE, reset=False) -> int:
    value = scs.prep("AIRCR", "VECTKEY", key) | scs.prep("AIRCR", "PRIGROUP", prigroup)
    return value | (scs.mask("AIRCR", "SYSRESETREQ") if reset else 0)


# -- NVIC --------------------------------------------------------------------------------


def test_iser_icer_enable_and_disable_lines(scs, nvic, lines):
    a, b = lines
    scs.write("NVIC_ISER", (1 << a) | (1 << b))
    assert nvic.enabled[Exc.IRQ0 + a] and nvic.enabled[Exc.IRQ0 + b]
    assert scs.read("NVIC_ISER") == scs.read("NVIC_ICER") == (1 << a) | (1 << b)
    scs.write("NVIC_ICER", 1 << a)
    assert not nvic.enabled[Exc.IRQ0 + a] and nvic.enabled[Exc.IRQ0 + b]
    assert scs.read("NVIC_ISER") == 1 << b
    scs.write("NVIC_ISER", 0)
    assert scs.read("NVIC_ISER") == 1 << b, "writing 0 bits changes nothing"


def test_lines_beyond_the_implemented_ones_are_raz_wi(scs, nvic, board_desc):
    words = scs.map["NVIC_ISER"].count
    implemented_words = (board_desc.cpu.nvic_irq_lines + 31) // 32
    assert words > implemented_words
    for reg in ("NVIC_ISER", "NVIC_ISPR"):
        scs.write(reg, 0xFFFFFFFF, index=implemented_words)
        assert scs.read(reg, index=implemented_words) == 0
    assert not any(nvic.enabled[Exc.IRQ0:]) and not any(nvic.pending[Exc.IRQ0:])


def test_ispr_icpr_pend_and_clear(scs, nvic, lines):
    a, b = lines
    scs.write("NVIC_ISPR", (1 << a) | (1 << b))
    assert scs.read("NVIC_ISPR") == scs.read("NVIC_ICPR") == (1 << a) | (1 << b)
    scs.write("NVIC_ICPR", 1 << b)
    assert nvic.pending[Exc.IRQ0 + a] and not nvic.pending[Exc.IRQ0 + b]


def test_icpr_cannot_clear_a_line_held_high(scs, nvic, lines):
    a, _ = lines
    nvic.set_line(a, True)
    assert nvic.pending[Exc.IRQ0 + a]
    scs.write("NVIC_ICPR", 1 << a)
    assert nvic.pending[Exc.IRQ0 + a], "level-sensitive: still asserted"
    nvic.set_line(a, False)
    scs.write("NVIC_ICPR", 1 << a)
    assert not nvic.pending[Exc.IRQ0 + a]


def test_iabr_shows_active_lines_and_is_read_only(board, scs, nvic, lines):
    a, b = lines
    nvic.active[Exc.IRQ0 + b] = True
    assert scs.read("NVIC_IABR") == 1 << b
    scs.write("NVIC_IABR", 1 << a)
    assert scs.read("NVIC_IABR") == 1 << b
    assert any("NVIC_IABR" in w and "read-only" in w for w in board.warnings)


def test_ipr_bytes_hold_the_implemented_priority_bits(scs, nvic, lines, board_desc):
    a, b = lines
    mask = priority_mask(board_desc)
    for irq, value in ((a, 0xFF), (b, 0x5A)):
        scs.write("NVIC_IPR", value, index=irq // 4, size=1, byte=irq % 4)
        assert nvic.priority[Exc.IRQ0 + irq] == value & mask
        assert scs.read("NVIC_IPR", index=irq // 4, size=1, byte=irq % 4) == value & mask
    word = scs.read("NVIC_IPR", index=a // 4)
    assert word == (0xFF & mask) << (8 * (a % 4))


def test_ipr_word_and_halfword_writes_touch_only_their_lanes(scs, nvic, board_desc):
    mask = priority_mask(board_desc)
    scs.write("NVIC_IPR", 0xE0C0A080, index=1)
    assert [nvic.priority[Exc.IRQ0 + 4 + i] for i in range(4)] == [v & mask for v in (0x80, 0xA0, 0xC0, 0xE0)]
    scs.write("NVIC_IPR", 0x2040, index=1, size=2, byte=2)
    assert [nvic.priority[Exc.IRQ0 + 4 + i] for i in range(4)] == [v & mask for v in (0x80, 0xA0, 0x40, 0x20)]


def test_stir_pends_a_line_and_reads_zero(scs, nvic, lines):
    a, b = lines
    scs.write("STIR", scs.prep("STIR", "INTID", b))
    assert nvic.pending[Exc.IRQ0 + b] and not nvic.pending[Exc.IRQ0 + a]
    assert scs.read("STIR") == 0, "write-only"
    before = list(nvic.pending)
    scs.write("STIR", scs.prep("STIR", "INTID", nvic.irq_lines))   # no such line
    assert nvic.pending == before


# -- ICSR -----------------------------------------------------------------------------


def test_icsr_vectactive_vectpending_isrpending(board, scs, nvic, lines):
    a, _ = lines
    assert scs.read("ICSR") == scs.mask("ICSR", "RETTOBASE")   # thread mode, nothing pending
    board.core.cpu.set_reg("ipsr", Exc.SYSTICK)
    nvic.active[Exc.SYSTICK] = True
    assert scs.get("ICSR", "VECTACTIVE") == Exc.SYSTICK
    assert scs.get("ICSR", "RETTOBASE") == 1, "one active exception"
    nvic.set_enabled(Exc.IRQ0 + a, True)
    nvic.set_pending(Exc.IRQ0 + a)
    assert scs.get("ICSR", "VECTPENDING") == Exc.IRQ0 + a
    assert scs.get("ICSR", "ISRPENDING") == 1
    nvic.active[Exc.PENDSV] = True
    assert scs.get("ICSR", "RETTOBASE") == 0, "more than one active exception"


@pytest.mark.parametrize("exc, set_bit, clear_bit", [
    (Exc.PENDSV, "PENDSVSET", "PENDSVCLR"),
    (Exc.SYSTICK, "PENDSTSET", "PENDSTCLR"),
])
def test_icsr_sets_and_clears_pendsv_and_systick(scs, nvic, exc, set_bit, clear_bit):
    scs.write("ICSR", scs.mask("ICSR", set_bit))
    assert nvic.pending[exc] and scs.get("ICSR", set_bit) == 1
    assert scs.get("ICSR", "VECTPENDING") == exc
    scs.write("ICSR", scs.mask("ICSR", clear_bit))
    assert not nvic.pending[exc] and scs.get("ICSR", set_bit) == 0


def test_icsr_nmipendset(scs, nvic):
    scs.write("ICSR", scs.mask("ICSR", "NMIPENDSET"))
    assert nvic.pending[Exc.NMI]
    assert scs.get("ICSR", "NMIPENDSET") == 1
    assert scs.get("ICSR", "VECTPENDING") == Exc.NMI


# -- SCB -------------------------------------------------------------------------------


def test_vtor_keeps_tbloff_and_moves_the_vector_fetch(board, scs):
    tbloff = scs.field("VTOR", "TBLOFF")
    table = board.desc.data_memory.base + 4 * (1 << tbloff.lsb)    # a TBLOFF-aligned address
    scs.write("VTOR", table | 0x7F)
    assert scs.read("VTOR") == table == table & tbloff.mask
    board.core.cpu.write_u32(table + 4 * Exc.SYSTICK, 0x1235)
    assert board.core.exceptions.vector(Exc.SYSTICK) == 0x1235


def test_aircr_reads_the_key_status_and_needs_the_key(board, scs, nvic):
    assert scs.get("AIRCR", "VECTKEY") == AIRCR_VECTKEYSTAT
    assert scs.get("AIRCR", "VECTKEY") == scs.field("AIRCR", "VECTKEY").extract(scs.reset_value("AIRCR"))
    scs.write("AIRCR", aircr(scs, 5, key=0x1234))
    assert scs.get("AIRCR", "PRIGROUP") == 0
    assert any("VECTKEY" in w for w in board.warnings)
    scs.write("AIRCR", aircr(scs, 5))
    assert scs.get("AIRCR", "PRIGROUP") == 5
    assert not board.core.reset_requested


def test_prigroup_splits_group_and_subpriority(scs, nvic, lines):
    a, b = lines
    nvic.set_priority(Exc.IRQ0 + a, 0x60)
    nvic.set_priority(Exc.IRQ0 + b, 0x40)
    assert nvic.group_priority(Exc.IRQ0 + a) == 0x60
    scs.write("AIRCR", aircr(scs, 5))     # group bits [7:6], subpriority [5:0]
    assert nvic.group_priority(Exc.IRQ0 + a) == nvic.group_priority(Exc.IRQ0 + b) == 0x40
    for irq in lines:
        nvic.set_enabled(Exc.IRQ0 + irq, True)
        nvic.set_pending(Exc.IRQ0 + irq)
    assert nvic.highest_pending() == Exc.IRQ0 + b, "lower subpriority first"
    assert nvic.preempting(0x40) is None, "same group: no preemption"


def test_aircr_sysresetreq_requests_a_reset(board, scs):
    scs.write("AIRCR", aircr(scs, reset=True))
    assert board.core.reset_requested


def test_shpr_bytes_set_system_handler_priorities(scs, nvic, board_desc):
    mask = priority_mask(board_desc)
    first = Exc.MEMMANAGE     # SHPR[0] byte 0
    for exc, value in ((Exc.SVCALL, 0x20), (Exc.PENDSV, 0xFF), (Exc.SYSTICK, 0x60), (Exc.BUSFAULT, 0x40)):
        n = exc - first
        scs.write("SHPR", value, index=n // 4, size=1, byte=n % 4)
        assert nvic.priority[exc] == value & mask, exc.name
    n = Exc.SYSTICK - first
    assert scs.read("SHPR", index=n // 4) >> 24 == 0x60 & mask


def test_shcsr_enables_and_reflects_state(scs, nvic):
    enables = scs.mask("SHCSR", "MEMFAULTENA", "BUSFAULTENA", "USGFAULTENA")
    scs.write("SHCSR", enables)
    assert all(nvic.enabled[e] for e in (Exc.MEMMANAGE, Exc.BUSFAULT, Exc.USAGEFAULT))
    assert scs.read("SHCSR") == enables
    nvic.active[Exc.SYSTICK] = True
    nvic.pending[Exc.SVCALL] = True
    assert scs.read("SHCSR") == enables | scs.mask("SHCSR", "SYSTICKACT", "SVCALLPENDED")
    scs.write("SHCSR", scs.mask("SHCSR", "USGFAULTENA"))
    assert not nvic.enabled[Exc.BUSFAULT] and nvic.enabled[Exc.USAGEFAULT]


def test_ccr_reset_and_writable_bits(scs):
    assert scs.read("CCR") == scs.reset_value("CCR") == scs.mask("CCR", "STKALIGN")
    writable = scs.mask("CCR", *(f.name for f in scs.map["CCR"].fields))
    scs.write("CCR", 0xFFFFFFFF)
    assert scs.read("CCR") == writable
    scs.write("CCR", 0)
    assert scs.read("CCR") == 0


@pytest.mark.parametrize("reg, bits", [
    ("CFSR", ("UNDEFINSTR", "PRECISERR", "BFARVALID", "IBUSERR")),
    ("HFSR", ("FORCED", "VECTTBL", "DEBUGEVT")),
])
def test_fault_status_registers_are_write_one_to_clear(board, scs, reg, bits):
    status = board.core.scb
    setattr(status, reg.lower(), scs.mask(reg, *bits))
    scs.write(reg, scs.mask(reg, bits[0]))
    assert scs.read(reg) == scs.mask(reg, *bits[1:])
    scs.write(reg, 0)
    assert scs.read(reg) == scs.mask(reg, *bits[1:]), "writing 0 clears nothing"


def test_cfsr_usage_fault_half_clears_alone(board, scs):
    board.core.scb.cfsr = scs.mask("CFSR", "UNDEFINSTR", "PRECISERR")
    undef = scs.field("CFSR", "UNDEFINSTR")
    scs.write("CFSR", 1 << (undef.lsb - 16), size=2, byte=2)     # the UFSR halfword
    assert scs.read("CFSR") == scs.mask("CFSR", "PRECISERR")


@pytest.mark.parametrize("reg", ["BFAR", "MMFAR", "CPACR"])
def test_address_and_access_registers_read_back(scs, reg):
    scs.write(reg, 0x20001234)
    assert scs.read(reg) == 0x20001234


def test_demcr_trcena_and_scr_bits_read_back(scs):
    scs.write("DEMCR", scs.mask("DEMCR", "TRCENA"))
    assert scs.get("DEMCR", "TRCENA") == 1
    scr = scs.mask("SCR", "SLEEPONEXIT", "SEVONPEND")
    scs.write("SCR", scr)
    assert scs.read("SCR") == scr


def test_identification_registers(board, scs, board_desc):
    assert scs.read("CPUID") == scs.reset_value("CPUID")
    scs.write("CPUID", 0)
    assert scs.read("CPUID") == scs.reset_value("CPUID")
    assert any("CPUID" in w for w in board.warnings)
    lines = board_desc.cpu.nvic_irq_lines
    assert scs.get("ICTR", "INTLINESNUM") == (lines + 31) // 32 - 1


def test_undecoded_offsets_read_zero_and_ignore_writes(board, scs):
    offset = scs.undecoded_offset()
    scs.device.write(offset, 4, 0xFFFFFFFF)
    assert scs.device.read(offset, 4) == 0
    assert sum(f"{offset:#x}" in w for w in board.warnings) == 1, "reported once"
