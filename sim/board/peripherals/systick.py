"""SysTick (ARMv7-M B3.3): a 24-bit down-counter on the processor clock that pends the
SysTick exception each time it reaches zero with TICKINT set. Its registers live in the
SCS; this class holds the behaviour."""

from __future__ import annotations

from ...architecture.nvic import Exc
from ...architecture.scb import scs_field
from .downcounter import DownCounter


def calibration(clock_hz: int) -> int:
    """SYST_CALIB: no reference clock (NOREF), TENMS = the reload for 10 ms at the core
    clock, clipped to the field."""
    tenms = scs_field("SYST_CALIB", "TENMS")
    value = tenms.insert(0, min(clock_hz // 100 - 1, tenms.mask >> tenms.lsb))
    return scs_field("SYST_CALIB", "NOREF").insert(value, 1)


class SysTick:
    def __init__(self, clock, scheduler, nvic, calib: int):
        self._clock = clock
        self._scheduler = scheduler
        self._nvic = nvic
        self.calib = calib
        self._enable = scs_field("SYST_CSR", "ENABLE").mask
        self._tickint = scs_field("SYST_CSR", "TICKINT").mask
        self._countflag = scs_field("SYST_CSR", "COUNTFLAG").mask
        self._ctrl_writable = self._enable | self._tickint | scs_field("SYST_CSR", "CLKSOURCE").mask
        self._reload_mask = scs_field("SYST_RVR", "RELOAD").mask
        self._counter = DownCounter(scs_field("SYST_CVR", "CURRENT").mask)
        self._ctrl = 0
        self._flag_since = 0        # COUNTFLAG reports a zero reached after this cycle...
        self._flag_latched = False  # ...or one reached before the counter was re-anchored
        self._event = None

    def reset(self) -> None:
        self.__init__(self._clock, self._scheduler, self._nvic, self.calib)

    def _latch_flag(self, now: int) -> None:
        """Keeps COUNTFLAG across a change of the counter's course (B3.3.3: only a read
        of CSR or a write of CVR clears it)."""
        if self._counter.zero_reached_between(self._flag_since, now):
            self._flag_latched = True
        self._flag_since = now

    def read_csr(self) -> int:
        now = self._clock.now()
        self._latch_flag(now)
        flag, self._flag_latched = self._flag_latched, False   # reading clears COUNTFLAG
        return self._ctrl | (self._countflag if flag else 0)

    def write_csr(self, value: int) -> None:
        now = self._clock.now()
        self._latch_flag(now)
        self._ctrl = value & self._ctrl_writable
        if self._ctrl & self._enable:
            self._counter.start(now)
        else:
            self._counter.stop(now)
        self._rearm(now)

    def read_rvr(self) -> int:
        return self._counter.reload

    def write_rvr(self, value: int) -> None:
        now = self._clock.now()
        self._latch_flag(now)
        self._counter.set_reload(now, value & self._reload_mask)
        self._rearm(now)

    def read_cvr(self) -> int:
        return self._counter.value(self._clock.now())

    def write_cvr(self, _value: int) -> None:
        # Any write clears the counter and COUNTFLAG.
        now = self._clock.now()
        self._counter.set_value(now, 0)
        self._flag_since, self._flag_latched = now, False
        self._rearm(now)

    def _rearm(self, now: int) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self._ctrl & self._tickint:
            nxt = self._counter.next_zero_after(now)
            if nxt is not None:
                self._event = self._scheduler.at(nxt, self._on_zero, "systick")

    def _on_zero(self, cycle: int) -> None:
        self._event = None
        self._nvic.set_pending(Exc.SYSTICK)
        self._rearm(cycle)
