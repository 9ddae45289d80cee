"""What profiling costs: the same firmware run without and with the profiler, best of N
(interleaved, so that machine noise hits both alike). The issue's bound is 10x; the
profiler aims at under 2x.

    python -m tlscosim.sim.frontends.profile_bench [ELF] [--board NAME] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tlscosim.errors import UserError
from tlscosim.paths import FW_BUILD_DIR

from .profiler import Profiler
from .runner import load_simulation


def _timed_run(elf: Path, board: str, profile_to: Path | None) -> tuple[float, float, object]:
    """(wall of the whole `tlscosim run` work, wall of sim.run() alone, result)."""
    start = time.perf_counter()
    sim = load_simulation(elf, board)
    profiler = Profiler.attach(sim) if profile_to is not None else None
    run_start = time.perf_counter()
    result = sim.run()
    run_wall = time.perf_counter() - run_start
    if profiler is not None:
        profiler.write(profile_to, stream=None)
        profiler.detach()
    return time.perf_counter() - start, run_wall, result


def measure_profiler_overhead(elf: str | Path, board: str = "mps2-an386", repeat: int = 3) -> dict:
    """Best-of-`repeat` wall times of a run without and with the profiler (load, run and,
    when profiling, writing the profile), their ratio, and the same for the run alone."""
    elf = Path(elf)
    best = {"plain": (float("inf"), float("inf")), "profiled": (float("inf"), float("inf"))}
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(max(1, repeat)):
            for mode in ("plain", "profiled"):
                wall, run_wall, result = _timed_run(elf, board, Path(tmp) / "profile.json" if mode == "profiled" else None)
                best[mode] = (min(best[mode][0], wall), min(best[mode][1], run_wall))
                figures[mode] = (result.cycles, result.instructions, result.stop_reason)
    if figures["plain"] != figures["profiled"]:
        raise UserError(f"profiling changed the run: {figures['plain']} without, {figures['profiled']} with")
    cycles, instructions, stop_reason = figures["plain"]
    return {
        "elf": str(elf), "board": board, "repeat": max(1, repeat), "stop_reason": stop_reason,
        "cycles": cycles, "instructions": instructions,
        "plain_wall_s": best["plain"][0], "profiled_wall_s": best["profiled"][0],
        "ratio": best["profiled"][0] / best["plain"][0],
        "plain_run_s": best["plain"][1], "profiled_run_s": best["profiled"][1],
        "run_ratio": best["profiled"][1] / best["plain"][1],
    }


def format_overhead(report: dict) -> str:
    return (f"profiler overhead on {report['elf']} ({report['instructions']:,} instructions, best of "
            f"{report['repeat']}): {report['plain_wall_s']:.3f} s without, {report['profiled_wall_s']:.3f} s "
            f"with profile = {report['ratio']:.2f}x (run alone: {report['plain_run_s']:.3f} s -> "
            f"{report['profiled_run_s']:.3f} s, {report['run_ratio']:.2f}x)\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tlscosim.sim.frontends.profile_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("elf", nargs="?", default=str(FW_BUILD_DIR / "bench.elf"))
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args(argv)
    report = measure_profiler_overhead(args.elf, args.board, args.repeat)
    sys.stdout.write(format_overhead(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
