"""`tlscosim run` options of the network: --net, --pcap, --peer, --host-cmd."""

from __future__ import annotations

import signal

from . import NETS


def add_arguments(run) -> None:
    group = run.add_argument_group("network (the board's Ethernet controller; docs/network.md)")
    group.add_argument("--net", choices=NETS,
                       help="tap: a TAP interface in a network namespace made for the run (host 192.0.2.1, "
                            "board 192.0.2.2); wire: no kernel, the wire has nobody else on it")
    group.add_argument("--pcap", metavar="FILE", help="record every frame, both ways, time-stamped in simulated time")
    group.add_argument("--peer", metavar="CMD", action="append", default=[],
                       help="start CMD in the namespace before the board boots, stop it at the end (repeatable)")
    group.add_argument("--host-cmd", metavar="CMD",
                       help="start CMD in the namespace once the board receives; its exit ends the run with its status")


def attach(sim, args):
    """The run's network, or None when it has none. With a TAP link, Ctrl-C and SIGTERM
    end the run through the host I/O service (the handler only asks for a stop: an
    exception raised inside a CPU callback would be lost), so that the run ends as usual
    and the namespace, peers and host command are removed; the exit status is 128 + N."""
    if args.net is None and args.pcap is None:
        return None
    from .links import NetSetup
    setup = NetSetup(sim, args.net, pcap=args.pcap, peers=tuple(args.peer), host_cmd=args.host_cmd)
    if setup.tap is not None:
        def stop(signum, _frame):
            name = signal.Signals(signum).name
            sim.board.host.request_stop("interrupted", f"{name} received", exit_code=128 + signum)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
    return setup


def report_lines(setup) -> list[str]:
    if setup is None:
        return []
    counters = setup.counters()
    text = ", ".join(f"{name} {value}" for name, value in counters.items())
    return [f"{setup.port.name}: {text}"]
