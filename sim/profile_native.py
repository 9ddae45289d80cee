"""Builds and loads the native profiler (native/profilehook.c) with ctypes.

Like the accounting hook (native.py), the shared library is compiled on first use into
build/native/, named by a hash of its source and flags, so an unchanged one loads at once.
It links no library: it reads the accounting hook's counters through pointers.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from pathlib import Path


from . import native

SOURCE = Path(__file__).with_name("native") / "profilehook.c"

# Function keys that are not code addresses (profilehook.c PROF_KEY_*).
KEY_EXC_BASE = 0xFFFFF000
KEY_EXC_COUNT = 512
KEY_ROOT = 0xFFFFFFFD
KEY_SLEEP = 0xFFFFFFFE
KEY_UNKNOWN = 0xFFFFFFFF


class Node(ctypes.Structure):
    """Mirror of prof_node: one calling context."""

    _fields_ = [("key", ctypes.c_uint32), ("parent", ctypes.c_uint32), ("calls", ctypes.c_uint64),
                ("cycles", ctypes.c_int64), ("insns", ctypes.c_int64)]


class FuncExtra(ctypes.Structure):
    """Mirror of prof_func: per-function cycles the block table does not hold."""

    _fields_ = [("key", ctypes.c_uint32), ("pad", ctypes.c_uint32), ("refill", ctypes.c_int64),
                ("site", ctypes.c_int64), ("corr_cycles", ctypes.c_int64), ("corr_insns", ctypes.c_int64)]


# key_of(address, *lo, *hi) -> key: the function key of an address and the interval
# [lo, hi) of addresses sharing it.
KEY_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32),
                                ctypes.POINTER(ctypes.c_uint32))


def _build() -> Path:
    return native.build_shared_library(SOURCE, "profilehook")


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(_build()))
    u32, u64, i64, ptr = ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int64, ctypes.c_void_p
    signatures = {
        "prof_new": (ptr, [ptr, ptr, ptr, KEY_CALLBACK, u32, u32, u64, i64, i64]),
        "prof_free": (None, [ptr]),
        "prof_sync": (None, [ptr, u64, i64, i64]),
        "prof_exception_entry": (u32, [ptr, u32, u32, u64, i64, u64, i64, i64]),
        "prof_exception_return": (u32, [ptr, u64, i64, u64, i64, i64]),
        "prof_add_cycles": (None, [ptr, u32, i64]),
        "prof_node_count": (u32, [ptr]),
        "prof_func_count": (u32, [ptr]),
        "prof_copy_nodes": (None, [ptr, ptr]),
        "prof_copy_funcs": (None, [ptr, ptr]),
        "prof_stats": (None, [ptr, ctypes.POINTER(u64 * 4)]),
        "prof_layout": (i64, [ctypes.c_int]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    _check_layout(lib)
    return lib


def _check_layout(lib: ctypes.CDLL) -> None:
    block = native.BlockCost
    expected = {0: ctypes.sizeof(block), 1: block.ninsn.offset, 2: block.cycles.offset,
                3: block.end.offset, 4: block.flow.offset, 5: ctypes.sizeof(Node),
                6: ctypes.sizeof(FuncExtra), 7: block.size.offset}
    for key, value in expected.items():
        got = lib.prof_layout(key)
        if got != value:
            raise RuntimeError(f"profiler hook layout mismatch (item {key}: C {got}, Python {value})")


def observer_address() -> int:
    return ctypes.cast(load_library().prof_observe, ctypes.c_void_p).value
