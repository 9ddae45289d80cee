"""`tlscosim rtl ...`: Verilog, register headers, the cycle/area report, testbench runs.

Nothing heavy is imported here: each handler imports what it needs.
"""

import argparse
import json
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.outputs import check_output_folder
from tlscosim.paths import BUILD_DIR

from .regmaps import CORES

WAVES_DIR = BUILD_DIR / "rtl" / "waves"
DEFAULT_BOARD = "mps2-an386"


def add_commands(subparsers) -> None:
    rtl = subparsers.add_parser("rtl", help="RTL accelerators: Verilog, registers, report, simulation",
                                description="The Amaranth AES and SHA-256 accelerators.")
    sub = rtl.add_subparsers(dest="rtl_command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("verilog", help="write the Verilog of each core (and lint it)")
    p.add_argument("outdir", type=Path, metavar="OUTDIR")
    p.add_argument("--core", choices=CORES, action="append", help="only this core (repeatable)")
    p.add_argument("--no-lint", action="store_true", help="skip `verilator --lint-only -Wall`")
    p.set_defaults(func=_verilog)

    p = sub.add_parser("regs", help="write <core>.json register maps, <core>_regs.h C headers "
                                    "and <core>.md tables")
    p.add_argument("outdir", type=Path, metavar="OUTDIR")
    p.add_argument("--board", default=DEFAULT_BOARD,
                   help=f"board whose base addresses go into the headers (default {DEFAULT_BOARD})")
    p.set_defaults(func=_regs)

    p = sub.add_parser("report", help="cycles per block, area and Fmax (yosys + nextpnr-ice40)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the report as JSON")
    p.add_argument("--no-synth", action="store_true", help="cycle counts only (no synthesis)")
    p.set_defaults(func=_report)

    p = sub.add_parser("bench", help="throughput of the bus driver per core and back end")
    p.add_argument("--backend", choices=("pysim", "verilator"), action="append",
                   help="only this back end (repeatable)")
    p.set_defaults(func=_bench)

    p = sub.add_parser("sim", help="run a core's known-answer testbench through its bus driver")
    p.add_argument("core", choices=CORES, metavar="CORE", help=" or ".join(CORES))
    p.add_argument("--backend", choices=("pysim", "verilator"), default="pysim")
    p.add_argument("--vcd", metavar="FILE",
                   help=f"write waveforms to FILE, relative to {WAVES_DIR.relative_to(BUILD_DIR.parent)}/")
    p.set_defaults(func=_sim)


def _verilog(args: argparse.Namespace) -> int:
    from .verilog import WAIVER_FILE, lint, write_all
    check_output_folder(args.outdir, "OUTDIR")
    written = write_all(args.outdir, tuple(args.core or CORES))
    for path in written:
        print(f"wrote {path}")
    if args.no_lint:
        return 0
    failures = 0
    for path in written:
        if path.name == WAIVER_FILE:
            continue
        clean, messages = lint(path, args.outdir / WAIVER_FILE)
        print(f"verilator --lint-only -Wall {path.name}: {'clean' if clean else 'WARNINGS'}")
        if not clean:
            print(messages)
            failures += 1
    return 1 if failures else 0


def _regs(args: argparse.Namespace) -> int:
    from tlscosim.boarddesc import BoardDescription, BoardDescriptionError
    from tlscosim.cheader import header_text, regmap_lines

    from .regdoc import markdown_table
    from .regmaps import register_map
    try:
        board = BoardDescription.load(args.board)
    except BoardDescriptionError as exc:
        raise UserError(str(exc)) from None
    check_output_folder(args.outdir, "OUTDIR")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for core in CORES:
        regmap = register_map(core)
        placed = [p for p in board.peripherals if p.regmap is not None and p.regmap.name == core]
        if placed:
            instance, base = placed[0].name, placed[0].base
        else:
            instance, base = core, 0
            print(f"note: board {board.name} places no {core} accelerator: {core}_regs.h has base 0")
        (args.outdir / f"{core}.json").write_text(regmap.to_json())
        header = header_text(f"{core}_regs_h", f"{regmap.description} registers.",
                             regmap_lines(instance, base, regmap))
        (args.outdir / f"{core}_regs.h").write_text(header)
        (args.outdir / f"{core}.md").write_text(markdown_table(regmap))
        print(f"wrote {core}.json, {core}_regs.h and {core}.md in {args.outdir}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import build_report, format_report
    if args.json:
        check_output_folder(args.json.parent, "--json")
    report = build_report(None if args.no_synth else BUILD_DIR / "rtl" / "synth")
    print(format_report(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .bench import bench
    print(f"{'core':7} {'backend':9} {'writes/s':>9} {'reads/s':>9} {'busy cyc/s':>11} "
          f"{'idle cyc/s':>12}")
    for backend in args.backend or ("pysim", "verilator"):
        for core in CORES:
            r = bench(core, backend)
            print(f"{core:7} {backend:9} {r['writes_per_s']:9d} {r['reads_per_s']:9d} "
                  f"{r['busy_cycles_per_s']:11d} {r['idle_cycles_per_s']:12.3g}")
    return 0


def vcd_path(name: str) -> Path:
    """Where `--vcd NAME` writes: always under build/, never into the working directory."""
    path = Path(name)
    if path.is_absolute():
        if not path.resolve().is_relative_to(BUILD_DIR.resolve()):
            raise UserError(f"--vcd {name}: waveforms are written under {BUILD_DIR}; "
                            "give a name relative to it")
        return path
    if ".." in path.parts:
        raise UserError(f"--vcd {name}: '..' is not allowed")
    return WAVES_DIR / path


def _sim(args: argparse.Namespace) -> int:
    from .busdev import RtlBusDevice
    from .selftest import RUNNERS
    vcd = vcd_path(args.vcd) if args.vcd else None
    try:
        dev = RtlBusDevice(args.core, backend=args.backend, vcd=vcd)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with dev:
        print(f"{args.core} on {dev.backend}:")
        failures = RUNNERS[args.core](dev)
    if vcd:
        print(f"wrote {vcd}")
    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s), {dev.cycle} cycles")
    return 1 if failures else 0
