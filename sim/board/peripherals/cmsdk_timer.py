"""ARM CMSDK APB timer (ARM DDI 0479 4.4): a 32-bit down-counter on the peripheral clock
(the CPU clock on this board) that interrupts when it reaches zero and reloads."""

from __future__ import annotations

from .base import RegisterDevice
from .downcounter import DownCounter


class CmsdkTimer(RegisterDevice):
    def __init__(self, spec, ctx):
        self._counter = DownCounter()
        self._event = None
        super().__init__(spec.name, spec.regmap, ctx)
        self._irq = ctx.irq_line(spec.irq)

    def reset(self) -> None:
        super().reset()
        if self._event is not None:
            self._event.cancel()
        self._counter = DownCounter()
        self._event = None

    def _ctrl(self, name: str) -> bool:
        return bool(self.field("CTRL", name).extract(self.get("CTRL")))

    def write_CTRL(self, value: int, index: int, mask: int) -> None:
        now = self.ctx.clock.now()
        self.put("CTRL", (self.get("CTRL") & ~mask) | value)
        if self._ctrl("EXT_IN_EN") or self._ctrl("EXT_CLK"):
            self.ctx.warn_once(f"{self.name}.ext", f"{self.name}: external enable/clock is not wired on this board")
        if self._ctrl("EN"):
            self._counter.start(now)
        else:
            self._counter.stop(now)
        self._rearm(now)

    def read_VALUE(self, index: int) -> int:
        return self._counter.value(self.ctx.clock.now())

    def write_VALUE(self, value: int, index: int, mask: int) -> None:
        now = self.ctx.clock.now()
        self._counter.set_value(now, value)
        self._rearm(now)

    def read_RELOAD(self, index: int) -> int:
        return self._counter.reload

    def write_RELOAD(self, value: int, index: int, mask: int) -> None:
        # Writing RELOAD also loads the counter (as the CMSDK timer and QEMU do).
        now = self.ctx.clock.now()
        self._counter.set_reload(now, value)
        self._counter.set_value(now, value)
        self._rearm(now)

    def write_INTSTATUS(self, value: int, index: int, mask: int) -> None:
        self.put("INTSTATUS", self.get("INTSTATUS") & ~value)
        self._update_irq()

    def _rearm(self, now: int) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        nxt = self._counter.next_zero_after(now)
        if nxt is not None and self._ctrl("IRQ_EN"):
            self._event = self.ctx.scheduler.at(nxt, self._on_zero, self.name)

    def _on_zero(self, cycle: int) -> None:
        self._event = None
        irq_bit = self.field("INTSTATUS", "IRQ")
        self.put("INTSTATUS", irq_bit.insert(self.get("INTSTATUS"), 1))
        self._update_irq()
        self._rearm(cycle)

    def _update_irq(self) -> None:
        if self._irq:
            self._irq.set(bool(self.field("INTSTATUS", "IRQ").extract(self.get("INTSTATUS"))))
