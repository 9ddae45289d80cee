"""`tlscosim bench`: simulation speed of tlscosim against QEMU and raw Unicorn, measured
in one run on the same firmware (best of N, engines interleaved so that machine noise
hits them alike). Prints figures and ratios; asserts nothing."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.errors import UserError
from tlscosim.paths import FW_BUILD_DIR

from .cpu import Cpu, ExitKind
from .elf import Firmware
from .runner import run_elf

SEMIHOSTING_EXITS = (0x18, 0x20)


@dataclass
class EngineFigure:
    engine: str
    wall_s: float
    instructions: int
    cycles: int | None = None

    @property
    def mips(self) -> float:
        return self.instructions / self.wall_s / 1e6


def run_raw_unicorn(elf: Path, board: BoardDescription) -> float:
    """Wall time of the firmware on Unicorn with memories and devices mapped but no
    accounting hook: the ceiling any Unicorn-based simulator can reach."""
    firmware = Firmware.load(elf)
    cpu = Cpu(board.cpu.model)
    for mem in board.memories:
        cpu.map_ram(mem.base, mem.size, mem.access)
    for p in board.peripherals:
        if not p.is_background:
            cpu.map_mmio(p.base, p.size, lambda offset, size: 0, lambda offset, size, value: None)
    for seg in firmware.segments:
        cpu.write_memory(seg.address, seg.data)
    cpu.set_reg("msp", cpu.read_u32(0))
    pc = cpu.read_u32(4)
    start = time.perf_counter()
    while True:
        exit_ = cpu.run(pc)
        if exit_.kind is ExitKind.BKPT and cpu.reg("r0") not in SEMIHOSTING_EXITS:
            pc = exit_.pc + 2          # console output: carry on
            continue
        break
    wall = time.perf_counter() - start
    if exit_.kind is not ExitKind.BKPT:
        raise UserError(f"raw Unicorn run of {elf} ended with {exit_.kind.value} at {exit_.pc:#x}")
    return wall


def measure(elf: Path, board_name: str, repeat: int) -> dict:
    from tlscosim.fw.qemu import run_qemu

    board = BoardDescription.load(board_name)
    best: dict[str, EngineFigure] = {}

    def keep(fig: EngineFigure) -> None:
        if fig.engine not in best or fig.wall_s < best[fig.engine].wall_s:
            best[fig.engine] = fig

    qemu_startup = min(run_qemu(FW_BUILD_DIR / "hello.elf", board=board).wall_s for _ in range(repeat)) \
        if (FW_BUILD_DIR / "hello.elf").is_file() else 0.0
    for _ in range(repeat):
        counted = run_elf(elf, board_name, timing="flat")
        keep(EngineFigure("tlscosim, instruction counting", counted.wall_s, counted.instructions, counted.cycles))
        modelled = run_elf(elf, board_name, timing="cortex-m4")
        keep(EngineFigure("tlscosim, Cortex-M4 cycle model", modelled.wall_s, modelled.instructions, modelled.cycles))
        keep(EngineFigure("unicorn, no hooks", run_raw_unicorn(elf, board), counted.instructions))
        q = run_qemu(elf, board=board, count_instructions=True, timeout_s=120)
        if q.exit_code != 0 or q.instructions is None:
            raise UserError(f"QEMU run of {elf} failed (exit {q.exit_code}): {q.stderr.decode(errors='replace')[-300:]}")
        keep(EngineFigure("qemu, whole process", q.wall_s, q.instructions))
        keep(EngineFigure("qemu, minus start-up", max(q.wall_s - qemu_startup, 1e-6), q.instructions))
        if q.instructions != counted.instructions:
            raise UserError(f"instruction counts differ: QEMU {q.instructions}, tlscosim {counted.instructions}")
    qemu = best["qemu, whole process"]
    counting = best["tlscosim, instruction counting"]
    model = best["tlscosim, Cortex-M4 cycle model"]
    return {
        "elf": str(elf), "board": board.name, "repeat": repeat, "qemu_startup_s": qemu_startup,
        "engines": {f.engine: {"wall_s": f.wall_s, "mips": f.mips, "instructions": f.instructions,
                               "cycles": f.cycles, "vs_qemu": f.mips / qemu.mips,
                               "vs_qemu_minus_startup": f.mips / best["qemu, minus start-up"].mips}
                    for f in best.values()},
        "cycle_model_cost": model.wall_s / counting.wall_s,
    }


def print_table(report: dict, stream=sys.stdout) -> None:
    print(f"firmware {report['elf']} on {report['board']}: best of {report['repeat']} runs", file=stream)
    print(f"{'engine':36} {'wall s':>8} {'MIPS':>8} {'vs QEMU':>8} {'vs QEMU-startup':>16}", file=stream)
    for name, fig in report["engines"].items():
        print(f"{name:36} {fig['wall_s']:8.3f} {fig['mips']:8.1f} {fig['vs_qemu']:8.2f} "
              f"{fig['vs_qemu_minus_startup']:16.2f}", file=stream)
    print(f"QEMU start-up (hello.elf): {report['qemu_startup_s']:.3f} s", file=stream)
    print(f"cycle model cost over instruction counting: {report['cycle_model_cost']:.2f}x", file=stream)


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
