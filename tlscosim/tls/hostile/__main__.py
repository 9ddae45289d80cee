"""`python -m tlscosim.tls.hostile PEER ...`: the hostile peers as commands, for `tlscosim
run --peer` and `--host-cmd`. Each writes a JSON report (--report FILE, else stdout)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys

from . import broken_servers, client_hellos
from .garble_proxy import TO_CLIENT, TO_SERVER, GarbleProxy, Target
from .mutations import MUTATIONS
from .records import parse_content_type


class Stopped(Exception):
    """SIGTERM: the run that started this peer is over."""


def address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (a port from 1 to 65535)")
    return host, int(port)


def content_type(text: str) -> int:
    try:
        return parse_content_type(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m tlscosim.tls.hostile",
                                  description="Malicious and broken TLS peers.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--report", metavar="FILE", help="write the JSON report here (default: stdout)")
    peers = top.add_subparsers(dest="peer", required=True, metavar="PEER")

    proxy = peers.add_parser("proxy", parents=[common], help="TCP proxy garbling one TLS record")
    proxy.add_argument("--listen", type=address, default=("0.0.0.0", 4433), metavar="HOST:PORT")
    proxy.add_argument("--upstream", type=address, required=True, metavar="HOST:PORT",
                       help="the real server")
    proxy.add_argument("--mutate", choices=list(MUTATIONS), required=True)
    proxy.add_argument("--record", type=positive, default=1, metavar="N",
                       help="garble the Nth record (1-based; of --type if given)")
    proxy.add_argument("--type", type=content_type, default=None, metavar="TYPE",
                       help="count only records of this content type (name or number)")
    proxy.add_argument("--direction", choices=[TO_CLIENT, TO_SERVER], default=TO_CLIENT)
    proxy.add_argument("--connections", type=positive, default=1, metavar="N")

    stall = peers.add_parser("stall", parents=[common], help="accept, never answer")
    stall.add_argument("--listen", type=address, default=("0.0.0.0", 4433), metavar="HOST:PORT")
    stall.add_argument("--hold-s", type=seconds, default=120.0, metavar="S",
                       help="give up after S seconds (default 120)")

    vanish = peers.add_parser("vanish", parents=[common], help="read the ClientHello, then reset or close")
    vanish.add_argument("--listen", type=address, default=("0.0.0.0", 4433), metavar="HOST:PORT")
    vanish.add_argument("--how", choices=broken_servers.VANISH_MODES, default="rst")

    hello = peers.add_parser("hello", parents=[common], help="send a ClientHello crafted with scapy (malformed, or valid, or none)")
    hello.add_argument("--server", type=address, required=True, metavar="HOST:PORT")
    hello.add_argument("--variant", choices=list(client_hellos.VARIANTS), required=True)
    hello.add_argument("--host", default="tlscosim.test", help="SNI to put in it")
    hello.add_argument("--timeout-s", type=seconds, default=30.0, metavar="S",
                       help="give up after S seconds without an answer (default 30)")
    hello.add_argument("--reset", action="store_true",
                       help="reset the connection right after sending (a client vanishing)")
    hello.add_argument("--retry-s", type=seconds, default=None, metavar="S",
                       help="retry a refused connection for S seconds (a server still starting)")
    return top


def _reason(exc: OSError) -> str:
    """The system's words for an error, without Python's additions."""
    return os.strerror(exc.errno) if exc.errno else str(exc)


def _listener(where: tuple[str, int]) -> socket.socket:
    try:
        return socket.create_server(where, reuse_port=False)
    except OSError as exc:
        raise SystemExit(f"hostile: cannot listen on {where[0]}:{where[1]}: {_reason(exc)}")


def run(args, report: dict) -> None:
    if args.peer == "proxy":
        target = Target(args.mutate, args.record, args.type, args.direction)
        proxy = GarbleProxy(_listener(args.listen), args.upstream, target)
        report["connections"] = proxy.connections
        proxy.serve(args.connections)
    elif args.peer == "stall":
        report.update(broken_servers.stall(_listener(args.listen), args.hold_s))
    elif args.peer == "vanish":
        report.update(broken_servers.vanish(_listener(args.listen), args.how))
    else:
        try:
            report.update(client_hellos.send_hello(args.server, client_hellos.craft(args.variant, args.host),
                                                   args.timeout_s, args.retry_s or 0.0, args.reset))
        except OSError as exc:
            raise SystemExit(f"hostile: cannot reach {args.server[0]}:{args.server[1]}: "
                             f"{_reason(exc)}")


def _write(report: dict, path: str | None) -> None:
    text = json.dumps(report, indent=1)
    if path is None:
        print(text)
        return
    try:
        with open(path, "w") as out:
            out.write(text + "\n")
    except OSError as exc:
        raise SystemExit(f"hostile: cannot write the report {path}: {_reason(exc)}")


def main(argv=None) -> int:
    args = parser().parse_args(argv)

    def stop(signum, frame):
        raise Stopped()
    signal.signal(signal.SIGTERM, stop)
    report: dict = {"peer": args.peer}
    try:
        run(args, report)
    except Stopped:
        report["stopped"] = True          # ended by the run: what it saw so far
    _write(report, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
