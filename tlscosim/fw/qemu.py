"""Runs firmware under QEMU (the independent cross-check of the board simulator).

UART0 is QEMU's stdout and nothing else is: no monitor, no stdin. The exit code is the
firmware's semihosting exit status. With `count_instructions`, a TCG plugin counts the
guest instructions executed (an inline add per translated block, ~3 % slower).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..boarddesc import DEFAULT_BOARD, BoardDescription, BoardDescriptionError
from ..errors import UserError

QEMU = "qemu-system-arm"


@dataclass(frozen=True)
class QemuResult:
    output: bytes                    # everything the firmware wrote to UART0
    exit_code: int                   # semihosting exit status (QEMU's exit code); -9 if killed
    wall_s: float                    # wall time of the whole QEMU process
    timed_out: bool
    instructions: int | None = None  # guest instructions executed, with count_instructions
    stderr: bytes = b""              # QEMU's own messages


def qemu_command(elf: Path, machine: str, plugin: str | None = None,
                 semihosting_args: list[str] | None = None) -> list[str]:
    # Each arg= is one word of the semihosting command line (commas doubled: QEMU's quoting).
    args = "".join(f",arg={a.replace(',', ',,')}" for a in semihosting_args or ())
    cmd = [QEMU, "-M", machine, "-nographic", "-monitor", "none", "-serial", "stdio",
           "-semihosting-config", f"enable=on,target=native{args}", "-kernel", str(elf)]
    if plugin:
        cmd += ["-plugin", plugin]
    return cmd


def run_qemu(elf: str | Path, *, timeout_s: float = 10.0, board: str | BoardDescription = DEFAULT_BOARD,
             count_instructions: bool = False, semihosting_args: list[str] | None = None,
             cwd: str | Path | None = None) -> QemuResult:
    """semihosting_args: the firmware's command line (argv[0] first); cwd: where its
    semihosting file names start (QEMU does not confine them)."""
    machine = _machine(board)
    if shutil.which(QEMU) is None:
        raise UserError(f"{QEMU} not found on PATH (Debian package qemu-system-arm)")
    elf = Path(elf).resolve()
    if not elf.is_file():
        raise UserError(f"firmware {elf} does not exist (run `tlscosim build`)")
    with tempfile.TemporaryDirectory(prefix="tlscosim-qemu-") as tmp:
        count_file = Path(tmp) / "instructions"
        plugin = None
        if count_instructions:
            from .qemu_plugin import insn_count_plugin
            plugin = f"{insn_count_plugin()},out={count_file}"
        return _run(qemu_command(elf, machine, plugin, semihosting_args), timeout_s, count_file, cwd)


def _machine(board: str | BoardDescription) -> str:
    try:
        desc = board if isinstance(board, BoardDescription) else BoardDescription.load(board)
    except BoardDescriptionError as exc:
        raise UserError(str(exc)) from None
    if not desc.qemu_machine:
        raise UserError(f"board {desc.name} has no QEMU machine (board.qemu_machine)")
    return desc.qemu_machine


def _run(cmd: list[str], timeout_s: float, count_file: Path, cwd: str | Path | None = None) -> QemuResult:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    try:
        out, err = proc.communicate(timeout=timeout_s)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    wall = time.perf_counter() - start
    instructions = int(count_file.read_text()) if count_file.is_file() else None
    return QemuResult(out, proc.returncode, wall, timed_out, instructions, err)
