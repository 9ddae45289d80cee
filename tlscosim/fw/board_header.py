"""board.h: everything the firmware needs to know about the board, from its description.

Addresses, sizes, the clock, IRQ numbers, the vector table's handler names and every
peripheral's registers (LiteX-style CSR_* names via tlscosim.cheader). The firmware
writes no address or offset of its own.
"""

from __future__ import annotations

from ..boarddesc import BoardDescription
from ..cheader import header_text, regmap_lines
from ..regmap import c_identifier
from .vectors import FIRST_IRQ_EXCEPTION, SYSTEM_EXCEPTIONS, irq_lines, irq_macros, spare_irq_line


def _hex(value: int) -> str:
    return f"0x{value:08X}u"


def board_header(desc: BoardDescription) -> str:
    body = _identity(desc) + [""] + _memories(desc) + [""] + _vectors(desc)
    for p in desc.peripherals:
        if p.is_background:
            continue  # "unimplemented" windows are not devices; firmware has nothing to address there
        body.append("")
        if p.regmap is not None:
            body += regmap_lines(p.name, p.base, p.regmap)
        else:
            body += [f"/* {p.name}: {p.model} */", f"#define {c_identifier('CSR', p.name)}_BASE {_hex(p.base)}"]
        body.append(f"#define {c_identifier('CSR', p.name)}_SIZE {_hex(p.size)}")
    return header_text(f"TLSCOSIM_BOARD_{desc.name}_H", f"Board {desc.name} ({desc.source.name}).", body)


def _identity(desc: BoardDescription) -> list[str]:
    return [f'#define BOARD_NAME "{desc.name}"',
            f"#define BOARD_CLOCK_HZ {desc.clock_hz}u",
            f"#define BOARD_NVIC_IRQ_LINES {desc.cpu.nvic_irq_lines}u",
            f"#define BOARD_NVIC_PRIORITY_BITS {desc.cpu.nvic_priority_bits}u"]


def _memories(desc: BoardDescription) -> list[str]:
    lines = ["/* Memories; firmware code and data go where firmware.code/data say. */"]
    for m in desc.memories:
        name = c_identifier("MEM", m.name)
        lines += [f"#define {name}_BASE {_hex(m.base)}", f"#define {name}_SIZE {_hex(m.size)}"]
    for role, memory in (("CODE", desc.code_memory), ("DATA", desc.data_memory)):
        lines += [f"#define BOARD_{role}_MEM_BASE {c_identifier('MEM', memory.name)}_BASE",
                  f"#define BOARD_{role}_MEM_SIZE {c_identifier('MEM', memory.name)}_SIZE"]
    return lines


def _vectors(desc: BoardDescription) -> list[str]:
    lines = ["/* Exception numbers (ARMv7-M) and the board's interrupt lines. */"]
    lines += [f"#define EXC_{name} {number}u" for number, name, _ in SYSTEM_EXCEPTIONS]
    lines.append(f"#define EXC_IRQ0 {FIRST_IRQ_EXCEPTION}u")
    lines.append(f"#define BOARD_VECTOR_COUNT {FIRST_IRQ_EXCEPTION + desc.cpu.nvic_irq_lines}u")
    lines += [f"#define {name} {line}u" for name, line in irq_macros(desc)]
    spare = spare_irq_line(desc)
    if spare is not None:
        lines += ["/* A line no device drives, for software-triggered interrupts. */",
                  f"#define BOARD_IRQ_SPARE {spare}u",
                  f"#define BOARD_IRQ_SPARE_HANDLER {irq_lines(desc)[spare].handler}"]
    lines.append("/* X(exception number, handler): the system exceptions after Reset (the startup code")
    lines.append("   owns vectors 0 and 1), then one entry per NVIC line. */")
    lines.append("#define BOARD_SYSTEM_VECTORS(X) \\")
    lines += [f"    X({number}, {handler}) \\" for number, name, handler in SYSTEM_EXCEPTIONS if name != "RESET"]
    lines.append("")
    lines.append("#define BOARD_IRQ_VECTORS(X) \\")
    lines += [f"    X({FIRST_IRQ_EXCEPTION + irq.line}, {irq.handler}) \\" for irq in irq_lines(desc)]
    lines.append("")
    return lines
