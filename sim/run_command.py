"""The `tlscosim run` command: stream UART output, report, exit with the firmware's code."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tlscosim.boarddesc import BoardDescription, BoardDescriptionError
from tlscosim.errors import UserError

from .cli import EXIT_FAULT, EXIT_LIMIT
from .elf import Firmware
from .machine import RunOptions, RunResult, Simulation
from .peripherals import accelerator_run

PROGRESS_EVERY_S = 2.0


class _Progress:
    """Prints a status line to stderr every few seconds once a run takes that long."""

    def __init__(self, clock_hz: int):
        self._hz = clock_hz
        self._next = PROGRESS_EVERY_S

    def __call__(self, status: dict) -> None:
        if status["wall_s"] < self._next:
            return
        self._next = status["wall_s"] + PROGRESS_EVERY_S
        mips = status["instructions"] / status["wall_s"] / 1e6
        print(f"tlscosim: {status['simulated_s'] * 1e3:.1f} ms simulated, {status['instructions']:,} instructions, "
              f"{status['cycles']:,} cycles, {mips:.1f} MIPS", file=sys.stderr, flush=True)


def _write_stdout(_stream: str, data: bytes) -> None:
    sys.stdout.buffer.write(data)
    if b"\n" in data:
        sys.stdout.buffer.flush()


def run_command(args) -> int:
    try:
        board = BoardDescription.load(args.board)
    except BoardDescriptionError as exc:
        raise UserError(str(exc)) from None
    firmware = Firmware.load(args.elf)
    options = RunOptions(max_cycles=args.max_cycles, timeout_s=args.timeout_s, timing=args.timing,
                         seed=args.seed, fault_policy=args.fault_policy,
                         progress=None if args.quiet else _Progress(board.clock_hz))
    sim = Simulation(board, firmware, options, uart_sink=_write_stdout, semihosting_sink=_write_stdout)
    offload = accelerator_run.attach(sim, args.rtl, args.rtl_fault, args.verify_offload)
    profiler = None
    if args.profile:
        from .profiler import Profiler
        profiler = Profiler.attach(sim)
    started = time.perf_counter()
    result = sim.run()
    sys.stdout.buffer.flush()
    offload_summary = offload.summary()
    if profiler is not None:
        profiler.write(Path(args.profile), top=20, stream=sys.stderr)
    if args.json:
        data = result.to_dict()
        data.update({"elf": str(args.elf), "board": board.name, "timing": args.timing,
                     "total_wall_s": round(time.perf_counter() - started, 6), "offload": offload_summary})
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    if not args.quiet:
        _summary(result)
        for line in offload.report_lines():
            print(f"tlscosim: {line}", file=sys.stderr)
    return exit_status(result)


def exit_status(result: RunResult) -> int:
    if result.exit_code is not None:
        return result.exit_code & 0xFF
    if result.stop_reason in ("cycle-limit", "time-limit"):
        return EXIT_LIMIT
    return EXIT_FAULT


def _summary(result: RunResult) -> None:
    err = sys.stderr
    if result.stop_reason != "exit":
        print(f"tlscosim: {result.stop_reason}: {result.message}", file=err)
    for fault in result.handled_faults:
        print(f"tlscosim: note: {fault.fault} at {fault.pc:#010x} ({fault.location}) was taken by the firmware: "
              f"{fault.cause}", file=err)
    for warning in result.warnings:
        print(f"tlscosim: warning: {warning}", file=err)
    print(f"tlscosim: {result.stop_reason}"
          + (f" (code {result.exit_code})" if result.exit_code is not None else "")
          + f"; {result.instructions:,} instructions, {result.cycles:,} cycles "
            f"({result.simulated_seconds * 1e3:.3f} ms at {result.clock_hz / 1e6:g} MHz); "
            f"{result.wall_s:.3f} s wall, {result.mips:.1f} MIPS", file=err)
