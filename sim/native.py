"""Builds and loads the native block hook (native/cyclehook.c) with ctypes.

The shared library is compiled on first use into build/native/, keyed by a hash of its
source and of the Unicorn library it links against, so a changed source or Unicorn
rebuilds it and an unchanged one loads at once.
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

SOURCE = Path(__file__).with_name("native") / "cyclehook.c"
RECENT_BLOCKS = 32


class Flow:
    """Call-stack effect of a block's last instruction (enum tcs_flow)."""

    NONE = 0
    CALL = 1
    RETURN = 2


class BlockEnd:
    """How a block ends (enum tcs_block_end)."""

    SEQUENTIAL = 0
    CONDITIONAL = 1
    BRANCH = 2


class StopReason:
    NONE = 0
    DEADLINE = 1
    REQUEST = 2
    IRQ_UNMASKED = 3
    DECODE_ERROR = 4
    RETRANSLATE = 5
    FP_TRAP = 6
    UNALIGNED = 7


MISS_RETRANSLATE = -2


class SiteKind:
    """Instructions whose cost is settled at run time (enum tcs_site_kind)."""

    DIVIDE = 1
    CONDITIONAL = 2


class SharedCounters(ctypes.Structure):
    """Mirror of tcs_shared in cyclehook.c."""

    _fields_ = [
        ("cycles", ctypes.c_uint64),
        ("deadline", ctypes.c_uint64),
        ("deadline_after_watch", ctypes.c_uint64),
        ("block_start_cycles", ctypes.c_uint64),
        ("refill_cycles", ctypes.c_uint64),
        ("site_cpi", ctypes.c_int64),
        ("site_lsu", ctypes.c_int64),
        ("cur_block", ctypes.c_int64),
        ("stop_request", ctypes.c_uint32),
        ("stop_reason", ctypes.c_uint32),
        ("watch_irq", ctypes.c_uint32),
        ("watch_prio", ctypes.c_uint32),
        ("watch_group_mask", ctypes.c_uint32),
        ("pending_end", ctypes.c_uint32),
        ("pending_fallthrough", ctypes.c_uint32),
        ("recent_pos", ctypes.c_uint32),
        ("recent", ctypes.c_uint32 * RECENT_BLOCKS),
    ]


class Totals(ctypes.Structure):
    """Mirror of tcs_totals_t: sums over the block table."""

    _fields_ = [(name, ctypes.c_uint64) for name in ("instructions", "cpi", "lsu", "fold")]


class BlockCost(ctypes.Structure):
    """Mirror of tcs_block in cyclehook.c."""

    _fields_ = [
        ("addr", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("ninsn", ctypes.c_uint32),
        ("cycles", ctypes.c_uint32),
        ("end", ctypes.c_uint32),
        ("refill", ctypes.c_uint32),
        ("cpi", ctypes.c_uint32),
        ("lsu", ctypes.c_uint32),
        ("fold", ctypes.c_uint32),
        ("flow", ctypes.c_uint32),
        ("count", ctypes.c_uint64),
    ]


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
    the hash covers the source and the command, so a change rebuilds it."""
    flags = [*COMPILE_FLAGS, *extra_flags]
    digest = hashlib.sha256(source.read_bytes() + " ".join(flags + list(libraries)).encode()).hexdigest()[:16]
    out = NATIVE_BUILD_DIR / f"{name}-{digest}.so"
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
    lib = ctypes.CDLL(str(_build()))
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
    lib.tcs_layout.restype = ctypes.c_int64
    lib.tcs_layout.argtypes = [ctypes.c_int]
    _check_layout(lib)
    return lib


def _check_layout(lib: ctypes.CDLL) -> None:
    expected = {
        0: ctypes.sizeof(SharedCounters),
        1: SharedCounters.cur_block.offset,
        2: SharedCounters.stop_request.offset,
        3: SharedCounters.recent.offset,
        4: ctypes.sizeof(BlockCost),
        5: BlockCost.count.offset,
        6: RECENT_BLOCKS,
        7: ctypes.sizeof(Totals),
    }
    for key, value in expected.items():
        got = lib.tcs_layout(key)
        if got != value:
            raise RuntimeError(f"native hook layout mismatch (item {key}: C {got}, Python {value})")


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
