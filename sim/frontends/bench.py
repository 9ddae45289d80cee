"""`tlscosim bench`: simulation speed of tlscosim against QEMU and raw Unicorn, measured
in one run on the same firmware (best of N, engines interleaved so that machine noise
hits them alike), in wall time and in CPU time (what a busy machine distorts least).
Prints figures and ratios; asserts nothing."""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.errors import UserError
from tlscosim.paths import FW_BUILD_DIR

from ..engine.cpu import Cpu, ExitKind
from ..board.elf import Firmware
from .runner import run_elf

SEMIHOSTING_EXITS = (0x18, 0x20)


@dataclass
class EngineFigure:
    engine: str
    wall_s: float
    cpu_s: float                  # CPU time of the engine's process: robust on a busy machine
    instructions: int
    cycles: int | None = None

    @property
    def mips(self) -> float:
        return self.instructions / self.wall_s / 1e6

    @property
    def cpu_mips(self) -> float:
        return self.instructions / self.cpu_s / 1e6


MMIO_GRANULE = 0x1000   # Unicorn maps whole pages


def device_windows(board: BoardDescription) -> list[tuple[int, int]]:
    """The devices' address windows, merged: a board may declare a device inside an
    "unimplemented" region (the device wins there), which Unicorn cannot map twice."""
    spans = sorted((p.base & ~(MMIO_GRANULE - 1), -(-(p.base + p.size) // MMIO_GRANULE) * MMIO_GRANULE)
                   for p in board.peripherals if not p.is_background)
    merged: list[list[int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    return [(begin, end - begin) for begin, end in merged]


def run_raw_unicorn(elf: Path, board: BoardDescription) -> tuple[float, float]:
    """(wall, CPU) seconds of the firmware on Unicorn with memories and devices mapped
    but no accounting hook: the ceiling any Unicorn-based simulator can reach. Devices
    read as 0, as QEMU's DWT does: the firmware takes QEMU's path."""
    firmware = Firmware.load(elf)
    cpu = Cpu(board.cpu.model)
    for mem in board.memories:
        cpu.map_ram(mem.base, mem.size, mem.access)
    for base, size in device_windows(board):
        cpu.map_mmio(base, size, lambda offset, size: 0, lambda offset, size, value: None)
    for seg in firmware.segments:
        cpu.write_memory(seg.address, seg.data)
    cpu.set_reg("msp", cpu.read_u32(0))
    pc = cpu.read_u32(4)
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        exit_ = cpu.run(pc)
        if exit_.kind is ExitKind.BKPT and cpu.reg("r0") not in SEMIHOSTING_EXITS:
            pc = exit_.pc + 2          # console output: carry on
            continue
        break
    wall, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    if exit_.kind is not ExitKind.BKPT:
        raise UserError(f"raw Unicorn run of {elf} ended with {exit_.kind.value} at {exit_.pc:#x}")
    return wall, cpu_s


def _timed_sim(elf: Path, board_name: str, timing: str):
    cpu_start = time.process_time()
    result = run_elf(elf, board_name, timing=timing)
    return result, time.process_time() - cpu_start


def _timed_qemu(elf: Path, board: BoardDescription):
    from tlscosim.fw.qemu import run_qemu

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    q = run_qemu(elf, board=board, count_instructions=True, timeout_s=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if q.exit_code != 0 or q.instructions is None:
        raise UserError(f"QEMU run of {elf} failed (exit {q.exit_code}): {q.stderr.decode(errors='replace')[-300:]}")
    return q, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def measure(elf: Path, board_name: str, repeat: int) -> dict:
    """Best of `repeat` runs per engine. Each engine's MIPS come from its own instruction
    count: firmware that reads the DWT takes another path under QEMU (where the DWT reads
    0) than under tlscosim, so the counts may differ; raw Unicorn takes QEMU's path."""
    from tlscosim.fw.qemu import run_qemu

    board = BoardDescription.load(board_name)
    best: dict[str, EngineFigure] = {}
    notes: list[str] = []

    def keep(fig: EngineFigure) -> None:
        if fig.engine not in best or fig.cpu_s < best[fig.engine].cpu_s:
            best[fig.engine] = fig

    qemu_startup = min(run_qemu(FW_BUILD_DIR / "hello.elf", board=board).wall_s for _ in range(repeat)) \
        if (FW_BUILD_DIR / "hello.elf").is_file() else 0.0
    for _ in range(repeat):
        counted, cpu_s = _timed_sim(elf, board_name, "flat")
        keep(EngineFigure("tlscosim, instruction counting", counted.wall_s, cpu_s, counted.instructions, counted.cycles))
        modelled, cpu_s = _timed_sim(elf, board_name, "cortex-m4")
        keep(EngineFigure("tlscosim, Cortex-M4 cycle model", modelled.wall_s, cpu_s, modelled.instructions,
                          modelled.cycles))
        q, q_cpu = _timed_qemu(elf, board)
        try:
            raw_wall, raw_cpu = run_raw_unicorn(elf, board)
            keep(EngineFigure("unicorn, no hooks", raw_wall, raw_cpu, q.instructions))
        except UserError as exc:
            # Raw Unicorn has no NVIC, no exception entry: firmware that needs them stops.
            if not any(n.startswith("no raw Unicorn") for n in notes):
                notes.append(f"no raw Unicorn figure: {exc} (it takes no exceptions and does not sleep)")
        keep(EngineFigure("qemu, whole process", q.wall_s, q_cpu, q.instructions))
        keep(EngineFigure("qemu, minus start-up", max(q.wall_s - qemu_startup, 1e-6), q_cpu, q.instructions))
        if q.instructions != counted.instructions and not notes:
            notes.append(f"instruction counts differ: QEMU {q.instructions:,}, tlscosim {counted.instructions:,} "
                         f"({(counted.instructions - q.instructions) / q.instructions:+.2%}): the firmware's path "
                         "depends on what it reads (QEMU's DWT reads 0); each engine's MIPS use its own count")
    qemu = best["qemu, whole process"]
    counting = best["tlscosim, instruction counting"]
    model = best["tlscosim, Cortex-M4 cycle model"]
    return {
        "elf": str(elf), "board": board.name, "repeat": repeat, "qemu_startup_s": qemu_startup,
        "engines": {f.engine: {"wall_s": f.wall_s, "cpu_s": f.cpu_s, "mips": f.mips, "cpu_mips": f.cpu_mips,
                               "instructions": f.instructions, "cycles": f.cycles,
                               "vs_qemu": f.mips / qemu.mips,
                               "vs_qemu_minus_startup": f.mips / best["qemu, minus start-up"].mips,
                               "cpu_vs_qemu": f.cpu_mips / qemu.cpu_mips}
                    for f in best.values()},
        "cycle_model_cost": model.cpu_s / counting.cpu_s,
        "notes": notes,
    }


def print_table(report: dict, stream=sys.stdout) -> None:
    print(f"firmware {report['elf']} on {report['board']}: best of {report['repeat']} runs", file=stream)
    print(f"{'engine':36} {'wall s':>8} {'MIPS':>8} {'vs QEMU':>8} {'vs QEMU-startup':>16} "
          f"{'CPU s':>8} {'CPU MIPS':>9} {'CPU vs QEMU':>12}", file=stream)
    for name, fig in report["engines"].items():
        print(f"{name:36} {fig['wall_s']:8.3f} {fig['mips']:8.1f} {fig['vs_qemu']:8.2f} "
              f"{fig['vs_qemu_minus_startup']:16.2f} {fig['cpu_s']:8.3f} {fig['cpu_mips']:9.1f} "
              f"{fig['cpu_vs_qemu']:12.2f}", file=stream)
    print(f"QEMU start-up (hello.elf): {report['qemu_startup_s']:.3f} s", file=stream)
    print(f"cycle model cost over instruction counting (CPU time): {report['cycle_model_cost']:.2f}x", file=stream)
    for note in report.get("notes", ()):
        print(f"note: {note}", file=stream)


def bench_command(args) -> int:
    elf = Path(args.elf) if args.elf else FW_BUILD_DIR / "bench.elf"
    if not args.elf:
        from tlscosim.fw.build import build_firmware
        build_firmware(("bench", "hello"))
    from .profile_bench import format_overhead, measure_profiler_overhead

    report = measure(elf, "mps2-an386", max(1, args.repeat))
    print_table(report)
    report["profiler"] = measure_profiler_overhead(elf, "mps2-an386", max(1, args.repeat))
    sys.stdout.write(format_overhead(report["profiler"]))
    if args.json:
        from tlscosim.outputs import write_text_or_keep
        write_text_or_keep(args.json, json.dumps(report, indent=2) + "\n", "--json")
    return 0
