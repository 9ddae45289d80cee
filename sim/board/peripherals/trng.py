"""Entropy source model: one 32-bit word per read of DATA, ready LATENCY cycles after the
previous read. Words come from SHA-256 in counter mode over the simulation seed, so a
run is reproducible for a given seed (and any seed can be chosen for variety)."""

from __future__ import annotations

import hashlib

from tlscosim.schema import at_least, optional

from .base import RegisterDevice

DEFAULT_LATENCY = 64


class Trng(RegisterDevice):
    OPTIONS = {"latency_cycles": optional(int, DEFAULT_LATENCY, at_least(1))}   # board-file keys

    def __init__(self, spec, ctx):
        self._latency = int(spec.options.get("latency_cycles", DEFAULT_LATENCY))
        self._counter = 0
        self._ready_at = 0
        self._event = None
        super().__init__(spec.name, spec.regmap, ctx)
        self._irq = ctx.irq_line(spec.irq)

    def reset(self) -> None:
        super().reset()
        self.put("LATENCY", self._latency)
        self._counter = 0
        self._ready_at = 0

    def _enabled(self) -> bool:
        return bool(self.field("CTRL", "ENABLE").extract(self.get("CTRL")))

    def _ready(self) -> bool:
        return self._enabled() and self.ctx.clock.now() >= self._ready_at

    def _word(self) -> int:
        block = hashlib.sha256(self.ctx.seed.to_bytes(8, "little") + self._counter.to_bytes(8, "little"))
        self._counter += 1
        return int.from_bytes(block.digest()[:4], "little")

    def write_CTRL(self, value: int, index: int, mask: int) -> None:
        was = self._enabled()
        self.put("CTRL", (self.get("CTRL") & ~mask) | value)
        if self._enabled() and not was:
            self._restart()
        self._update_irq()

    def read_STATUS(self, index: int) -> int:
        return self.field("STATUS", "READY").insert(0, int(self._ready()))

    def read_DATA(self, index: int) -> int:
        if not self._ready():
            self.ctx.warn_once(f"{self.name}.early", f"{self.name}: DATA read before READY (returns 0)")
            return 0
        word = self._word()
        self._restart()
        return word

    def _restart(self) -> None:
        self._ready_at = self.ctx.clock.now() + self._latency
        if self._irq:
            self._irq.set(False)
            if self._event is not None:
                self._event.cancel()
            self._event = self.ctx.scheduler.at(self._ready_at, lambda _c: self._update_irq(), self.name)

    def _update_irq(self) -> None:
        if self._irq:
            irq_en = self.field("CTRL", "IRQ_EN").extract(self.get("CTRL"))
            self._irq.set(bool(irq_en) and self._ready())
