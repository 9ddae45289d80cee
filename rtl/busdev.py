"""RtlBusDevice: an accelerator's RTL as a bus target for the board simulator (lazy sync).

The board calls `read`/`write` with the CPU cycle at which the access happens; the RTL
is first advanced to that cycle, then performs the access. Firmware that polls STATUS
therefore pays the real latency of the hardware.

Timing contract (the RTL's cycle count starts at 0 at reset):
- An access at cycle c occupies the RTL's cycle c; afterwards the device is at c + 1.
  The next access may be at c + 1 (back to back) or later. An access asked for at a
  cycle the device has already passed is performed at the device's current cycle.
- A read at cycle c returns the registers as the edge ending cycle c - 1 left them.
- A write at cycle c is committed by the edge ending cycle c: a read at c + 1 sees it.
- Writing CTRL.START at cycle s: STATUS.BUSY reads 1 from s + 1; STATUS.DONE reads 1
  (and BUSY 0, and the results are readable, and `irq` is high if enabled) from
  s + 11/13/15 (AES-128/192/256 with the key schedule ready; add 4 * (Nr + 1) + 1 when
  START first expands it) or s + 65 (SHA-256).

Idle fast-forward: once the core is not busy and has seen no write for a few cycles its
registers are a fixed point (the accelerators change state only on a bus write or
while busy), so `advance_to` skips such stretches instead of simulating them; the
board's long gaps between accelerator accesses then cost nothing. The equivalence is
tested against a device without fast-forward.
"""

from pathlib import Path

from .regmaps import register_map

# Idle cycles to simulate before the state is a fixed point (2 suffice: the AES S-box
# ROMs re-read their idle addresses once after a DIN/KEY write); a margin on top.
SETTLE_CYCLES = 4
BACKENDS = ("pysim", "verilator")


