"""A board assembled from its platform description: the core, the memories, the devices
and the address decoder, wired into the CPU."""

from __future__ import annotations

from typing import Callable

from .bus import AddressMap, BusError
from .context import DeviceContext
from ..architecture.core import CortexM4Core
from .peripherals import device_class
from .peripherals.dwt import Dwt
from ..engine.timing import TIMING_MODELS


class Board:
    def __init__(self, desc, *, timing: str = "cortex-m4", seed: int = 0, rtc_epoch: int | None = None,
                 uart_sink: Callable[[str, bytes], None] = lambda n, d: None,
                 warn: Callable[[str], None] = lambda m: None):
        self.desc = desc
        model = TIMING_MODELS[timing](code_wait_states=self._wait_states_at)
        self.core = CortexM4Core(desc, model, self.is_ram)
        self.ctx = DeviceContext(clock=self.core.clock, scheduler=self.core.scheduler,
                                 nvic=self.core.nvic, seed=seed, uart_sink=uart_sink, warn=warn,
                                 core=self.core, rtc_epoch=rtc_epoch)
        self.host = self.ctx.host       # the board's ports to the host (sim/board/net/hostio.py)
        self.devices: dict[str, object] = {}
        self._windows = None            # the native device windows, made on first use
        self._natively_served: list = []
        self.core.accounting.map_code_memory(desc.code_memory.base, desc.code_memory.size)
        for mem in desc.memories:
            self.core.cpu.map_ram(mem.base, mem.size, mem.access)
            if mem.wait_states and timing != "flat":
                self.core.accounting.add_wait_states(mem.base, mem.end, mem.wait_states)
        self._build_devices()

    # -- memories ---------------------------------------------------------------------

    def is_ram(self, address: int, length: int) -> bool:
        mem = self.desc.memory_at(address, length)
        return mem is not None and "w" in mem.access

    def _wait_states_at(self, address: int) -> int:
        mem = self.desc.memory_at(address)
        return mem.wait_states if mem else 0

    # -- devices -------------------------------------------------------------------------

    def _build_devices(self) -> None:
        foreground, background = [], []
        for spec in self.desc.peripherals:
            device = device_class(spec.model)(spec, self.ctx)
            self.devices[spec.name] = device
            (background if spec.is_background else foreground).append((spec.base, spec.end, device))
        self.core.dwt = next((d for d in self.devices.values() if isinstance(d, Dwt)), None)
        self.address_map = AddressMap.build(foreground, background)
        for start, end, windows in self.address_map.cpu_mappings():
            read, write = self._callbacks(start, windows)
            device = windows[0].device
            if len(windows) == 1 and windows[0].start == start and hasattr(device, "attach_native_window"):
                # A device a native model may serve (an accelerator's Verilator model).
                cpu = self.core.cpu
                port = self._native_windows().map(start, end - start, cpu.guarded(read), cpu.guarded(write),
                                                  cpu.guarded(device.drain_native_window))
                device.attach_native_window(port)
                self._natively_served.append(device)
            else:
                self.core.cpu.map_mmio(start, end - start, read, write)

    def _native_windows(self):
        if self._windows is None:
            from ..engine.mmio_port import NativeWindows
            self._windows = NativeWindows(self.core.cpu.engine_handle, self.core.accounting)
        return self._windows

    def _callbacks(self, span_start: int, windows):
        """CPU callbacks for one mapped span: bound to the device when the span is one
        window; dispatched by the address map when it groups several."""
        if len(windows) == 1 and windows[0].start == span_start:
            device, base = windows[0].device, windows[0].device_base

            def target_read(address, size):
                return device.read(address - base, size)

            def target_write(address, size, value):
                device.write(address - base, size, value)
        else:
            target_read, target_write = self.address_map.read, self.address_map.write

        def read(offset, size):
            return self._access(span_start + offset, size, False, target_read)

        def write(offset, size, value):
            self._access(span_start + offset, size, True, target_write, value)
        return read, write

    def _access(self, address: int, size: int, is_write: bool, action, *value):
        """One device access: the clock knows which access it is (for the exact cycle).
        A device's bus error (raised with its own offset) leaves as one at the bus address:
        it becomes BFAR."""
        clock = self.core.clock
        clock.begin_access(address, size)
        try:
            return action(address, size, *value)
        except BusError as exc:
            raise BusError(address, is_write, exc.reason) from None
        finally:
            clock.end_access()

    def settle_devices(self) -> None:
        """What devices served natively during a run has reached Python (its observers,
        its warnings) before the run's result is read."""
        for device in self._natively_served:
            device.drain_native_window()

    def reset_devices(self) -> None:
        for device in self.devices.values():
            device.reset()

    def close(self) -> None:
        """Releases the devices (RTL back ends, host links) and the CPU engine; the board
        is unusable afterwards. Safe to call twice."""
        devices, self.devices = self.devices, {}
        for device in devices.values():
            device.close()
        self.core.cpu.close()
        if self._windows is not None:
            self._windows.close()       # after the engine: it can no longer call them
            self._windows = None
