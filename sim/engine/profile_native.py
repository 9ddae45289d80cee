"""Builds and loads the native profiler (native/profilehook.c) with ctypes.

Like the accounting hook (native.py), the shared library is compiled on first use into
build/native/, named by a hash of its source and flags, so an unchanged one loads at once.
It links no library: it reads the accounting hook's counters through pointers.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from pathlib import Path


from . import native, native_abi

SOURCE = Path(__file__).with_name("native") / "profilehook.c"

# Function keys that are not code addresses, and the structures the profiler copies out:
# native/tcs_abi.h (native_abi.py).
_ABI = native_abi.shared_abi()
KEY_EXC_BASE = _ABI.constant("PROF_KEY_EXC_BASE")
KEY_EXC_COUNT = _ABI.constant("PROF_EXC_COUNT")
KEY_ROOT = _ABI.constant("PROF_KEY_ROOT")
KEY_SLEEP = _ABI.constant("PROF_KEY_SLEEP")
KEY_UNKNOWN = _ABI.constant("PROF_KEY_UNKNOWN")
Node = _ABI.structure("prof_node")         # one calling context
FuncExtra = _ABI.structure("prof_func")    # per-function cycles the block table does not hold


# key_of(address, *lo, *hi) -> key: the function key of an address and the interval
# [lo, hi) of addresses sharing it.
KEY_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32),
                                ctypes.POINTER(ctypes.c_uint32))


def _build() -> Path:
    return native.build_shared_library(SOURCE, "profilehook")


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    path = _build()
    lib = ctypes.CDLL(str(path))
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
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    _ABI.verify(lib, path.name)
    return lib


def observer_address() -> int:
    return ctypes.cast(load_library().prof_observe, ctypes.c_void_p).value
