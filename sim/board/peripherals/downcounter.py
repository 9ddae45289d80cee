"""A reloading down-counter on the CPU clock, computed from an anchor instead of ticked:
the shape shared by SysTick and the CMSDK timer.

From value v at cycle t0 it counts v-1, v-2, ... and reaches 0 at t0+v; the next clock
loads `reload`, so the counter returns to 0 every reload+1 cycles. Starting from 0, the
first clock loads `reload` without a zero event (ARMv7-M B3.3.1). With reload 0 the
counter stops at 0.
"""

from __future__ import annotations


class DownCounter:
    def __init__(self, mask: int = 0xFFFFFFFF):
        self.mask = mask
        self.running = False
        self.reload = 0
        self._t0 = 0
        self._v0 = 0

    def set_value(self, now: int, value: int) -> None:
        self._t0, self._v0 = now, value & self.mask

    def set_reload(self, now: int, reload: int) -> None:
        self.set_value(now, self.value(now))
        self.reload = reload & self.mask

    def start(self, now: int) -> None:
        if not self.running:
            self._t0 = now
            self.running = True

    def stop(self, now: int) -> None:
        if self.running:
            self._v0 = self.value(now)
            self._t0 = now
            self.running = False

    @property
    def period(self) -> int:
        return self.reload + 1

    def value(self, now: int) -> int:
        if not self.running:
            return self._v0
        k = now - self._t0
        if k <= self._v0:
            return self._v0 - k
        if self.reload == 0:
            return 0
        m = (k - self._v0) % self.period
        return 0 if m == 0 else self.period - m

    def _first_zero(self) -> int | None:
        if self._v0 > 0:
            return self._t0 + self._v0
        return self._t0 + self.period if self.reload else None

    def next_zero_after(self, now: int) -> int | None:
        """The first cycle > now at which the counter reaches 0."""
        if not self.running:
            return None
        z0 = self._first_zero()
        if z0 is None:
            return None
        if z0 > now:
            return z0
        if self.reload == 0:
            return None
        return z0 + ((now - z0) // self.period + 1) * self.period

    def zero_reached_between(self, after: int, until: int) -> bool:
        """Whether the counter reached 0 at a cycle in (after, until]."""
        nxt = self.next_zero_after(after)
        return nxt is not None and nxt <= until
