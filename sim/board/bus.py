"""The address decoder: which device answers an address.

Devices and memories come from the board description. Background regions (QEMU's
"unimplemented" windows) fill whatever the real devices leave free. The decoded map is a
sorted list of non-overlapping windows, searched by bisection; each window is mapped
into the CPU once, with its device bound to the callbacks, so an access goes straight to
its device without any search. Windows that do not start and end on the CPU's mapping
granule share a granule-aligned window that dispatches by bisection.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Protocol

MAP_GRANULE = 0x400   # Unicorn maps ARM memory in 1 KiB pages


class BusError(Exception):
    """An access no device answers (becomes a BusFault)."""

    def __init__(self, address: int, write: bool, reason: str = "no device"):
        super().__init__(f"{'write' if write else 'read'} at {address:#010x}: {reason}")
        self.address = address
        self.write = write
        self.reason = reason


class Device(Protocol):
    name: str

    def read(self, offset: int, size: int) -> int: ...

    def write(self, offset: int, size: int, value: int) -> None: ...


@dataclass(frozen=True)
class Window:
    start: int
    end: int
    device: Device
    device_base: int     # address of the device's offset 0


class AddressMap:
    """Non-overlapping windows; foreground devices cut holes in background ones."""

    def __init__(self) -> None:
        self._windows: list[Window] = []
        self._starts: list[int] = []

    @classmethod
    def build(cls, foreground: list[tuple[int, int, Device]],
              background: list[tuple[int, int, Device]]) -> "AddressMap":
        amap = cls()
        fg = sorted(foreground, key=lambda t: t[0])
        for (s0, e0, d0), (s1, _e1, d1) in zip(fg, fg[1:]):
            if s1 < e0:
                raise ValueError(f"devices {d0.name} and {d1.name} overlap at {s1:#010x}")
        windows = [Window(s, e, d, s) for s, e, d in fg]
        for start, end, device in background:
            cursor = start
            for s, e, _d in fg:
                if e <= cursor or s >= end:
                    continue
                if s > cursor:
                    windows.append(Window(cursor, s, device, start))
                cursor = max(cursor, e)
            if cursor < end:
                windows.append(Window(cursor, end, device, start))
        windows.sort(key=lambda w: w.start)
        for a, b in zip(windows, windows[1:]):
            if b.start < a.end:
                raise ValueError(f"background regions {a.device.name} and {b.device.name} overlap")
        amap._windows = windows
        amap._starts = [w.start for w in windows]
        return amap

    @property
    def windows(self) -> list[Window]:
        return list(self._windows)

    def find(self, address: int) -> Window | None:
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0 and address < self._windows[i].end:
            return self._windows[i]
        return None

    def read(self, address: int, size: int) -> int:
        w = self.find(address)
        if w is None:
            raise BusError(address, False)
        return w.device.read(address - w.device_base, size)

    def write(self, address: int, size: int, value: int) -> None:
        w = self.find(address)
        if w is None:
            raise BusError(address, True)
        w.device.write(address - w.device_base, size, value)

    def cpu_mappings(self) -> list[tuple[int, int, list[Window]]]:
        """Granule-aligned (start, end, windows) spans to map into the CPU: a single
        aligned window maps on its own; others are grouped with their neighbours."""
        spans: list[tuple[int, int, list[Window]]] = []
        for w in self._windows:
            start = w.start - w.start % MAP_GRANULE
            end = -(-w.end // MAP_GRANULE) * MAP_GRANULE
            if spans and start < spans[-1][1]:
                s0, e0, ws = spans[-1]
                spans[-1] = (s0, max(e0, end), ws + [w])
            else:
                spans.append((start, end, [w]))
        return spans
