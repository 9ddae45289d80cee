"""Verilog export of the accelerators and its Verilator lint, with the waivers explained.

Each core is written as `<core>_accel.v` holding module `<core>_accel` and its
submodules. Without waivers `verilator --lint-only -Wall` reports only warnings about
the *style* of the Verilog that Amaranth (through yosys's write_verilog) generates; the
waiver file turns those rules off for these files only, and says why for each.
"""

import shutil
import subprocess
from pathlib import Path

from tlscosim.errors import UserError

from .regmaps import CORES

LINT_WAIVERS = {
    "DECLFILENAME": "Amaranth writes the submodules (aes_accel.bridge, ...) into the file of "
                    "the top module, which is named after the top module.",
    "WIDTH": "write_verilog prints constants at their minimal width and relies on Verilog's "
             "context-determined extension (e.g. `bus__addr[11:2] == 5'h1c`); the widths are "
             "exact in the netlist Amaranth built.",
    "CASEINCOMPLETE": "every `casez` Amaranth emits follows a default assignment to all of its "
                      "targets, so an uncovered value keeps that default (no latch).",
    "UNUSEDSIGNAL": "Amaranth keeps a wire for every named signal (port aliases such as "
                    "`bus__addr$10`, debug names of intermediate values) and for wide "
                    "intermediates whose top bits are truncated on purpose (adder carries, "
                    "the byte-lane bits of the address); none is a dropped output.",
}
WAIVER_FILE = "lint_waivers.vlt"


def module_name(core: str) -> str:
    return f"{core}_accel"


def verilog_text(core: str) -> str:
    from amaranth.back import verilog

    from .designs import build_accelerator
    return verilog.convert(build_accelerator(core), name=module_name(core), emit_src=False)


def write_verilog(core: str, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{module_name(core)}.v"
    path.write_text(verilog_text(core))
    return path


def write_waivers(outdir: Path) -> Path:
    # (A comment may not start with the tool's name, which would make it a directive.)
    lines = ["`verilator_config", "// Lint waivers for the Verilog that Amaranth emits."]
    for rule, why in LINT_WAIVERS.items():
        lines += [f"// {rule}: {why.replace('`', '')}", f'lint_off -rule {rule} -file "*_accel.v"']
    path = outdir / WAIVER_FILE
    path.write_text("\n".join(lines) + "\n")
    return path


def write_all(outdir: Path, cores=CORES) -> list[Path]:
    """The Verilog of `cores` and the waiver file, in `outdir`."""
    return [write_verilog(core, outdir) for core in cores] + [write_waivers(outdir)]


def lint(verilog_file: Path, waivers: Path | None) -> tuple[bool, str]:
    """Run `verilator --lint-only -Wall` (with the waiver file if given): (clean, messages)."""
    if shutil.which("verilator") is None:
        raise UserError("verilator is not installed (Debian package `verilator`)")
    top = verilog_file.stem
    cmd = ["verilator", "--lint-only", "-Wall", "--top-module", top]
    cmd += [str(waivers)] if waivers else []
    cmd += [str(verilog_file)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode == 0 and "%Warning" not in result.stderr, result.stderr
