"""`tlscosim handshake` and `tlscosim bench-handshake` (docs/tls.md)."""

from __future__ import annotations

import argparse

from tlscosim.argtypes import positive_seconds

RTL_CHOICES = ("amaranth", "verilator")


def _debug_level(text: str) -> int:
    if text not in ("0", "1", "2", "3", "4"):
        raise argparse.ArgumentTypeError(f"must be 0..4, not {text!r}")
    return int(text)


def add_commands(sub) -> None:
    hs = sub.add_parser("handshake", help="the board's TLS client against a host HTTPS server: cycles per phase, "
                                          "offload on vs off, checks (docs/tls.md)",
                        description="Runs the tls_client firmware on the simulated board against an HTTPS server "
                                    "on Python's ssl in a TAP namespace (a full and a resumed handshake, one HTTP "
                                    "GET each), checks the session from both ends and the offload, and reports "
                                    "cycles per handshake state and per kind of work.")
    hs.add_argument("--tls", choices=("1.2", "1.3", "both"), default="1.3")
    hs.add_argument("--accel", choices=("on", "off", "both"), default="both")
    hs.add_argument("--rtl", choices=RTL_CHOICES, default="amaranth", help="simulator of the accelerators' RTL")
    hs.add_argument("--rtl-fault", metavar="NAME", help="a deliberately broken accelerator RTL (see tlscosim run --help)")
    hs.add_argument("--verify-offload", action="store_true",
                    help="recompute every accelerator operation with a reference implementation")
    hs.add_argument("--board", default="mps2-an386")
    hs.add_argument("--suite", metavar="NAME", help="one ciphersuite by Mbed TLS name")
    hs.add_argument("--group", metavar="NAME", default="secp256r1", help="key-exchange group (default secp256r1)")
    hs.add_argument("--tls-debug", type=_debug_level, default=0, metavar="N", help="Mbed TLS debug level 0-4")
    hs.add_argument("--json", metavar="FILE", help="write the report as JSON")
    hs.add_argument("--plot", metavar="FILE", help="write a PNG of the phases, offload on vs off")
    hs.add_argument("--pcap", metavar="FILE", help="record each run's frames (one file per run, suffixed)")
    hs.add_argument("--profile", metavar="FILE", help="write the per-phase profile breakdown and top functions (JSON)")
    hs.add_argument("--timeout-s", type=positive_seconds, default=900.0, metavar="S",
                    help="wall-time limit of each board run (default 900)")
    hs.set_defaults(func=_handshake)

    bench = sub.add_parser("bench-handshake", help="wall time of one full TLS 1.3 handshake with offload, per RTL "
                                                   "back end (prints figures, asserts none)")
    bench.add_argument("--rtl", choices=RTL_CHOICES + ("both",), default="both")
    bench.add_argument("--board", default="mps2-an386")
    bench.set_defaults(func=_bench)


def _handshake(args) -> int:
    from .handshake import handshake_command
    if args.rtl_fault:
        from tlscosim.sim.board.peripherals.accelerator_faults import fault_named
        fault_named(args.rtl_fault)          # an unknown name is a user error before any work
    return handshake_command(args)


def _bench(args) -> int:
    from .bench import bench_command
    return bench_command(args)
