"""The generated board header and linker memories say what platform/ says."""

from __future__ import annotations

import re

from tlscosim.fw.generate import gen_dir, generate_board_files
from tlscosim.fw.vectors import FIRST_IRQ_EXCEPTION, SYSTEM_EXCEPTIONS


def test_header_has_every_register_of_every_device(board, header_constants):
    consts = header_constants
    devices = [p for p in board.peripherals if not p.is_background]
    assert devices
    for p in devices:
        prefix = f"CSR_{p.name.upper()}"
        assert consts[f"{prefix}_BASE"] == p.base
        assert consts[f"{prefix}_SIZE"] == p.size
        for reg in p.regmap:
            assert consts[f"{prefix}_{reg.name}_ADDR"] == p.base + reg.offset, reg.name
            for fld in reg.fields:
                assert consts[f"{prefix}_{reg.name}_{fld.name}_MASK"] == fld.mask
                assert consts[f"{prefix}_{reg.name}_{fld.name}_OFFSET"] == fld.lsb


def test_header_leaves_out_background_regions(board, firmware):
    text = (gen_dir(board.name) / "board.h").read_text()
    background = [p for p in board.peripherals if p.is_background]
    assert background
    for p in background:
        assert f"CSR_{p.name.upper()}_" not in text


def test_header_memories_clock_and_irqs(board, header_constants):
    consts = header_constants
    assert consts["BOARD_CLOCK_HZ"] == board.clock_hz
    assert consts["BOARD_NVIC_PRIORITY_BITS"] == board.cpu.nvic_priority_bits
    for m in board.memories:
        assert consts[f"MEM_{m.name.upper()}_BASE"] == m.base
        assert consts[f"MEM_{m.name.upper()}_SIZE"] == m.size
    assert consts["IRQ_UART0_RX"] == board.peripheral("uart0").irqs["rx"]
    assert consts["IRQ_TRNG"] == board.peripheral("trng").irq
    used = {line for p in board.peripherals for line in p.irqs.values()}
    assert consts["BOARD_IRQ_SPARE"] not in used
    assert consts["BOARD_VECTOR_COUNT"] == FIRST_IRQ_EXCEPTION + board.cpu.nvic_irq_lines


def test_vector_x_macros_cover_every_vector(board, firmware):
    text = (gen_dir(board.name) / "board.h").read_text()
    entries = [int(n) for n in re.findall(r"^    X\((\d+), \w+\) \\$", text, re.M)]
    system = [n for n, name, _ in SYSTEM_EXCEPTIONS if name != "RESET"]
    irqs = list(range(FIRST_IRQ_EXCEPTION, FIRST_IRQ_EXCEPTION + board.cpu.nvic_irq_lines))
    assert entries == system + irqs
    assert f"X({FIRST_IRQ_EXCEPTION + board.peripheral('trng').irq}, TRNG_IRQHandler)" in text


def test_memory_script_matches_the_memories(board, firmware):
    text = (gen_dir(board.name) / "memory.ld").read_text()
    found = {name: (int(origin, 16), int(length, 16)) for name, origin, length in
             re.findall(r"^\s+(\w+)\s+\(\w+\) : ORIGIN = (0x[0-9A-F]+), LENGTH = (0x[0-9A-F]+)$", text, re.M)}
    assert found == {m.name: (m.base, m.size) for m in board.memories}
    assert f'REGION_ALIAS("CODE", {board.code_memory.name});' in text
    assert f'REGION_ALIAS("DATA", {board.data_memory.name});' in text


def test_regeneration_leaves_unchanged_files_alone(board, firmware):
    files = [gen_dir(board.name) / n for n in ("board.h", "memory.ld")]
    before = [f.stat().st_mtime_ns for f in files]
    generate_board_files(board)
    assert [f.stat().st_mtime_ns for f in files] == before
