"""What a device model may use of the board: the clock, timed events, interrupt lines,
host I/O and diagnostics. Devices get this object and nothing else (no CPU, no engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .scheduler import Scheduler


class Clock:
    """Simulated time in CPU cycles.

    Inside a memory-mapped access, now() is the cycle of the accessing instruction (see
    CycleAccounting.now); between runs it is the count of everything executed so far.
    """

    def __init__(self, accounting, hz: int):
        self._acct = accounting
        self.hz = hz
        self._access: tuple[int, int] | None = None
        self._access_now: int | None = None
        self._access_counts: dict[str, int] | None = None

    def now(self) -> int:
        if self._access is None:
            return self._acct.block_cycles
        if self._access_now is None:
            self._access_now = self.event_counts()["cycles"]
        return self._access_now

    def begin_access(self, address: int, size: int) -> None:
        self._access, self._access_now, self._access_counts = (address, size), None, None

    def end_access(self) -> None:
        self._access, self._access_now, self._access_counts = None, None, None

    def event_counts(self) -> dict[str, int]:
        """cycles, instructions, cpi, lsu, fold as of the current instruction (located once
        per access: locating moves the block's access cursor)."""
        if self._access is None:
            return self._acct.event_counts()
        if self._access_counts is None:
            self._access_counts = self._acct.event_counts(*self._access)
        return dict(self._access_counts)

    def seconds(self, cycles: int) -> float:
        return cycles / self.hz


class InterruptLine:
    """One output of a device wired to an NVIC input."""

    def __init__(self, nvic, irq: int):
        self._nvic = nvic
        self.irq = irq

    def set(self, level: bool) -> None:
        self._nvic.set_line(self.irq, bool(level))

    def pulse(self) -> None:
        self._nvic.pulse(self.irq)

    @property
    def level(self) -> bool:
        return self._nvic.line_level[self.irq]


@dataclass
class DeviceContext:
    clock: Clock
    scheduler: Scheduler
    nvic: object
    seed: int = 0
    uart_sink: Callable[[str, bytes], None] = lambda name, data: None
    warn: Callable[[str], None] = lambda message: None
    stop: Callable[[str], None] = lambda reason: None
    _warned: set = field(default_factory=set)

    def irq_line(self, irq: int | None) -> InterruptLine | None:
        return None if irq is None else InterruptLine(self.nvic, irq)

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)
