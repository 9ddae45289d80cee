"""The linked image: vector table first in code memory, stack at the top of data memory."""

from __future__ import annotations

import struct

from elftools.elf.elffile import ELFFile

from tlscosim.fw.vectors import FIRST_IRQ_EXCEPTION, SYSTEM_EXCEPTIONS


def symbols(elf) -> dict[str, int]:
    return {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols() if s.name}


def vector_table(elf, count: int) -> list[int]:
    data = elf.get_section_by_name(".isr_vector").data()
    return list(struct.unpack(f"<{count}I", data[: 4 * count]))


def test_vector_table_starts_code_memory(board, firmware):
    count = FIRST_IRQ_EXCEPTION + board.cpu.nvic_irq_lines
    for app, path in firmware.elfs.items():
        with open(path, "rb") as f:
            elf = ELFFile(f)
            section = elf.get_section_by_name(".isr_vector")
            assert section["sh_addr"] == board.code_memory.base, app
            assert section["sh_size"] == 4 * count
            syms = symbols(elf)
            vectors = vector_table(elf, count)
        assert vectors[0] == syms["_stack_top"] == board.data_memory.end
        assert vectors[1] == syms["Reset_Handler"] | 1   # Thumb bit set
        handlers = {n for n, name, _ in SYSTEM_EXCEPTIONS if name != "RESET"} | set(range(FIRST_IRQ_EXCEPTION, count))
        for n in range(2, count):
            assert bool(vectors[n]) == (n in handlers), f"{app}: vector {n}"
            if vectors[n]:
                assert board.code_memory.contains(vectors[n] & ~1) and vectors[n] & 1


def test_apps_override_only_the_handlers_they_define(firmware, header_constants):
    with open(firmware.elfs["selfcheck"], "rb") as f:
        syms = symbols(ELFFile(f))
    assert syms["SysTick_Handler"] != syms["Default_Handler"]
    assert syms["UsageFault_Handler"] != syms["Default_Handler"]
    assert syms[f"IRQ{header_constants['BOARD_IRQ_SPARE']}_IRQHandler"] != syms["Default_Handler"]
    assert syms["NMI_Handler"] == syms["Default_Handler"]


def test_data_and_heap_live_in_data_memory(board, firmware):
    with open(firmware.elfs["hello"], "rb") as f:
        syms = symbols(ELFFile(f))
    data = board.data_memory
    assert data.base <= syms["_sdata"] <= syms["_ebss"] <= syms["_heap_start"]
    assert syms["_heap_start"] < syms["_heap_end"] == syms["_stack_limit"] < syms["_stack_top"] == data.end
    assert board.code_memory.contains(syms["_sidata"])
