"""Bus-device back end on a Verilator model of the Verilog that Amaranth emits.

The model is built once per design (cached under build/rtl/verilator/, keyed by a hash
of the Verilog, the harness and the Verilator version) into a shared library with a
small C interface, loaded with ctypes. Its cycle semantics are those of the pysim back
end (an access presents the request, samples the read data, then clocks one edge), and
a test holds the two to the same results cycle for cycle.
"""

import ctypes
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.paths import BUILD_DIR

from .verilog import module_name, verilog_text

CACHE_DIR = BUILD_DIR / "rtl" / "verilator"

_HARNESS = r"""
#include <cstdint>
#include "verilated.h"
#include "V@TOP@.h"

// Verilator escapes the double underscore of Amaranth's port names (bus__addr).
#define BUS(member) bus___05F##member

namespace {
struct Device {
    VerilatedContext context;
    V@TOP@ model{&context};
};

void edge(Device *d) {
    d->model.clk = 1;
    d->model.eval();
    d->model.clk = 0;
    d->model.eval();
}
}  // namespace

extern "C" {
void *dev_new() {
    auto *d = new Device;
    d->model.clk = 0;
    d->model.rst = 0;
    d->model.BUS(stb) = 0;
    d->model.eval();
    return d;
}

void dev_free(void *p) { delete static_cast<Device *>(p); }

uint32_t dev_access(void *p, uint32_t addr, uint32_t we, uint32_t be, uint32_t wdata) {
    auto *d = static_cast<Device *>(p);
    d->model.BUS(addr) = addr;
    d->model.BUS(we) = we;
    d->model.BUS(be) = be;
    d->model.BUS(wdata) = wdata;
    d->model.BUS(stb) = 1;
    d->model.eval();
    uint32_t rdata = d->model.BUS(rdata);
    edge(d);
    d->model.BUS(stb) = 0;
    d->model.eval();
    return rdata;
}

void dev_tick(void *p, uint64_t count) {
    auto *d = static_cast<Device *>(p);
    for (uint64_t i = 0; i < count; ++i) edge(d);
}

uint64_t dev_tick_while_busy(void *p, uint64_t limit) {
    auto *d = static_cast<Device *>(p);
    uint64_t ran = 0;
    while (ran < limit && d->model.busy) { edge(d); ++ran; }
    return ran;
}

void dev_reset(void *p) {
    auto *d = static_cast<Device *>(p);
    d->model.rst = 1;
    edge(d);
    d->model.rst = 0;
    d->model.eval();
}

uint32_t dev_irq(void *p) { return static_cast<Device *>(p)->model.irq; }
uint32_t dev_busy(void *p) { return static_cast<Device *>(p)->model.busy; }
}
"""


def _verilator_version() -> str:
    if shutil.which("verilator") is None:
        raise UserError("the verilator back end needs Verilator (Debian package `verilator`)")
    return subprocess.run(["verilator", "--version"], capture_output=True, text=True).stdout.strip()


def build_library(core: str) -> Path:
    """The shared library of `core`'s model, built if not cached."""
    top = module_name(core)
    verilog = verilog_text(core)
    harness = _HARNESS.replace("@TOP@", top)
    key = hashlib.sha256("\0".join((verilog, harness, _verilator_version())).encode()).hexdigest()[:16]
    target = CACHE_DIR / f"{top}-{key}" / f"lib{top}.so"
    if target.exists():
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # One build at a time (parallel test workers), the others then find it cached.
    with open(CACHE_DIR / f".{top}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _build(top, verilog, harness, target)
    return target


def _build(top: str, verilog: str, harness: str, target: Path) -> None:
    # Built in a private folder and renamed into place, so a half-built one is never used.
    work = Path(tempfile.mkdtemp(prefix=f"{top}-", dir=CACHE_DIR))
    (work / f"{top}.v").write_text(verilog)
    (work / "harness.cpp").write_text(harness)
    cmd = ["verilator", "--cc", "--exe", "--build", "-O3", "--x-assign", "fast",
           "--x-initial", "fast", "-Wno-fatal", "-Wno-lint", "-Wno-style",
           "--top-module", top, "--Mdir", "obj", "-o", f"../lib{top}.so",
           "-CFLAGS", "-fPIC", "-LDFLAGS", "-shared",
           "-MAKEFLAGS", f"-j{os.cpu_count() or 1}",
           f"{top}.v", "harness.cpp"]
    result = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise UserError(f"Verilator build of {top} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    shutil.rmtree(work / "obj")
    os.rename(work, target.parent)


class VerilatorBackend:
    name = "verilator"

    def __init__(self, core: str):
        lib = ctypes.CDLL(str(build_library(core)))
        handle, u32, u64 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64
        for fn, args, result in (
                ("dev_new", (), handle), ("dev_free", (handle,), None),
                ("dev_access", (handle, u32, u32, u32, u32), u32),
                ("dev_tick", (handle, u64), None), ("dev_tick_while_busy", (handle, u64), u64),
                ("dev_reset", (handle,), None), ("dev_irq", (handle,), u32),
                ("dev_busy", (handle,), u32)):
            getattr(lib, fn).argtypes, getattr(lib, fn).restype = args, result
        self._lib = lib
        self._dev = lib.dev_new()
        self._sample()                  # the outputs at power-on (a core may be wiping)

    def access(self, we: int, addr: int, be: int, wdata: int) -> int:
        data = self._lib.dev_access(self._dev, addr, we, be, wdata)
        self._sample()
        return data

    def tick(self, count: int) -> None:
        self._lib.dev_tick(self._dev, count)
        self._sample()

    def tick_while_busy(self, limit: int) -> int:
        ran = self._lib.dev_tick_while_busy(self._dev, limit)
        self._sample()
        return ran

    def reset(self) -> None:
        self._lib.dev_reset(self._dev)
        self._sample()

    def native_model(self) -> tuple[int, dict[str, int]]:
        """(the model's handle, the addresses of its C entry points) for native code that
        drives it directly (the simulator's native device windows); call resample() after."""
        lib = self._lib
        address = lambda fn: ctypes.cast(fn, ctypes.c_void_p).value
        return self._dev, {"access": address(lib.dev_access), "tick": address(lib.dev_tick),
                           "tick_while_busy": address(lib.dev_tick_while_busy),
                           "busy": address(lib.dev_busy), "irq": address(lib.dev_irq)}

    def resample(self) -> None:
        """Reads the outputs again (native code drove the model since the last call)."""
        self._sample()

    def close(self) -> None:
        if self._dev:
            self._lib.dev_free(self._dev)
            self._dev = None

    def _sample(self) -> None:
        self.irq = bool(self._lib.dev_irq(self._dev))
        self.busy = bool(self._lib.dev_busy(self._dev))
