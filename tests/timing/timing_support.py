"""Helpers of the cycle-model tests: building and running the microbenchmark and DWT
firmware (firmware/) and parsing their UART reports. (Not in conftest.py: test modules
import these, and every test folder has a conftest of its own.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.frontends.runner import load_simulation

FIRMWARE_DIR = Path(__file__).parent / "firmware"
ZERO_WAIT_BOARD = "mps2-an386"
FLASH_BOARD = "stm32f4-like"
COUNTERS = ("CYCCNT", "CPICNT", "LSUCNT", "FOLDCNT", "EXCCNT")


def build(app: str, board: str) -> Path:
    out = BUILD_DIR / "timing" / board
    return build_firmware([app], board=board, apps_dir=FIRMWARE_DIR, out_dir=out).elfs[app]


def run(elf: Path, board: str | Path):
    sim = load_simulation(elf, board, max_cycles=50_000_000)
    result = sim.run()
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    return sim, result


@dataclass
class BenchReport:
    """tb lines: (name, reps, a, b) -> {counter: value}."""

    values: dict[tuple[str, int, int, int], dict[str, int]] = field(default_factory=dict)

    def get(self, name: str, reps: int, a: int = 0, b: int = 0) -> dict[str, int]:
        return self.values[(name, reps, a, b)]

    def delta(self, name: str, reps: int, base_reps: int = 0, a: int = 0, b: int = 0) -> dict[str, int]:
        """measured(reps) - measured(base_reps); the 8-bit counters modulo 256."""
        hi, lo = self.get(name, reps, a, b), self.get(name, base_reps, a, b)
        return {c: (hi[c] - lo[c]) % (2**32 if c == "CYCCNT" else 256) for c in COUNTERS}


def parse_bench(uart: bytes) -> BenchReport:
    report = BenchReport()
    lines = uart.decode().splitlines()
    assert lines[-1] == "tb done", lines[-3:]
    for line in lines[:-1]:
        tag, name, reps, a, b, counter, value = line.split()
        assert tag == "tb"
        report.values.setdefault((name, int(reps), int(a), int(b)), {})[counter] = int(value)
    return report


@dataclass
class DwtReport:
    lines: dict[str, list[int]]
    snapshots: list[dict[str, int]]   # simulator's counts at each CYCCNT read in snapshot()


def run_dwtcheck(board: str) -> DwtReport:
    """Runs firmware/dwtcheck; also records what the simulator had counted (instructions,
    cycles, cpi, lsu, fold, exc, sleep) when snapshot() read CYCCNT."""
    elf = build("dwtcheck", board)
    sim = load_simulation(elf, board, max_cycles=50_000_000)
    snapshot = next(s for s in sim.firmware.symbols.functions() if s.name == "snapshot")
    dwt = sim.board.devices["dwt"]
    read_cyccnt = dwt.read_CYCCNT
    recorded = []

    def recording_read(index):
        block = sim.acct.block(sim.acct.shared.cur_block)
        if snapshot.address <= block.address < snapshot.address + snapshot.size:
            recorded.append(sim.core.event_counts())
        return read_cyccnt(index)

    dwt._readers["CYCCNT"] = recording_read   # the device dispatches reads through this table
    result = sim.run()
    assert result.stop_reason == "exit" and result.exit_code == 0, result.message
    lines = {}
    for line in result.uart_output.decode().splitlines():
        tag, name, *values = line.split()
        assert tag == "dwt"
        lines[name] = [int(v) for v in values]
    assert "done" in lines
    return DwtReport(lines, recorded)
