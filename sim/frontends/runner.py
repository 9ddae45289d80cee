"""The one Python entry point for running firmware on the simulated board: `tlscosim run`
(run_command.py), tlscosim.start (tlscosim/api.py), the benches and the tests all build
their Simulation here."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tlscosim.boarddesc import BoardDescription

from ..board.elf import Firmware
from ..board.machine import RunOptions, Simulation
from ..board.results import RunResult

Sink = Callable[[str, bytes], None]


def load_simulation(elf: str | Path | Firmware, board: str | Path | BoardDescription = "mps2-an386", *,
                    options: RunOptions | None = None, uart_sink: Sink | None = None,
                    semihosting_sink: Sink | None = None, **option_fields) -> Simulation:
    """A board with `elf` loaded, reset and ready to run. `elf` and `board` are paths or
    names, or what Firmware.load / BoardDescription.load made of them; the options are a
    RunOptions or its fields (max_cycles, timeout_s, fault_policy, timing, seed, ...), not
    both. The sinks receive (stream, bytes) as the firmware writes to a UART or semihosting."""
    if options is not None and option_fields:
        raise TypeError(f"give options or RunOptions fields, not both ({', '.join(option_fields)})")
    desc = board if isinstance(board, BoardDescription) else BoardDescription.load(board)
    firmware = elf if isinstance(elf, Firmware) else Firmware.load(elf)
    return Simulation(desc, firmware, options or RunOptions(**option_fields),
                      uart_sink=uart_sink, semihosting_sink=semihosting_sink)


def run_elf(elf: str | Path | Firmware, board: str | Path | BoardDescription = "mps2-an386",
            **options) -> RunResult:
    """Runs firmware to its exit, a fault or a limit (load_simulation's arguments)."""
    with load_simulation(elf, board, **options) as sim:
        return sim.run()
