"""Native device windows (native/mmio_port.c), seen from Python.

A window mapped through a `NativeWindows` is served by Python's callbacks, exactly as
`Cpu.map_mmio` serves one, until a native device model is attached to its `Port` and
the port is switched to native service: then the accesses its registers decode are
performed in C at the accessing instruction's cycle, and logged for Python's observers
(`Port.drain_log`). The instruction is located as `CycleAccounting.locate` locates it,
from the same cursor and the same description of the block's loads and stores
(`access_sites`), so the two give the same cycle for every access.
"""

from __future__ import annotations

import ctypes
import struct
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import native, native_abi

SOURCE = Path(__file__).with_name("native") / "mmio_port.c"
_ABI = native_abi.shared_abi()
AccessSite = native.AccessSite
PortAccess = _ABI.structure("tcs_port_access")
PortShared = _ABI.structure("tcs_port_shared")
MAX_WORDS = _ABI.constant("TCS_PORT_WORDS")

# The log is read as raw bytes (struct is some ten times quicker than ctypes field access
# at millions of records); the format follows tcs_port_access field by field.
_CODES = {ctypes.c_uint64: "Q", ctypes.c_uint32: "I", ctypes.c_int64: "q", ctypes.c_int32: "i"}
_RECORD = struct.Struct("<" + "".join(_CODES[kind] for _name, kind in PortAccess._fields_))
assert _RECORD.size == ctypes.sizeof(PortAccess), "tcs_port_access has padding the log reader does not expect"

READ_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32)
WRITE_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64)
SITES_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int64)
DRAIN_CALLBACK = ctypes.CFUNCTYPE(None)


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    path = native.build_shared_library(
        SOURCE, "mmio_port", extra_flags=[f"-I{native._unicorn_include_dir()}"],
        libraries=[f"-L{native._unicorn_lib_dir()}", "-l:libunicorn.so.2",
                   f"-Wl,-rpath,{native._unicorn_lib_dir()}"])
    lib = ctypes.CDLL(str(path))
    p, u32, i32, i64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32, ctypes.c_int64
    for name, args, result in (
            ("loc_new", (p, p, SITES_CALLBACK), p), ("loc_free", (p,), None),
            ("loc_forget", (p, i64), None),
            ("loc_set_sites", (p, i64, ctypes.POINTER(AccessSite), u32), i32),
            ("port_new", (p, READ_CALLBACK, WRITE_CALLBACK, DRAIN_CALLBACK), p), ("port_free", (p,), None),
            ("port_shared", (p,), ctypes.POINTER(PortShared)), ("port_log", (p,), ctypes.POINTER(PortAccess)),
            ("port_set_device", (p, p, p, p, p, p, p), None),
            ("port_map", (p, p, u32, u32), i32)):
        getattr(lib, name).argtypes, getattr(lib, name).restype = args, result
    _ABI.verify(lib, path.name)
    return lib


class Port:
    """One window served by C once a device model is attached and `native` is set."""

    def __init__(self, lib, locator: int, read: Callable, write: Callable, drain: Callable[[], None]):
        self._lib = lib
        def write_returning_nothing(offset, size, value):
            write(offset, size, value)        # ctypes wants None from a void callback

        def drain_returning_nothing():
            drain()
        self._callbacks = (READ_CALLBACK(read), WRITE_CALLBACK(write_returning_nothing),
                           DRAIN_CALLBACK(drain_returning_nothing))
        self._handle = lib.port_new(locator, *self._callbacks)
        if not self._handle:
            raise MemoryError("native window allocation failed")
        self.shared = lib.port_shared(self._handle).contents
        self._log = lib.port_log(self._handle)

    @property
    def handle(self) -> int:
        return self._handle

    def describe_window(self, size: int, decoded_offsets, python_offset: int | None) -> None:
        """The window's size, the byte offsets of its registers' words, and the one word
        Python always serves."""
        if size > 4 * MAX_WORDS:
            raise ValueError(f"a native window holds at most {4 * MAX_WORDS} bytes, not {size}")
        sh = self.shared
        sh.window = size
        for i in range(len(sh.decoded)):
            sh.decoded[i] = 0
        for offset in decoded_offsets:
            word = offset // 4
            sh.decoded[word // 32] |= 1 << (word % 32)
        sh.python_word = 0xFFFFFFFF if python_offset is None else python_offset & ~3

    # The entry points a device model gives, in port_set_device's order.
    ENTRY_POINTS = ("access", "tick", "tick_while_busy", "busy", "irq")

    def attach_device(self, handle: int | None, entry_points: dict[str, int] | None = None) -> None:
        """The native model serving the window: its handle and the addresses of its C
        functions access(dev, word address, we, byte enables, wdata) -> rdata, tick(dev, n),
        tick_while_busy(dev, limit) -> cycles run, busy(dev), irq(dev). None: Python serves it."""
        if handle is None:
            self.shared.native = 0
            self._lib.port_set_device(self._handle, None, None, None, None, None, None)
        else:
            self._lib.port_set_device(self._handle, handle, *(entry_points[name] for name in self.ENTRY_POINTS))

    def drain_log(self):
        """The accesses served natively since the last drain, in order, as tuples of
        tcs_port_access's fields (rtl_cycle, pc, offset, size, write, value, busy); forgets them."""
        n = self.shared.logged
        records = list(_RECORD.iter_unpack(ctypes.string_at(self._log, n * _RECORD.size)))
        self.shared.logged = 0
        return records

    def close(self) -> None:
        if self._handle:
            self.attach_device(None)
            self._lib.port_free(self._handle)
            self._handle = None


class NativeWindows:
    """The CPU's native windows and the locator they share (one per CPU)."""

    def __init__(self, uc_handle: int, accounting):
        self._lib = load_library()
        self._uc = uc_handle
        self._accounting = accounting
        self._sites_callback = SITES_CALLBACK(self._give_sites)
        self._locator = self._lib.loc_new(uc_handle, ctypes.addressof(accounting.shared), self._sites_callback)
        if not self._locator:
            raise MemoryError("native locator allocation failed")
        accounting.on_block_replaced(lambda index: self._lib.loc_forget(self._locator, index))
        self._ports: list[Port] = []

    def map(self, base: int, size: int, read: Callable, write: Callable, drain: Callable[[], None]) -> Port:
        """Maps [base, base + size); read(offset, size) -> int and write(offset, size, value)
        serve what C does not (they must not raise: wrap them as Cpu.map_mmio does)."""
        port = Port(self._lib, self._locator, read, write, drain)
        if self._lib.port_map(port.handle, self._uc, base, size) != 0:
            raise MemoryError(f"cannot map a native window at {base:#010x}+{size:#x}")
        self._ports.append(port)
        return port

    def _give_sites(self, block: int) -> int:
        # Called from C inside an access: must never raise.
        try:
            sites = self._accounting.access_sites(block)
            array = (AccessSite * max(1, len(sites)))(*sites)
            return self._lib.loc_set_sites(self._locator, block, array, len(sites))
        except Exception:  # noqa: BLE001 - C then leaves the access to Python
            return -1

    def close(self) -> None:
        for port in self._ports:
            port.close()
        self._ports.clear()
        if self._locator:
            self._lib.loc_free(self._locator)
            self._locator = None
