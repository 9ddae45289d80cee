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
    native: bool = True         # a Verilator model may serve the window from C (False: Python serves every access)


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
        self._port = None          # the board's native window for this device, if it gave one
        self._serving_natively = False

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
        self._to_python()
        rtl = self._device()
        cycle = self.ctx.clock.now()
        started = time.perf_counter()
        busy = self._busy_at(rtl, cycle)
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
        self._observe(offset, size, write, value if write else result, busy, rtl.cycle - 1, self.ctx.clock.pc())
        self._follow_irq()
        self._to_native()
        return result

    def _observe(self, offset: int, size: int, write: bool, value: int, busy: bool, rtl_cycle: int,
                 pc: int | None) -> None:
        """What the usage checks and the observer see of one access, however it was served."""
        entry = self._decode.get(offset & ~3)
        lane = 8 * (offset & 3)
        access = None
        if entry is not None:
            access = Access(self.name, entry[0], entry[1], write, value << lane, ((1 << 8 * size) - 1) << lane,
                            busy, rtl_cycle, pc)
        self.usage.check(access, entry)
        if access is not None:
            if write and entry[0] == "IRQ_ENABLE" and access.mask & self._irq_done.mask:
                self._irq_enabled = bool(access.value & self._irq_done.mask)
            if self.settings.observer is not None:
                self.settings.observer.observe(access)

    # -- native service (sim/engine/mmio_port.py) ---------------------------------------------
    # While the interrupt is disabled (polling drivers), a Verilator model serves the window
    # from C; every access is logged and observed here in order. IRQ_ENABLE, accesses C does
    # not take, and everything else that touches the RTL come back to Python first.

    def attach_native_window(self, port) -> None:
        """The board maps this device's window natively; the port serves it once the RTL is
        a model native code can drive."""
        self._port = port
        port.describe_window(self.regmap.size, self._decode, self.regmap.offset("IRQ_ENABLE"))

    def drain_native_window(self) -> None:
        """Called by the native window when its log is full or the RTL raised its interrupt:
        Python takes the RTL back (observing the log) and follows the line; while the line is
        low the window goes on serving."""
        self._to_python()
        if self._rtl is not None and self._rtl.irq:
            self._follow_irq()
        self._to_native()

    def _to_native(self) -> None:
        """Hand the RTL to the native window if nothing needs Python per access."""
        rtl, port = self._rtl, self._port
        if port is None or rtl is None or not self.settings.native or self._serving_natively \
                or self._irq_enabled or rtl.irq or self._event is not None:
            return
        model = rtl.native_model()
        if model is None:
            return
        port.attach_device(*model)
        time_state = rtl.export_time()
        sh = port.shared
        sh.cycle, sh.skipped, sh.quiet = time_state["cycle"], time_state["skipped"], time_state["quiet"]
        sh.settle, sh.fast_forward = time_state["settle"], time_state["fast_forward"]
        sh.native = 1
        self._serving_natively = True

    def _to_python(self) -> None:
        """Take the RTL back from the native window (its log observed first)."""
        if not self._serving_natively:
            return
        port = self._port
        port.shared.native = 0
        self._serving_natively = False
        for rtl_cycle, pc, offset, size, write, value, busy in port.drain_log():
            self._observe(offset, size, bool(write), value, bool(busy), rtl_cycle, pc)
        sh = port.shared
        self._rtl.import_time(sh.cycle, sh.skipped, sh.quiet)

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
        self._to_python()
        started = time.perf_counter()
        self._rtl.advance_to(self.ctx.clock.now())
        self.rtl_wall_s += time.perf_counter() - started
        self._follow_irq()

    # -- life cycle -------------------------------------------------------------------------

    def reset(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._to_python()
        self._irq_enabled = False
        self.usage.reset()
        if self._rtl is not None:
            self._rtl.reset(self.ctx.clock.now())
            if self.settings.observer is not None:
                self.settings.observer.attach(self.name, self.core)   # the shadow resets too
            self._follow_irq()

    def flush_observations(self) -> None:
        """Every access served so far has reached the usage checks and the observer."""
        self._to_python()

    def blocks(self) -> int | None:
        """The RTL's BLOCKS counter (read after the run; None if the RTL was never used)."""
        if self._rtl is None:
            return None
        self._to_python()
        return self._rtl.read(self._rtl.cycle, self.regmap.offset("BLOCKS"))

    def stats(self) -> dict | None:
        """What co-simulating this accelerator cost (None if the RTL was never used)."""
        if self._rtl is None:
            return None
        self._to_python()
        native = self._port.shared if self._port is not None else None
        accesses = self.accesses + (native.accesses if native else 0)
        wall = self.rtl_wall_s + (native.wall_ns / 1e9 if native else 0.0)
        simulated = self._rtl.cycle - self._rtl.skipped
        return {"accesses": accesses, "accesses_native": native.accesses if native else 0,
                "rtl_cycles": self._rtl.cycle, "rtl_cycles_simulated": simulated, "rtl_wall_s": round(wall, 6),
                "simulated_cycles_per_s": round(simulated / wall) if wall else None}

    def close(self) -> None:
        if self._port is not None:
            self._to_python()
            self._port.attach_device(None)
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
