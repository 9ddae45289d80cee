"""What a device model may use of the board: the clock, timed events, interrupt lines,
host I/O and diagnostics. Devices get this object and nothing else (no CPU, no engine);
the core's own devices (System Control Space, DWT) also find the core's architectural
state in `core`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .net.hostio import HostIO
from .scheduler import Scheduler


class Clock:
    """Simulated time in CPU cycles.

    Inside a memory-mapped access, now() is the cycle of the accessing instruction (see
    CycleAccounting.locate); between runs it is the count of everything executed so far.
    """

    _UNLOCATED = object()

    def __init__(self, accounting, hz: int):
        self._acct = accounting
        self.hz = hz
        self._access: tuple[int, int] | None = None
        self._index = self._UNLOCATED

    def _instruction(self) -> int | None:
        """The accessing instruction's index in its block, located once per access (None
        outside accesses)."""
        if self._access is None:
            return None
        if self._index is self._UNLOCATED:
            self._index = self._acct.locate(*self._access)
        return self._index

    def now(self) -> int:
        return self._acct.cycles_before(self._instruction())

    def pc(self) -> int | None:
        """The accessing instruction's address inside an access (None outside one)."""
        return self._acct.instruction_address(self._instruction())

    def begin_access(self, address: int, size: int) -> None:
        self._access, self._index = (address, size), self._UNLOCATED

    def end_access(self) -> None:
        self._access, self._index = None, self._UNLOCATED

    def event_counts(self):
        """cycles, instructions, cpi, lsu, fold as of the current instruction."""
        return self._acct.event_counts(self._instruction())

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
    _warned: set = field(default_factory=set)
    host: HostIO | None = None      # the board's ports to the host; made here when not given
    core: object | None = None      # the core's state: for the core's own devices only
    rtc_epoch: int | None = None    # the RTC's time at start (None: the host's time)

    def __post_init__(self) -> None:
        if self.host is None:
            self.host = HostIO(self.clock, self.scheduler)

    def irq_line(self, irq: int | None) -> InterruptLine | None:
        return None if irq is None else InterruptLine(self.nvic, irq)

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)
