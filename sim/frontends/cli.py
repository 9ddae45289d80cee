"""`tlscosim run` and `tlscosim bench`."""

from __future__ import annotations

import argparse

from tlscosim.argtypes import SEED_MAX, positive_int, positive_seconds, seed

from ..board.results import EXIT_FAULT, EXIT_LIMIT


def add_commands(sub) -> None:
    run = sub.add_parser("run", help="run firmware on the simulated board",
                         description="Run an ELF on the simulated board. UART0 goes to stdout; the "
                                     "exit status is the firmware's (semihosting exit), "
                                     f"{EXIT_LIMIT} at a cycle/time limit, {EXIT_FAULT} on a fault, "
                                     "123 when --verify-offload found mismatches.")
    run.add_argument("elf", help="firmware ELF (e.g. build/fw/hello.elf)")
    run.add_argument("--board", default="mps2-an386", help="board name in platform/boards/ or a TOML file")
    run.add_argument("--max-cycles", type=positive_int, metavar="N", help="stop after N simulated cycles")
    run.add_argument("--timeout-s", type=positive_seconds, metavar="S", help="stop after S seconds of wall time")
    run.add_argument("--json", metavar="FILE", help="write the run's figures and outcome as JSON")
    run.add_argument("--timing", default="cortex-m4", choices=("cortex-m4", "flat"),
                     help="cycle model: Cortex-M4 TRM timings, or one cycle per instruction")
    run.add_argument("--seed", type=seed, default=0,
                     help=f"seed of the entropy source (TRNG), 0..{SEED_MAX} (decimal or 0x hex)")
    from ..board.peripherals.rtc import rtc_epoch_argument
    run.add_argument("--rtc-epoch", type=rtc_epoch_argument, default=None, metavar="SECONDS|now",
                     help="the real-time clock's time at start, in seconds since 1970 (UTC); "
                          "default 'now': the host's time")
    run.add_argument("--fault-policy", default="firmware", choices=("firmware", "stop"),
                     help="firmware: fault handlers run as on hardware (default); stop: stop at the first fault")
    run.add_argument("--profile", metavar="FILE",
                     help="write a cycle-weighted profile (speedscope JSON) and print the top functions")
    run.add_argument("-q", "--quiet", action="store_true", help="no summary or progress on stderr")
    from ..board.peripherals import accelerator_run
    accelerator_run.add_arguments(run)
    from ..board.net import run_options as net_run
    net_run.add_arguments(run)
    from ..board.semihosting import add_run_arguments as add_semihosting_arguments
    add_semihosting_arguments(run)
    run.set_defaults(func=_run)

    bench = sub.add_parser("bench", help="simulation speed against QEMU and raw Unicorn",
                           description="Run a compute-bound firmware under QEMU, raw Unicorn, and tlscosim "
                                       "(instruction counting only, and with the cycle model) in one run; "
                                       "print simulated MIPS and the ratios.")
    bench.add_argument("--elf", help="firmware to run (default: build/fw/bench.elf, built if needed)")
    bench.add_argument("--repeat", type=positive_int, default=3, help="runs per engine; the best is reported")
    bench.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    bench.set_defaults(func=_bench)
    from tlscosim import bench_crypto
    bench_crypto.add_subcommand(bench)


def _run(args: argparse.Namespace) -> int:
    from .run_command import run_command

    return run_command(args)


def _bench(args: argparse.Namespace) -> int:
    from tlscosim.outputs import check_output_file

    from .bench import bench_command

    if args.json:
        check_output_file(args.json, "--json")

    return bench_command(args)
