"""Timed events on the simulated clock (cycles). Peripherals schedule what happens at a
future cycle (a timer wrap, a TRNG word becoming ready); the run loop stops the CPU at
the earliest deadline and fires what is due. Order is deterministic: by cycle, then by
the order of scheduling."""

from __future__ import annotations

import heapq
import itertools
from typing import Callable


class Event:
    __slots__ = ("cycle", "action", "name", "cancelled")

    def __init__(self, cycle: int, action: Callable[[int], None], name: str):
        self.cycle = cycle
        self.action = action
        self.name = name
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Event]] = []
        self._order = itertools.count()
        self.on_change: Callable[[], None] = lambda: None   # the run loop re-arms its deadline

    def at(self, cycle: int, action: Callable[[int], None], name: str = "") -> Event:
        """Runs action(cycle) once the clock reaches `cycle`."""
        event = Event(cycle, action, name)
        heapq.heappush(self._heap, (cycle, next(self._order), event))
        self.on_change()
        return event

    def next_cycle(self) -> int | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def fire_due(self, now: int) -> int:
        """Fires every event due at or before `now`; returns how many fired."""
        fired = 0
        while self._heap and self._heap[0][0] <= now:
            _cycle, _order, event = heapq.heappop(self._heap)
            if not event.cancelled:
                event.action(event.cycle)
                fired += 1
        return fired

    def __len__(self) -> int:
        return sum(1 for _c, _o, e in self._heap if not e.cancelled)
