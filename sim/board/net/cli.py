"""The network's commands: `tlscosim bench-net` (nothing heavy imported to build the parser)."""

from __future__ import annotations

from tlscosim.argtypes import positive_int

MIB = 1 << 20


def add_commands(sub) -> None:
    bench = sub.add_parser("bench-net", help="network speed: ping round trip and TCP echo throughput over TAP",
                           description="Run the echo firmware on the TAP link; measure ping round trips "
                                       "(simulated and wall) and TCP echo throughput (simulated cycles per byte, "
                                       "wall seconds per MiB). Needs root.")
    bench.add_argument("--elf", help="echo firmware (default: build/fw/echo.elf, built if needed)")
    bench.add_argument("--pings", type=positive_int, default=20, help="echo requests to send")
    bench.add_argument("--bytes", type=positive_int, default=MIB, help="bytes through the TCP echo")
    bench.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    bench.set_defaults(func=_bench)


def _bench(args) -> int:
    from tlscosim.outputs import check_output_file

    from .bench import bench_command

    if args.json:
        check_output_file(args.json, "--json")     # before the run, not after it
    return bench_command(args)
