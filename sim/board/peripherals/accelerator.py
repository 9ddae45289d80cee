"""An accelerator window served by the accelerator's RTL (model `rtl_accelerator`).

Every access first advances the RTL to the accessing instruction's cycle
(`Clock.now()`), then performs the access through `RtlBusDevice`: firmware polling
STATUS pays the real latency, and idle stretches between accesses are skipped by the
driver. The interrupt line follows the RTL's `irq` output after every access; while an
operation runs with its interrupt enabled, a timed event per cycle advances the RTL to
the CPU's present, so a DONE raised without any bus access wakes a CPU sleeping in WFI
at the cycle it rises (at the next block boundary while the CPU runs, as for any device).

The RTL is built on first use (or when `configure` chooses the back end), so boards
whose firmware never touches an accelerator do not pay for elaborating it.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from typing import Callable

from tlscosim.errors import UserError

from ..bus import BusError
from ..offload_verify import Access
from .accelerator_faults import Fault
from .accelerator_usage import UsageMonitor

RTL_BACKENDS = {"amaranth": "pysim", "verilator": "verilator"}   # CLI name -> RtlBusDevice's


@dataclass
class AcceleratorSettings:
    backend: str = "amaranth"
    fault: Fault | None = None
    observer: Callable | None = None                 # gets every sim.offload_verify.Access
    describe: Callable[[int], str] = lambda pc: f"{pc:#010x}"
    fault_applies: set = field(default_factory=set)  # filled in: devices running the fault


class RtlAccelerator:
    def __init__(self, spec, ctx):
        self.name = spec.name
        self.ctx = ctx
        self.regmap = spec.regmap
        self.core = spec.regmap.name
        self.settings = AcceleratorSettings()
        self._irq = ctx.irq_line(spec.irq)
        self._rtl = None
        self._event = None
        self._irq_enabled = False
        self._decode = {reg.offset_of(i): (reg.name, i) for reg in self.regmap for i in range(reg.count)}
        self._irq_done = self.regmap["IRQ_ENABLE"].field("DONE")
        self.accesses = 0
        self.rtl_wall_s = 0.0      # wall time inside the RTL simulator (co-simulation cost)
        self.usage = UsageMonitor(self)

    # -- set-up ---------------------------------------------------------------------------

    def configure(self, settings: AcceleratorSettings) -> None:
        """Choose back end, fault and observer; must come before the first access."""
        if settings.backend not in RTL_BACKENDS:
            raise UserError(f"unknown RTL back end {settings.backend!r}; choose one of {', '.join(RTL_BACKENDS)}")
        if settings.backend == "verilator" and shutil.which("verilator") is None:
            raise UserError("--rtl verilator needs Verilator (Debian package `verilator`); "
                            "--rtl amaranth works without it")
        if self._rtl is not None:
            raise RuntimeError(f"{self.name}: configure() after the RTL was built")
        self.settings = settings
        if settings.fault is not None and settings.fault.core == self.core:
            settings.fault_applies.add(self.name)
        if settings.backend == "verilator":
            self._device()      # build (or find cached) now: a build error is the user's to see

    def _device(self):
        if self._rtl is None:
            from tlscosim.rtl.busdev import RtlBusDevice
            fault = self.settings.fault if self.name in self.settings.fault_applies else None
            self._rtl = RtlBusDevice(self.core, backend=RTL_BACKENDS[self.settings.backend], fault=fault)
            if self.settings.observer is not None:
                self.settings.observer.attach(self.name, self.core)
        return self._rtl

    @property
    def built(self) -> bool:
        return self._rtl is not None

    # -- bus side ---------------------------------------------------------------------------

    def read(self, offset: int, size: int) -> int:
        return self._access(offset, size, False, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        self._access(offset, size, True, value)

    def _access(self, offset: int, size: int, write: bool, value: int) -> int:
        rtl = self._device()
        cycle = self.ctx.clock.now()
        started = time.perf_counter()
        busy = self._busy_at(rtl, cycle)
        entry = self._decode.get(offset & ~3)
        try:
            if write:
                rtl.write(cycle, offset, size, value)
                result = 0
            else:
                result = rtl.read(cycle, offset, size)
        except ValueError as exc:       # the driver's access rules (alignment, size, window)
            raise BusError(offset, write, f"{self.name}: {exc}") from None
        finally:
            self.rtl_wall_s += time.perf_counter() - started
        self.accesses += 1
        lane = 8 * (offset & 3)
        mask = ((1 << 8 * size) - 1) << lane
        word = (value if write else result) << lane
        access = None
        if entry is not None:
            access = Access(self.name, entry[0], entry[1], write, word, mask, busy, rtl.cycle - 1,
                            self.ctx.clock.pc())
        self.usage.check(access, entry)
        if access is not None:
            if write and entry[0] == "IRQ_ENABLE" and mask & self._irq_done.mask:
                self._irq_enabled = bool(word & self._irq_done.mask)
            if self.settings.observer is not None:
                self.settings.observer.observe(access)
        self._follow_irq()
        return result

    @staticmethod
    def _busy_at(rtl, cycle: int) -> bool:
        """STATUS.BUSY as the access at `cycle` will see it (the RTL is advanced there)."""
        rtl.advance_to(cycle)
        return rtl.busy

    # -- interrupt --------------------------------------------------------------------------

    def _follow_irq(self) -> None:
        rtl = self._rtl
        if self._irq is not None:
            self._irq.set(rtl.irq)
            if rtl.busy and self._irq_enabled and self._event is None:
                due = max(rtl.cycle, self.ctx.clock.now() + 1)
                self._event = self.ctx.scheduler.at(due, self._catch_up, f"{self.name} busy")

    def _catch_up(self, _cycle: int) -> None:
        """A timed event: the RTL runs up to the CPU's present; DONE may raise the line."""
        self._event = None
        started = time.perf_counter()
        self._rtl.advance_to(self.ctx.clock.now())
        self.rtl_wall_s += time.perf_counter() - started
        self._follow_irq()

    # -- life cycle -------------------------------------------------------------------------

    def reset(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._irq_enabled = False
        self.usage.reset()
        if self._rtl is not None:
            self._rtl.reset(self.ctx.clock.now())
            if self.settings.observer is not None:
                self.settings.observer.attach(self.name, self.core)   # the shadow resets too
            self._follow_irq()

    def blocks(self) -> int | None:
        """The RTL's BLOCKS counter (read after the run; None if the RTL was never used)."""
        if self._rtl is None:
            return None
        return self._rtl.read(self._rtl.cycle, self.regmap.offset("BLOCKS"))

    def stats(self) -> dict | None:
        """What co-simulating this accelerator cost (None if the RTL was never used)."""
        if self._rtl is None:
            return None
        simulated = self._rtl.cycle - self._rtl.skipped
        return {"accesses": self.accesses, "rtl_cycles": self._rtl.cycle, "rtl_cycles_simulated": simulated,
                "rtl_wall_s": round(self.rtl_wall_s, 6),
                "simulated_cycles_per_s": round(simulated / self.rtl_wall_s) if self.rtl_wall_s else None}

    def close(self) -> None:
        if self._rtl is not None:
            self._rtl.close()


def configure_accelerators(devices: dict, settings: AcceleratorSettings) -> list[RtlAccelerator]:
    """Apply `settings` to every RTL accelerator of a board; a fault must find its core."""
    accelerators = [d for d in devices.values() if isinstance(d, RtlAccelerator)]
    for device in accelerators:
        device.configure(settings)
    if settings.fault is not None and not settings.fault_applies:
        raise UserError(f"--rtl-fault {settings.fault.name}: the board has no {settings.fault.core} accelerator")
    return accelerators