class RtlBusDevice:
    def __init__(self, core: str, *, backend: str = "pysim", vcd: Path | None = None,
                 fast_forward: bool = True, design=None, fault=None):
        """`design`: an accelerator component to simulate instead of the shipped one of
        `core` (pysim only: Verilator builds from the core's name). `fault`: a deliberately
        broken variant of the shipped design, by name or as a Fault of
        tlscosim.sim.board.peripherals.accelerator_faults (either back end)."""
        self.core = core
        self.regmap = register_map(core)
        if backend not in BACKENDS:
            raise ValueError(f"unknown back end {backend!r}; choose one of {', '.join(BACKENDS)}")
        if design is not None and (fault is not None or backend != "pysim"):
            raise ValueError("design= needs the pysim back end and no fault=")
        from contextlib import nullcontext
        planted = nullcontext()
        if fault is not None:
            from tlscosim.sim.board.peripherals.accelerator_faults import design_override, fault_named
            fault = fault_named(fault) if isinstance(fault, str) else fault
            if fault.core != core:
                raise ValueError(f"fault {fault.name} is a fault of the {fault.core} core, not of {core}")
            planted = design_override(fault)
        with planted:
            if backend == "pysim":
                from .designs import build_accelerator
                from .pysim_backend import PysimBackend
                self._backend = PysimBackend(design if design is not None else build_accelerator(core), vcd)
            else:
                if vcd is not None:
                    raise ValueError("VCD output is available with the pysim back end only")
                from .verilator_backend import VerilatorBackend
                self._backend = VerilatorBackend(core)
        # Waveforms show every cycle, so no fast-forward while one is written.
        self._fast_forward = fast_forward and vcd is None
        self.cycle = 0          # cycles since reset, simulated or skipped
        self.skipped = 0        # of which fast-forwarded
        self._quiet = 0         # consecutive simulated cycles without a write or busy core

    @property
    def backend(self) -> str:
        return self._backend.name

    @property
    def irq(self) -> bool:
        """The interrupt line at the device's current cycle."""
        return self._backend.irq

    @property
    def busy(self) -> bool:
        return self._backend.busy

    # -- time ------------------------------------------------------------------------------

    def advance_to(self, cycle: int) -> None:
        """Run the RTL up to (not including) `cycle`; nothing if it is already there."""
        remaining = cycle - self.cycle
        if remaining <= 0:
            return
        if self._backend.busy:
            ran = self._backend.tick_while_busy(remaining)
            self._quiet = 0
            remaining -= ran
        if remaining > 0:
            simulate = remaining
            if self._fast_forward:
                simulate = min(remaining, max(0, SETTLE_CYCLES - self._quiet))
            if simulate:
                self._backend.tick(simulate)
                self._quiet += simulate
            self.skipped += remaining - simulate
        self.cycle = cycle

    def advance_while_busy(self, limit: int) -> int:
        """Advance while the core is busy, at most to `limit`; returns the device's cycle."""
        if self.busy and limit > self.cycle:
            self.cycle += self._backend.tick_while_busy(limit - self.cycle)
            self._quiet = 0
        return self.cycle

    def advance_until_irq(self, limit: int) -> int | None:
        """Advance until the interrupt line is high (returns that cycle) or to `limit`."""
        if not self.irq:
            self.advance_while_busy(limit)   # the line only rises as an operation ends
        if self.irq:
            return self.cycle
        self.advance_to(limit)
        return None

    def reset(self, cycle: int) -> None:
        """Assert the core's reset during `cycle` (one cycle, like an access)."""
        self.advance_to(cycle)
        self._backend.reset()
        self._after_access(disturbed=True)

    # -- bus accesses -------------------------------------------------------------------------

    def read(self, cycle: int, offset: int, size: int = 4) -> int:
        word, be, shift = self._lanes(offset, size)
        self.advance_to(cycle)
        busy_before = self._backend.busy
        data = self._backend.access(0, word, 0, 0)
        self._after_access(disturbed=busy_before)
        return (data >> shift) & ((1 << 8 * size) - 1)

    def write(self, cycle: int, offset: int, size: int, value: int) -> None:
        word, be, shift = self._lanes(offset, size)
        if not 0 <= value < 1 << 8 * size:
            raise ValueError(f"value {value:#x} does not fit in {size} bytes")
        self.advance_to(cycle)
        self._backend.access(1, word, be, value << shift)
        self._after_access(disturbed=True)

    # -- handing the device to native code -------------------------------------------------------

    def native_model(self) -> tuple[int, dict[str, int]] | None:
        """(handle, C entry points) of the back end's model for native code that performs
        accesses itself (None: this back end is Python only). While native code drives it,
        the device's time is the native side's: see export_time/import_time."""
        model = getattr(self._backend, "native_model", None)
        return model() if model is not None else None

    def export_time(self) -> dict[str, int]:
        """What advance_to keeps between accesses, for native code that takes over."""
        return {"cycle": self.cycle, "skipped": self.skipped, "quiet": self._quiet,
                "settle": SETTLE_CYCLES, "fast_forward": int(self._fast_forward)}

    def import_time(self, cycle: int, skipped: int, quiet: int) -> None:
        """Native code hands the device back as it left it."""
        self.cycle, self.skipped, self._quiet = cycle, skipped, quiet
        self._backend.resample()

    def storage(self) -> dict[str, int]:
        """Every flip-flop and memory row of the design now (pysim back end only)."""
        if not hasattr(self._backend, "storage"):
            raise ValueError("storage inspection needs the pysim back end")
        return self._backend.storage()

    def close(self) -> None:
        self._backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- helpers ----------------------------------------------------------------------------

    def _after_access(self, disturbed: bool) -> None:
        """A cycle was spent on an access; a write or a busy core disturbs the state."""
        self.cycle += 1
        self._quiet = 0 if disturbed else self._quiet + 1

    def _lanes(self, offset: int, size: int) -> tuple[int, int, int]:
        """(word address, byte enables, bit shift) of an access of `size` bytes at `offset`."""
        if size not in (1, 2, 4):
            raise ValueError(f"access size {size} is not 1, 2 or 4 bytes")
        if offset % size:
            raise ValueError(f"{size}-byte access at {offset:#x} is not aligned")
        if not 0 <= offset < self.regmap.size:
            raise ValueError(f"offset {offset:#x} outside the {self.regmap.size:#x}-byte window")
        lane = offset & 3
        return offset & ~3, ((1 << size) - 1) << lane, 8 * lane
