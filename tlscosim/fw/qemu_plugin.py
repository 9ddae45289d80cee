"""Builds the instruction-counting QEMU plugin (qemu_insn_count.c) with the host compiler."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..errors import UserError
from ..paths import BUILD_DIR

PLUGIN_SOURCE = Path(__file__).with_name("qemu_insn_count.c")
PLUGIN_DIR = BUILD_DIR / "qemu"


def insn_count_plugin() -> Path:
    """The plugin's shared object, compiled when missing or older than its source."""
    target = PLUGIN_DIR / "insn_count.so"
    if target.is_file() and target.stat().st_mtime >= PLUGIN_SOURCE.stat().st_mtime:
        return target
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise UserError("no host C compiler (cc) to build the QEMU instruction-count plugin")
    PLUGIN_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    proc = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-o", str(partial),
                           str(PLUGIN_SOURCE)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"building the QEMU instruction-count plugin failed:\n{proc.stderr.rstrip()}")
    partial.replace(target)   # atomic: parallel builders never see a half-written plugin
    return target
