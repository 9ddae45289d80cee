"""The `tlscosim run` command: stream UART output, report, exit with the firmware's code."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.errors import OutputError
from tlscosim.outputs import check_output_file, write_or_keep, write_text_or_keep

from ..board.elf import Firmware
from ..board.machine import RunOptions
from ..board.results import RunResult, exit_status, status_warnings
from .runner import load_simulation
from ..board import semihosting
from ..board.net import run_options as net_run
from ..board.peripherals import accelerator_run
from ..board.peripherals.rtc import start_epoch_of

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
    board = BoardDescription.load(args.board)
    firmware = Firmware.load(args.elf)
    _check_outputs(args)
    options = RunOptions(max_cycles=args.max_cycles, timeout_s=args.timeout_s, timing=args.timing,
                         seed=args.seed, rtc_epoch=args.rtc_epoch, fault_policy=args.fault_policy,
                         progress=None if args.quiet else _Progress(board.clock_hz))
    sim = load_simulation(firmware, board, options=options, uart_sink=_write_stdout, semihosting_sink=_write_stdout)
    semihosting.attach_from_args(sim, args)
    offload = accelerator_run.attach(sim, args.rtl, args.rtl_fault, args.verify_offload)
    profiler = None
    if args.profile:
        from .profiler import Profiler
        profiler = Profiler.attach(sim)
    net = net_run.attach(sim, args)
    started = time.perf_counter()
    try:
        result = sim.run()
    finally:
        if net is not None:
            net.close()          # host commands stopped, namespace removed, pcap closed
    sys.stdout.buffer.flush()
    offload_summary = offload.summary()
    status = offload.status(exit_status(result))
    lost = []        # outputs written to a fallback instead: the run's results are kept
    if profiler is not None:
        lost += _saving(lambda: write_or_keep(Path(args.profile), lambda p: profiler.write(p, top=20, stream=sys.stderr),
                                              "--profile"))
    if args.json:
        data = result.to_dict()
        data.update({"firmware_exit_code": result.exit_code, "exit_status": status,
                     "elf": str(args.elf), "board": board.name, "timing": args.timing,
                     "total_wall_s": round(time.perf_counter() - started, 6), "offload": offload_summary,
                     "rtc_epoch": start_epoch_of(sim.board)})
        lost += _saving(lambda: write_text_or_keep(args.json, json.dumps(data, indent=2) + "\n", "--json"))
    if not args.quiet:
        _summary(result)
        for line in offload.report_lines() + net_run.report_lines(net):
            print(f"tlscosim: {line}", file=sys.stderr)
        for warning in status_warnings(result):
            print(f"tlscosim: warning: {warning}", file=sys.stderr)
    if offload.status_error():
        print(f"tlscosim: error: {offload.status_error()}", file=sys.stderr)
    for error in lost:
        print(f"tlscosim: error: {error}", file=sys.stderr)
    return lost[0].exit_code if lost else status


def _check_outputs(args) -> None:
    """Before the run: a run's results must not be lost to an output that cannot be written."""
    if args.json:
        check_output_file(args.json, "--json")
    if args.profile:
        from .profiler import text_path_for
        check_output_file(args.profile, "--profile")
        check_output_file(text_path_for(Path(args.profile)), "--profile")
    if getattr(args, "pcap", None):
        check_output_file(args.pcap, "--pcap")


def _saving(write) -> list[OutputError]:
    try:
        write()
    except OutputError as exc:
        return [exc]
    return []


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
