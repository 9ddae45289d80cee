"""The vector table's layout: ARMv7-M system exceptions and the board's interrupt lines.

One place names every vector, so the generated header (numbers, handler names) and the
firmware's startup code (which builds the table from that header) cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..boarddesc import BoardDescription
from ..regmap import c_identifier

# ARMv7-M ARM B1.5.2: exception numbers 1..15; 7-10 and 13 are reserved.
SYSTEM_EXCEPTIONS = (
    (1, "RESET", "Reset_Handler"),
    (2, "NMI", "NMI_Handler"),
    (3, "HARDFAULT", "HardFault_Handler"),
    (4, "MEMMANAGE", "MemManage_Handler"),
    (5, "BUSFAULT", "BusFault_Handler"),
    (6, "USAGEFAULT", "UsageFault_Handler"),
    (11, "SVCALL", "SVC_Handler"),
    (12, "DEBUGMON", "DebugMon_Handler"),
    (14, "PENDSV", "PendSV_Handler"),
    (15, "SYSTICK", "SysTick_Handler"),
)
FIRST_IRQ_EXCEPTION = 16


@dataclass(frozen=True)
class IrqLine:
    line: int
    handler: str        # <PERIPH>[_<LINE>]_IRQHandler, or IRQ<n>_IRQHandler when unclaimed or shared


def _named_lines(desc: BoardDescription) -> list[tuple[str, int]]:
    """(<PERIPH> or <PERIPH>_<LINE>, line) for every interrupt line of every peripheral."""
    return [(c_identifier(p.name) if name == "irq" else c_identifier(p.name, name), line)
            for p in desc.peripherals for name, line in p.irqs.items()]


def irq_lines(desc: BoardDescription) -> list[IrqLine]:
    """Every NVIC line of the board in order, named after the peripheral that drives it."""
    owners: dict[int, list[str]] = {}
    for name, line in _named_lines(desc):
        owners.setdefault(line, []).append(name)
    lines = []
    for n in range(desc.cpu.nvic_irq_lines):
        names = owners.get(n, [])
        lines.append(IrqLine(n, f"{names[0]}_IRQHandler" if len(names) == 1 else f"IRQ{n}_IRQHandler"))
    return lines


def irq_macros(desc: BoardDescription) -> list[tuple[str, int]]:
    """(IRQ_<NAME>, line) for every line of every peripheral, shared lines included."""
    return [(f"IRQ_{name}", line) for name, line in _named_lines(desc)]


def spare_irq_line(desc: BoardDescription) -> int | None:
    """The highest line no peripheral drives (free for software-triggered interrupts)."""
    used = {line for _, line in _named_lines(desc)}
    free = [n for n in range(desc.cpu.nvic_irq_lines) if n not in used]
    return free[-1] if free else None
