"""Helpers of the simulator tests: register access by name, a device context with a
clock the test moves, firmware runs with a chosen scenario, the firmware's reports, and
the command line as a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tlscosim.regmap import RegisterMap
from tlscosim.sim.board.context import DeviceContext
from tlscosim.sim.architecture.nvic import Nvic
from tlscosim.sim.frontends.runner import load_simulation
from tlscosim.sim.board.scheduler import Scheduler

# Exit statuses of `tlscosim run` (docs: README "Using it").
EXIT_BAD_INPUT = 2
EXIT_LIMIT = 124
EXIT_FAULT = 125

# ARMv7-M constants the tests state on their own (ARM DDI 0403).
EXC_RETURN_HANDLER_MSP = 0xFFFFFFF1
EXC_RETURN_THREAD_MSP = 0xFFFFFFF9
EXC_RETURN_THREAD_PSP = 0xFFFFFFFD
XPSR_T = 1 << 24
XPSR_STACK_ALIGN = 1 << 9
IPSR_MASK = 0x1FF
CONTROL_SPSEL = 1 << 1
FRAME_BYTES = 32
# Cortex-M4 exception costs in cycles (TRM; docs/simulator.md): entry, return, tail-chain.
ENTRY_CYCLES, RETURN_CYCLES, TAIL_CHAIN_CYCLES = 12, 10, 6

_REPORT_LINE = re.compile(r"^([\w.]+)=(0x[0-9a-f]+|[-\w]+)$")


# -- registers ----------------------------------------------------------------------------


class Regs:
    """A device's registers by name: offsets and fields come from its register map only.
    (Without a device, just the map's fields: for values the firmware printed.)"""

    def __init__(self, device, regmap: RegisterMap):
        self.device = device
        self.map = regmap

    def offset(self, reg: str, index: int = 0) -> int:
        return self.map.offset(reg, index)

    def read(self, reg: str, index: int = 0, *, size: int = 4, byte: int = 0) -> int:
        return self.device.read(self.offset(reg, index) + byte, size)

    def write(self, reg: str, value: int, index: int = 0, *, size: int = 4, byte: int = 0) -> None:
        self.device.write(self.offset(reg, index) + byte, size, value)

    def field(self, reg: str, name: str):
        return self.map[reg].field(name)

    def mask(self, reg: str, *names: str) -> int:
        value = 0
        for name in names:
            value |= self.field(reg, name).mask
        return value

    def get(self, reg: str, name: str, index: int = 0) -> int:
        return self.field(reg, name).extract(self.read(reg, index))

    def extract(self, reg: str, name: str, value: int) -> int:
        """Field `name` of a value of `reg` read elsewhere (e.g. printed by firmware)."""
        return self.field(reg, name).extract(value)

    def prep(self, reg: str, name: str, value: int) -> int:
        return self.field(reg, name).insert(0, value)

    def reset_value(self, reg: str) -> int:
        return self.map[reg].reset

    def undecoded_offset(self) -> int:
        """The first word offset inside the map that no register decodes."""
        covered = {reg.offset_of(i) + b for reg in self.map for i in range(reg.count)
                   for b in range(0, reg.width // 8)}
        return next(off for off in range(0, self.map.size, 4) if off not in covered)


# -- a device context with a test-driven clock ---------------------------------------------------


class TestClock:
    """The device clock, moved by the test. advance() fires the scheduled events on the
    way, each at its own cycle, as the run loop does."""

    __test__ = False   # not a test class

    def __init__(self, scheduler: Scheduler, hz: int):
        self.cycle = 0
        self.hz = hz
        self._scheduler = scheduler

    def now(self) -> int:
        return self.cycle

    def advance(self, cycles: int) -> None:
        self.advance_to(self.cycle + cycles)

    def advance_to(self, target: int) -> None:
        while (nxt := self._scheduler.next_cycle()) is not None and nxt <= target:
            self.cycle = max(self.cycle, nxt)
            self._scheduler.fire_due(nxt)
        self.cycle = target


class DeviceBench:
    """A device context of its own: scheduler, NVIC and clock, with what the device sent
    to the host (UART bytes, warnings) collected."""

    def __init__(self, board_desc, seed: int = 0):
        self.scheduler = Scheduler()
        self.nvic = Nvic(board_desc.cpu.nvic_irq_lines, board_desc.cpu.nvic_priority_bits)
        self.clock = TestClock(self.scheduler, board_desc.clock_hz)
        self.sent: list[tuple[str, bytes]] = []
        self.warnings: list[str] = []
        self.ctx = DeviceContext(clock=self.clock, scheduler=self.scheduler, nvic=self.nvic, seed=seed,
                                 uart_sink=lambda name, data: self.sent.append((name, data)),
                                 warn=self.warnings.append)

    def build(self, spec):
        from tlscosim.sim.board.peripherals import device_class
        return device_class(spec.model)(spec, self.ctx)


class BoardClock:
    """Moves a real board's clock between CPU runs (cycles spent outside blocks), firing
    the scheduled events at their cycles."""

    def __init__(self, board):
        self._acct = board.core.accounting
        self._scheduler = board.core.scheduler

    def now(self) -> int:
        return self._acct.block_cycles

    def advance(self, cycles: int) -> None:
        target = self.now() + cycles
        while (nxt := self._scheduler.next_cycle()) is not None and nxt <= target:
            self._acct.add_cycles(max(0, nxt - self.now()))
            self._scheduler.fire_due(nxt)
        self._acct.add_cycles(target - self.now())


# -- firmware runs --------------------------------------------------------------------------------


def load(elf: Path, scenario: str | None = None, **options):
    """A Simulation of `elf`, with `scenario` written into the firmware's test_scenario."""
    sim = load_simulation(elf, **options)
    if scenario is not None:
        address = sim.firmware.symbols.address_of("test_scenario")
        sim.cpu.write_memory(address, scenario.encode() + b"\0")
    return sim


def with_scenario(elf: Path, scenario: str, out: Path) -> Path:
    """A copy of `elf` whose test_scenario holds `scenario` (for runs the test cannot poke,
    such as the command line's)."""
    from elftools.elf.elffile import ELFFile

    data = bytearray(elf.read_bytes())
    with elf.open("rb") as fh:
        image = ELFFile(fh)
        address = image.get_section_by_name(".symtab").get_symbol_by_name("test_scenario")[0]["st_value"]
        segment = next(seg for seg in image.iter_segments()
                       if seg["p_type"] == "PT_LOAD" and seg["p_paddr"] <= address < seg["p_paddr"] + seg["p_filesz"])
    offset = segment["p_offset"] + address - segment["p_paddr"]
    name = scenario.encode() + b"\0"
    data[offset:offset + len(name)] = name
    out.write_bytes(data)
    return out


def run(elf: Path, scenario: str | None = None, **options):
    """(Simulation, RunResult) of one run."""
    sim = load(elf, scenario, **options)
    return sim, sim.run()


def reports(output: bytes) -> dict[str, int | str]:
    """The `key=value` lines a test firmware printed: hex values as ints."""
    found = {}
    for line in output.decode(errors="replace").splitlines():
        m = _REPORT_LINE.match(line)
        if m:
            key, value = m.groups()
            found[key] = int(value, 16) if value.startswith("0x") else value
    return found


def group(values: dict, prefix: str) -> dict:
    """The reports under `prefix.` with the prefix removed."""
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in values.items() if k.startswith(prefix + ".")}


# -- the command line ---------------------------------------------------------------------------


def tlscosim(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlscosim.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


# -- images the loader must refuse ---------------------------------------------------------------

RAW_DIR = Path(__file__).parent / "firmware" / "raw"
CROSS = "arm-none-eabi-"


def _cross(tool: str, *args) -> None:
    proc = subprocess.run([CROSS + tool, *map(str, args)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _link_minimal(out: Path, vectors: int, extra: int, initial_sp: int, *defines: str) -> Path:
    _cross("gcc", "-mcpu=cortex-m4", "-mthumb", "-nostdlib", *defines, "-T", RAW_DIR / "minimal.ld",
           f"-Wl,--defsym=VECTORS_ADDR={vectors:#x}", f"-Wl,--defsym=EXTRA_ADDR={extra:#x}",
           f"-Wl,--defsym=__initial_sp={initial_sp:#x}", RAW_DIR / "minimal.S", "-o", out)
    return out


def build_raw_images(board_desc, folder: Path, arm_elf: Path) -> dict[str, Path]:
    code, data = board_desc.code_memory, board_desc.data_memory
    past_all = max(m.end for m in board_desc.memories)
    assert board_desc.memory_at(past_all) is None
    device = board_desc.peripheral("uart0").base
    images = {
        "good": _link_minimal(folder / "good.elf", code.base, data.base, data.end),
        "outside": _link_minimal(folder / "outside.elf", code.base, past_all, data.end),
        "straddling": _link_minimal(folder / "straddling.elf", code.base, data.end - 2, data.end),
        "no_reset_vector": _link_minimal(folder / "no_reset.elf", code.base, data.base, data.end,
                                         "-DRESET_VECTOR=0"),
        "arm_reset_vector": _link_minimal(folder / "arm_reset.elf", code.base, data.base, data.end,
                                          "-DRESET_VECTOR=reset_label"),
        "stack_in_a_device": _link_minimal(folder / "bad_sp.elf", code.base, data.base, device),
    }
    images["no_segments"] = folder / "no_segments.elf"
    _cross("objcopy", "-R", ".vectors", "-R", ".text", "-R", ".extra", images["good"], images["no_segments"])
    images["object_file"] = folder / "minimal.o"
    _cross("gcc", "-mcpu=cortex-m4", "-mthumb", "-c", RAW_DIR / "minimal.S", "-o", images["object_file"])
    images["text_file"] = folder / "notes.txt"
    images["text_file"].write_text("not firmware\n")
    images["truncated"] = folder / "truncated.elf"
    images["truncated"].write_bytes(arm_elf.read_bytes()[:40])
    images["missing"] = folder / "does-not-exist.elf"
    return images
