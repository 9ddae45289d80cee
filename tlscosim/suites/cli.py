"""`tlscosim test-suites`: Mbed TLS's own test suites on the board (and under QEMU)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..boarddesc import DEFAULT_BOARD


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    from .catalog import DEFAULT_SUITES

    p = subparsers.add_parser(
        "test-suites", help="run Mbed TLS's own test suites on the board",
        description="Generate Mbed TLS's test suites with its generate_test_code.py, build one ELF per "
                    "suite for the board, run each on the simulated board (the .datax is read through "
                    "semihosting) and print passed/failed/skipped, with the reason of every skip. "
                    "A name selects that suite and its parts (aes: aes.cbc, aes.cfb, ...). "
                    f"Default: {' '.join(DEFAULT_SUITES)}.")
    p.add_argument("suites", nargs="*", metavar="SUITE", help="suite names (see --list)")
    p.add_argument("--board", default=DEFAULT_BOARD, help=f"board name or TOML file (default: {DEFAULT_BOARD})")
    p.add_argument("--timing", default="cortex-m4", choices=("cortex-m4", "flat"), help="cycle model")
    p.add_argument("--qemu", action="store_true",
                   help="also run each ELF under QEMU and compare the counts (boards with a QEMU machine)")
    p.add_argument("--offload", action="store_true",
                   help="also run each suite with Mbed TLS on the accelerators (RTL attached, every "
                        "operation verified) and compare the counts with the software build's")
    p.add_argument("--rtl", default="verilator", choices=("amaranth", "verilator"),
                   help="RTL back end for --offload (default verilator)")
    p.add_argument("--no-verify-offload", dest="verify_offload", action="store_false",
                   help="with --offload, do not recompute every accelerator operation (for suites of "
                        "millions of operations, such as the NIST gcm ones: about twice as fast)")
    p.add_argument("--split", type=_positive, default=1, metavar="N",
                   help="cut each suite's .datax into N consecutive parts of about equal expected cost and "
                        "run them in parallel processes (at most one per CPU), their outcomes merged "
                        "(default 1: the suite runs whole, in this process)")
    p.add_argument("--json", metavar="FILE", help="write the outcome of every suite as JSON")
    p.add_argument("--list", action="store_true", help="list the suites of the Mbed TLS source and stop")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help="parallel compile jobs")
    p.set_defaults(func=run_test_suites)


def run_test_suites(args: argparse.Namespace) -> int:
    from ..outputs import check_output_file
    from . import catalog, generate, runner, split

    if args.list:
        print("\n".join(s.name for s in catalog.all_suites()))
        return 0
    if args.json:
        check_output_file(args.json, "--json")
    suites = catalog.select(args.suites or catalog.DEFAULT_SUITES)
    elfs = generate.build(suites, args.board, jobs=args.jobs)
    if args.offload:
        from . import offload
        accel_elfs = offload.build_accelerated(suites, args.board, jobs=args.jobs)
    report = {"board": args.board, "timing": args.timing, "suites": []}
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    all_ok = True
    for suite in suites:
        parts = split.write_parts(suite, args.split) if args.split > 1 else []
        parts = parts if len(parts) > 1 else None       # a one-case suite runs whole
        in_parts = f" in {len(parts)} parts" if parts else ""
        started = time.perf_counter()
        sim, _ = _run(suite, elfs[suite.name], args, parts, backend=None)
        entry = {"suite": suite.name, "tlscosim": sim.to_dict(), "wall_s": round(time.perf_counter() - started, 3)}
        if parts:
            entry["parts"] = len(parts)
        line = (f"{suite.name}: {sim.passed} passed, {sim.failed} failed, {sim.skipped} skipped "
                f"({entry['wall_s']:.1f} s{in_parts})")
        all_ok &= sim.ok
        if args.qemu:
            qemu = runner.run_on_qemu(suite, elfs[suite.name], args.board)
            entry["qemu"] = qemu.to_dict()
            same = (qemu.passed, qemu.failed, qemu.skipped) == (sim.passed, sim.failed, sim.skipped)
            all_ok &= qemu.ok and same
            line += f"; QEMU {qemu.passed} passed, {qemu.failed} failed, {qemu.skipped} skipped"
            line += "" if same else "  <- DIFFERENT"
        if args.offload:
            hw_started = time.perf_counter()
            hw, summary = _run(suite, accel_elfs[suite.name], args, parts, backend=args.rtl)
            hw_wall = round(time.perf_counter() - hw_started, 3)
            entry["offload"] = {**hw.to_dict(), "accelerators": summary, "rtl_backend": args.rtl, "wall_s": hw_wall}
            same = (hw.passed, hw.failed, hw.skipped) == (sim.passed, sim.failed, sim.skipped)
            clean = summary.get("verify_offload", {"mismatches": 0})["mismatches"] == 0
            all_ok &= hw.ok and same and clean
            line += (f"; offloaded {hw.passed} passed, {hw.failed} failed, {hw.skipped} skipped"
                     + ("" if same else "  <- DIFFERENT")
                     + f" ({hw_wall:.1f} s on {args.rtl}{in_parts}: x{hw_wall / max(entry['wall_s'], 1e-3):.1f}; "
                     + f"{offload.blocks_text(summary)})")
        print(line, flush=True)
        runs = [("tlscosim", sim)] + ([("QEMU", qemu)] if args.qemu else []) \
            + ([("offloaded", hw)] if args.offload else [])
        for where, outcome in runs:
            if outcome.error or not outcome.complete:
                print(f"    {where}: did not complete: {outcome.error or f'exit code {outcome.exit_code}'}")
            for name in outcome.failures:
                print(f"    {where}: FAILED: {name}")
        for reason, count in sorted(sim.skip_reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    skipped {count}: {reason}")
        for key in totals:
            totals[key] += getattr(sim, key)
        report["suites"].append(entry)
    print(f"{len(suites)} suites: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    if args.json:
        from pathlib import Path
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    sys.stdout.flush()
    return 0 if all_ok else 1


def _run(suite, elf, args, parts, backend: str | None):
    """The suite on the software build (backend None) or on the accelerators' with that RTL
    back end: whole in this process, or in parts in parallel processes; progress on stderr."""
    from . import offload, parallel, runner
    from .progress import CaseCounter, ProgressLine

    progress = ProgressLine(f"{suite.name} [{'offloaded' if backend else 'software'}]", len(suite.test_cases()))
    if parts:
        return parallel.run_split(suite, elf, args.board, parts, timing=args.timing, backend=backend,
                                  verify=args.verify_offload, progress=progress)
    counter = CaseCounter(progress.update)
    if backend is None:
        return runner.run_on_tlscosim(suite, elf, args.board, timing=args.timing, counter=counter), None
    return offload.run_with_rtl(suite, elf, args.board, backend=backend, timing=args.timing, counter=counter,
                                verify=args.verify_offload)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value
