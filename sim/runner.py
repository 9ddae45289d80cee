"""The simulator's Python API: run an ELF on a board and get the result."""

from __future__ import annotations

from pathlib import Path

from tlscosim.boarddesc import BoardDescription

from .elf import Firmware
from .machine import RunOptions, RunResult, Simulation


def load_simulation(elf_path: str | Path, board: str | Path = "mps2-an386", **options) -> Simulation:
    desc = BoardDescription.load(board)
    uart_sink = options.pop("uart_sink", None)
    semihosting_sink = options.pop("semihosting_sink", None)
    return Simulation(desc, Firmware.load(elf_path), RunOptions(**options),
                      uart_sink=uart_sink, semihosting_sink=semihosting_sink)


def run_elf(elf_path: str | Path, board: str | Path = "mps2-an386", **options) -> RunResult:
    """Runs firmware to its exit, a fault or a limit. Options are RunOptions fields
    (max_cycles, timeout_s, deliver_hardfault, timing, seed, ...) plus uart_sink and
    semihosting_sink callables receiving (stream, bytes)."""
    return load_simulation(elf_path, board, **options).run()
