"""ARMv7-M exception state: the NVIC and the system exceptions (ARM DDI 0403, B1.5, B3.4).

Holds, per exception number, enable/pending/active and priority, and answers the two
questions the run loop asks: what is the current execution priority, and which pending
exception (if any) preempts it. Register-level access (ISER, ICSR, SHPR, ...) is in
peripherals/scs.py; stacking and EXC_RETURN are in exceptions.py.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Callable


class Exc(IntEnum):
    RESET = 1
    NMI = 2
    HARDFAULT = 3
    MEMMANAGE = 4
    BUSFAULT = 5
    USAGEFAULT = 6
    SVCALL = 11
    DEBUGMONITOR = 12
    PENDSV = 14
    SYSTICK = 15
    IRQ0 = 16


FIXED_PRIORITY = {Exc.RESET: -3, Exc.NMI: -2, Exc.HARDFAULT: -1}
CONFIGURABLE_FAULTS = (Exc.MEMMANAGE, Exc.BUSFAULT, Exc.USAGEFAULT)
NO_PRIORITY = 256   # execution priority of Thread mode with nothing masked


ARCHITECTURE_NAMES = {
    Exc.RESET: "Reset", Exc.NMI: "NMI", Exc.HARDFAULT: "HardFault", Exc.MEMMANAGE: "MemManage",
    Exc.BUSFAULT: "BusFault", Exc.USAGEFAULT: "UsageFault", Exc.SVCALL: "SVCall",
    Exc.DEBUGMONITOR: "DebugMonitor", Exc.PENDSV: "PendSV", Exc.SYSTICK: "SysTick",
}


def exception_name(number: int) -> str:
    """The ARMv7-M ARM's name of an exception ("HardFault", "IRQ3")."""
    if number >= Exc.IRQ0:
        return f"IRQ{number - Exc.IRQ0}"
    return ARCHITECTURE_NAMES.get(number, f"exception {number}")


class Nvic:
    def __init__(self, irq_lines: int, priority_bits: int):
        self.irq_lines = irq_lines
        self.count = Exc.IRQ0 + irq_lines
        self.priority_mask = (0xFF << (8 - priority_bits)) & 0xFF
        self.on_change: Callable[[], None] = lambda: None
        self.reset()

    def reset(self) -> None:
        n = self.count
        self.enabled = [False] * n
        self.pending = [False] * n
        self.active = [False] * n
        self.priority = [0] * n
        self.line_level = [False] * self.irq_lines
        self.prigroup = 0
        for exc in (Exc.NMI, Exc.HARDFAULT, Exc.SVCALL, Exc.PENDSV, Exc.SYSTICK):
            self.enabled[exc] = True

    # -- configuration -----------------------------------------------------------------

    def set_priority(self, exc: int, value: int) -> None:
        if exc in FIXED_PRIORITY:
            return
        self.priority[exc] = value & self.priority_mask
        self.on_change()

    def _group_mask(self) -> int:
        # PRIGROUP n: bits [n:0] are subpriority, the rest group priority.
        return (0xFF << (self.prigroup + 1)) & 0xFF

    def group_priority(self, exc: int) -> int:
        if exc in FIXED_PRIORITY:
            return FIXED_PRIORITY[exc]
        return self.priority[exc] & self._group_mask()

    @property
    def basepri_group_mask(self) -> int:
        return self._group_mask() & self.priority_mask

    # -- interrupt lines -------------------------------------------------------------------

    def set_line(self, irq: int, level: bool) -> None:
        """A device's interrupt output. A rising edge pends the interrupt; a line still
        high when its handler returns pends it again (level-sensitive, B3.4.1)."""
        rising = level and not self.line_level[irq]
        self.line_level[irq] = level
        if rising:
            self.set_pending(Exc.IRQ0 + irq)

    def pulse(self, irq: int) -> None:
        self.set_pending(Exc.IRQ0 + irq)

    # -- state -------------------------------------------------------------------------------

    def set_pending(self, exc: int) -> None:
        if not self.pending[exc]:
            self.pending[exc] = True
            self.on_change()

    def clear_pending(self, exc: int) -> None:
        self.pending[exc] = False
        if exc >= Exc.IRQ0 and self.line_level[exc - Exc.IRQ0]:
            self.pending[exc] = True   # the line is still asserted
        self.on_change()

    def set_enabled(self, exc: int, enabled: bool) -> None:
        self.enabled[exc] = enabled
        self.on_change()

    def acknowledge(self, exc: int) -> None:
        self.pending[exc] = False
        self.active[exc] = True

    def deactivate(self, exc: int) -> None:
        self.active[exc] = False
        if exc >= Exc.IRQ0 and self.line_level[exc - Exc.IRQ0]:
            self.pending[exc] = True

    def active_count(self) -> int:
        return sum(self.active)

    # -- priorities ----------------------------------------------------------------------------

    def execution_priority(self, primask: int, faultmask: int, basepri: int) -> int:
        prio = NO_PRIORITY
        for exc in range(1, self.count):
            if self.active[exc]:
                prio = min(prio, self.group_priority(exc))
        basepri &= self.basepri_group_mask
        if basepri:
            prio = min(prio, basepri)
        if primask & 1:
            prio = min(prio, 0)
        if faultmask & 1:
            prio = min(prio, -1)
        return prio

    def highest_pending(self, include_disabled: bool = False) -> int | None:
        """The pending, enabled exception that would be taken first, or None."""
        best, best_key = None, None
        for exc in range(1, self.count):
            if not self.pending[exc] or not (self.enabled[exc] or include_disabled):
                continue
            raw = FIXED_PRIORITY.get(exc, self.priority[exc])
            key = (self.group_priority(exc), raw, exc)
            if best_key is None or key < best_key:
                best, best_key = exc, key
        return best

    def preempting(self, execution_priority: int) -> int | None:
        exc = self.highest_pending()
        if exc is not None and self.group_priority(exc) < execution_priority:
            return exc
        return None

    def is_enabled(self, exc: int) -> bool:
        return self.enabled[exc]
