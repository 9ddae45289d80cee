"""Bus-device back end on Amaranth's Python simulator.

Lazy synchronisation needs the simulation to stop exactly where the caller wants it. A
background testbench acts as a server: the caller queues one operation and calls
`Simulator.advance()` until the server reports it finished; between operations the
server parks on `ctx.delay(0)`, which consumes no simulated time, so the next access
can be presented in the very next cycle.
"""

import contextlib
from pathlib import Path

from amaranth.hdl import Cat, ClockDomain, Elaboratable, Fragment, Module
from amaranth.sim import Simulator

CLOCK_PERIOD = 1e-6     # arbitrary: the device counts cycles, not seconds


class _Harness(Elaboratable):
    """The accelerator plus an explicit clock domain, so that a testbench can drive reset."""

    def __init__(self, dut):
        self.dut = dut
        self.domain = ClockDomain("sync")

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = self.domain
        m.submodules.dut = self.dut
        return m


class PysimBackend:
    name = "pysim"

    def __init__(self, dut, vcd: Path | None = None):
        self._dut = dut
        bus = dut.bus
        # One packed target: every ctx.set() in a testbench settles the whole design once.
        self._bus_request = Cat(bus.addr, bus.we, bus.be, bus.wdata, bus.stb)
        self._request_shifts = _shifts(bus.addr, bus.we, bus.be, bus.wdata)
        self._bus_stb, self._bus_rdata = bus.stb, bus.rdata
        self._irq_out, self._busy_out = dut.irq, dut.busy
        harness = _Harness(dut)
        self._rst = harness.domain.rst
        # Elaborated here, so that the storage walk sees the signals the simulator runs.
        self._fragment = Fragment.get(harness, None)
        self._storage = None
        self._sim = Simulator(self._fragment)
        self._sim.add_clock(CLOCK_PERIOD)
        self._sim.add_testbench(self._serve, background=True)
        self._op = None
        self._result = None
        self.irq = False
        self.busy = False
        self._vcd = contextlib.ExitStack()
        if vcd is not None:
            Path(vcd).parent.mkdir(parents=True, exist_ok=True)
            self._vcd.enter_context(self._sim.write_vcd(str(vcd)))
        self._run(("sample",))          # starts the server; reads the outputs at reset

    # -- operations (each runs the simulation until the server has done it) ------------

    def access(self, we: int, addr: int, be: int, wdata: int) -> int:
        return self._run(("access", addr, we, be, wdata))     # the order of _bus_request

    def tick(self, count: int) -> None:
        self._run(("tick", count))

    def tick_while_busy(self, limit: int) -> int:
        """Run up to `limit` cycles while the core is busy; returns the cycles run."""
        return self._run(("while_busy", limit))

    def reset(self) -> None:
        self._run(("reset",))

    def storage(self) -> dict[str, int]:
        """The value of every flip-flop and memory row, by hierarchical name."""
        if self._storage is None:
            from .storage import storage_elements
            self._storage = storage_elements(self._fragment)
        return self._run(("storage",))

    def close(self) -> None:
        self._vcd.close()

    def _run(self, op):
        self._op = op
        while self._op is not None:
            self._sim.advance()
        return self._result

    # -- the server ----------------------------------------------------------------------

    async def _serve(self, ctx):
        strobing = False        # the last access is still presented (see below)
        while True:
            op = self._op
            if op is None:
                await ctx.delay(0)
                continue
            kind = op[0]
            if kind != "access" and strobing:
                ctx.set(self._bus_stb, 0)
                strobing = False
            if kind == "access":
                fields = op[1:] + (1,)
                ctx.set(self._bus_request, sum(v << s for v, s in zip(fields, self._request_shifts)))
                self._result = ctx.get(self._bus_rdata)
                await ctx.tick()
                # The strobe is dropped lazily: no time passes until the next operation,
                # and a next access overwrites the request anyway (one settle saved).
                strobing = True
            elif kind == "tick":
                await ctx.tick().repeat(op[1])
            elif kind == "while_busy":
                ran = 0
                while ran < op[1] and ctx.get(self._busy_out):
                    await ctx.tick()
                    ran += 1
                self._result = ran
            elif kind == "storage":
                self._result = {name: ctx.get(value) for name, value in self._storage.items()}
            elif kind == "reset":
                ctx.set(self._rst, 1)
                await ctx.tick()
                ctx.set(self._rst, 0)
            self.irq, self.busy = bool(ctx.get(self._irq_out)), bool(ctx.get(self._busy_out))
            self._op = None


def _shifts(*signals) -> list[int]:
    """Bit positions of consecutive signals (and one after them) in a Cat()."""
    shifts, position = [], 0
    for signal in signals:
        shifts.append(position)
        position += len(signal)
    return shifts + [position]
