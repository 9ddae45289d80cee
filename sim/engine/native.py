"""Builds and loads the native block hook (native/cyclehook.c) with ctypes.

Its structures and numbers are those of native/tcs_abi.h, checked at load (native_abi.py).

The shared library is compiled on first use into build/native/, keyed by a hash of its
source, the headers beside it and the Unicorn library it links against, so a change to
any of them rebuilds it and an unchanged one loads at once.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
from functools import lru_cache
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.paths import NATIVE_BUILD_DIR

from . import native_abi

SOURCE = Path(__file__).with_name("native") / "cyclehook.c"
# What the hook shares with Python comes from native/tcs_abi.h (see native_abi.py).
_ABI = native_abi.shared_abi()
RECENT_BLOCKS = _ABI.constant("TCS_RECENT")
MISS_RETRANSLATE = _ABI.constant("TCS_MISS_RETRANSLATE")
Flow = _ABI.group("TCS_FLOW_")            # call-stack effect of a block's last instruction
BlockEnd = _ABI.group("TCS_END_")         # how a block ends
StopReason = _ABI.group("TCS_STOP_")      # why the hook stopped emulation
SiteKind = _ABI.group("TCS_SITE_")        # instructions whose cost is settled at run time
SharedCounters = _ABI.structure("tcs_shared")
Totals = _ABI.structure("tcs_totals_t")
BlockCost = _ABI.structure("tcs_block")
AccessSite = _ABI.structure("tcs_access_site")   # a load/store of a block (mmio_port.c)
MemKind = _ABI.group("TCS_MEM_")                  # how it names its address


MISS_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_uint32, ctypes.c_uint32)


def _unicorn_lib_dir() -> Path:
    import unicorn  # only for locating its shared library and headers

    return Path(unicorn.__file__).parent / "lib"


def _unicorn_include_dir() -> Path:
    import unicorn

    return Path(unicorn.__file__).parent / "include"


COMPILE_FLAGS = ("-O3", "-g", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror")


def build_shared_library(source: Path, name: str, extra_flags=(), libraries=()) -> Path:
    """Compiles `source` into build/native/<name>-<hash>.so unless it is there already;
    the hash covers the source, the headers beside it and the command, so a change to any
    of them rebuilds it."""
    flags = [*COMPILE_FLAGS, *extra_flags]
    digest = hashlib.sha256()
    for path in [source, *sorted(source.parent.glob("*.h"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(" ".join(flags + list(libraries)).encode())
    out = NATIVE_BUILD_DIR / f"{name}-{digest.hexdigest()[:16]}.so"
    if out.exists():
        return out
    NATIVE_BUILD_DIR.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    try:
        proc = subprocess.run(["gcc", *flags, str(source), "-o", str(tmp), *libraries],
                              capture_output=True, text=True)
    except FileNotFoundError:
        raise UserError(f"gcc is needed to build {source.name}; run ./setup.sh") from None
    if proc.returncode != 0:
        raise UserError(f"building {source.name} failed:\n{proc.stderr}")
    tmp.replace(out)   # atomic: parallel test workers may build at once, each to its own file
    return out


def _build() -> Path:
    lib_dir = _unicorn_lib_dir()
    return build_shared_library(SOURCE, "cyclehook", extra_flags=[f"-I{_unicorn_include_dir()}"],
                                libraries=[f"-L{lib_dir}", "-l:libunicorn.so.2", f"-Wl,-rpath,{lib_dir}"])


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    path = _build()
    lib = ctypes.CDLL(str(path))
    lib.tcs_new.restype = ctypes.c_void_p
    lib.tcs_new.argtypes = [ctypes.c_void_p, MISS_CALLBACK]
    lib.tcs_free.argtypes = [ctypes.c_void_p]
    lib.tcs_shared_of.restype = ctypes.POINTER(SharedCounters)
    lib.tcs_shared_of.argtypes = [ctypes.c_void_p]
    lib.tcs_insert.restype = ctypes.c_int64
    lib.tcs_insert.argtypes = [ctypes.c_void_p, ctypes.POINTER(BlockCost)]
    lib.tcs_get_block.restype = ctypes.c_int
    lib.tcs_get_block.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.POINTER(BlockCost)]
    lib.tcs_set_direct_map.restype = ctypes.c_int
    lib.tcs_set_direct_map.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
    lib.tcs_align_new.restype = ctypes.c_void_p
    lib.tcs_align_new.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32, ctypes.c_int32, ctypes.c_uint32]
    lib.tcs_align_missed.restype = ctypes.c_uint64
    lib.tcs_align_missed.argtypes = [ctypes.c_void_p]
    lib.tcs_site_new.restype = ctypes.c_void_p
    lib.tcs_site_new.argtypes = [ctypes.c_void_p] + [ctypes.c_uint32] * 2 + [ctypes.c_int32] * 2 + [ctypes.c_uint32] * 5
    lib.tcs_site_free.argtypes = [ctypes.c_void_p]
    lib.tcs_wait_new.restype = ctypes.c_void_p
    lib.tcs_wait_new.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.tcs_set_observer.restype = None
    lib.tcs_set_observer.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.tcs_totals.restype = None
    lib.tcs_totals.argtypes = [ctypes.c_void_p, ctypes.POINTER(Totals)]
    lib.tcs_set_block_fp.restype = ctypes.c_int
    lib.tcs_set_block_fp.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
    lib.tcs_set_fp_trap.restype = None
    lib.tcs_set_fp_trap.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
    lib.tcs_fp_trapped.restype = ctypes.c_int64
    lib.tcs_fp_trapped.argtypes = [ctypes.c_void_p]
    _ABI.verify(lib, path.name)
    return lib


def block_hook_address(refills: bool = True) -> int:
    """The cycle-model hook, or the leaner one for instruction counting only."""
    lib = load_library()
    hook = lib.tcs_block_hook if refills else lib.tcs_block_hook_counting
    return ctypes.cast(hook, ctypes.c_void_p).value


def wait_hook_address() -> int:
    return ctypes.cast(load_library().tcs_wait_hook, ctypes.c_void_p).value


def align_hook_address() -> int:
    return ctypes.cast(load_library().tcs_align_hook, ctypes.c_void_p).value


def site_hook_address() -> int:
    return ctypes.cast(load_library().tcs_site_hook, ctypes.c_void_p).value
