"""Synthesis (Debian's yosys, synth_ice40) and place and route (nextpnr-ice40) of one core.

Target: iCE40 HX8K, the largest iCE40 that nextpnr-ice40 supports (7680 logic cells,
32 block RAMs), in its CT256 package, whose 206 I/Os can carry the accelerator's bus
ports when the core is placed on its own (in a SoC they would be internal nets).
The figures come from yosys's `stat -json` (cells after synthesis) and nextpnr's
`--report` JSON (logic cells and RAMs after packing, achieved Fmax, critical paths).

Two Fmax figures, both from nextpnr's timing analysis: `fmax_mhz` is the clock domain
alone (flip-flop to flip-flop, the core as it would sit inside a SoC whose bus
registers its outputs); `fmax_mhz_io` also requires every path from a bus input pin to a
flip-flop, from a flip-flop to an output pin, and from input to output (the read data
mux) to fit in one clock period: the core on its own, pins included.
"""

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from tlscosim.errors import UserError

DEVICE = "hx8k"
PACKAGE = "ct256"
TARGET_MHZ = 50          # what the timing-driven placer aims for; Fmax is what it reached
SEED = 1                 # fixed: the same Verilog gives the same figures
ASYNC = "<async>"        # nextpnr's name for the start or end of a path at a pin


@dataclass(frozen=True)
class SynthesisResult:
    device: str
    luts: int              # SB_LUT4 cells after synthesis
    carries: int           # SB_CARRY cells (adder chains, packed with the LUTs)
    flip_flops: int        # SB_DFF* cells
    ram_blocks: int        # SB_RAM40_4K (4 kbit) blocks
    logic_cells: int       # ICESTORM_LC used after packing (LUT + FF pairs)
    logic_cells_available: int
    ram_blocks_available: int
    fmax_mhz: float        # clock domain only (flip-flop to flip-flop)
    fmax_mhz_io: float     # I/O paths included (pad delays too)
    worst_io_path_ns: float

    def as_dict(self) -> dict:
        return asdict(self)


def _require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        raise UserError(f"{tool} is not installed (Debian package `{package}`)")


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"{what} failed ({' '.join(cmd[:2])} ...):\n{result.stderr[-3000:]}")


def synthesize(verilog_file: Path, top: str, workdir: Path) -> SynthesisResult:
    _require("yosys", "yosys")
    _require("nextpnr-ice40", "nextpnr-ice40")
    workdir.mkdir(parents=True, exist_ok=True)
    netlist, stat, report = (workdir / f"{top}{suffix}" for suffix in
                             (".json", ".stat.json", ".pnr.json"))
    script = (f"read_verilog {verilog_file.resolve()}; synth_ice40 -top {top} -json {netlist.name}; "
              f"tee -q -o {stat.name} stat -json")
    _run(["yosys", "-q", "-l", f"{top}.yosys.log", "-p", script], workdir, f"yosys synthesis of {top}")
    _run(["nextpnr-ice40", f"--{DEVICE}", "--package", PACKAGE, "--json", netlist.name,
          "--pcf-allow-unconstrained", "--timing-allow-fail",
          "--freq", str(TARGET_MHZ), "--seed", str(SEED),
          "--report", report.name, "-q", "-l", f"{top}.nextpnr.log"],
         workdir, f"nextpnr place and route of {top}")
    cells = json.loads(stat.read_text())["design"]["num_cells_by_type"]
    pnr = json.loads(report.read_text())
    used = pnr["utilization"]
    fmax = min(clock["achieved"] for clock in pnr["fmax"].values())
    io_delays = [sum(step["delay"] for step in path["path"]) for path in pnr["critical_paths"]
                 if ASYNC in (path["from"], path["to"])]
    worst_io = max(io_delays, default=0.0)
    return SynthesisResult(
        device=f"iCE40{DEVICE.upper()}-{PACKAGE}",
        luts=cells.get("SB_LUT4", 0),
        carries=cells.get("SB_CARRY", 0),
        flip_flops=sum(n for cell, n in cells.items() if cell.startswith("SB_DFF")),
        ram_blocks=cells.get("SB_RAM40_4K", 0),
        logic_cells=used["ICESTORM_LC"]["used"],
        logic_cells_available=used["ICESTORM_LC"]["available"],
        ram_blocks_available=used["ICESTORM_RAM"]["available"],
        fmax_mhz=round(fmax, 2),
        fmax_mhz_io=round(1000 / max(1000 / fmax, worst_io), 2),
        worst_io_path_ns=round(worst_io, 2),
    )
