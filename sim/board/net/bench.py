"""`tlscosim bench-net`: the echo firmware on the TAP link, measured from the host's side.

Ping round trip: the kernel's figure (wall time), and the board's own, in simulated time,
from each request reaching the MAC to the reply leaving it. TCP echo throughput: N bytes
through the board and back (checked by SHA-256), as simulated cycles per byte (all of
them, and those the CPU was awake for) and wall seconds per MiB."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from scapy.layers.inet import ICMP
from scapy.layers.l2 import Ether

from tlscosim.errors import UserError

from .netns import BOARD_IP

READY = r"listening on tcp/7"
MIB = 1 << 20
CLIENT = Path(__file__).with_name("echo_client.py")


class _IcmpTimes:
    """Observer of the MAC's port: cycle each echo request came in and its reply went out."""

    def __init__(self):
        self.requests: dict[tuple[int, int], int] = {}
        self.replies: dict[tuple[int, int], int] = {}

    def __call__(self, direction: str, cycle: int, frame: bytes) -> None:
        pkt = Ether(frame)
        if ICMP in pkt and pkt[ICMP].type in (0, 8):
            key = (pkt[ICMP].id, pkt[ICMP].seq)
            (self.requests if direction == "in" else self.replies).setdefault(key, cycle)

    def round_trips(self) -> list[int]:
        return [self.replies[k] - c for k, c in self.requests.items() if k in self.replies]


def _in_namespace(session, command: str, timeout: float) -> subprocess.CompletedProcess:
    ns = session.namespace
    return subprocess.run(ns.command(command), env=ns.environment(), capture_output=True, text=True, timeout=timeout)


def measure(elf: Path, pings: int, size: int) -> dict:
    import tlscosim

    times = _IcmpTimes()
    with tlscosim.start(elf, net="tap") as session:
        session.net.port.observe(times)
        session.uart.expect(READY, timeout_s=60)
        hz = session.clock_hz
        ping = _in_namespace(session, f"ping -c {pings} -i 0.05 -W 5 {BOARD_IP}", timeout=60 + pings)
        m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/", ping.stdout)
        if ping.returncode != 0 or not m:
            raise UserError(f"ping failed: {ping.stdout}{ping.stderr}")
        rtts = sorted(times.round_trips())
        core = session.sim.core
        cycles0, sleep0 = session.cycle, core.sleep_cycles
        echo = _in_namespace(session, f"{sys.executable} {CLIENT} {BOARD_IP} {size}", timeout=600)
        cycles1, sleep1 = session.cycle, core.sleep_cycles
        if echo.returncode != 0:
            raise UserError(f"the TCP echo failed: {echo.stdout}{echo.stderr}")
        client = json.loads(echo.stdout.strip().splitlines()[-1])
        counters = session.mac_counters()
    elapsed, awake = cycles1 - cycles0, (cycles1 - cycles0) - (sleep1 - sleep0)
    return {
        "clock_hz": hz,
        "ping": {"count": pings, "wall_ms_min_avg_max": [float(m.group(i)) for i in (1, 2, 3)],
                 "simulated_us_min_median_max": [round(rtts[0] / hz * 1e6, 1), round(rtts[len(rtts) // 2] / hz * 1e6, 1),
                                                 round(rtts[-1] / hz * 1e6, 1)],
                 "simulated_cycles_median": rtts[len(rtts) // 2]},
        "tcp_echo": {"bytes": size, "wall_s": round(client["wall_s"], 3),
                     "wall_s_per_mib": round(client["wall_s"] * MIB / size, 3),
                     "simulated_s": round(elapsed / hz, 3),
                     "cycles_per_byte": round(elapsed / size, 1), "awake_cycles_per_byte": round(awake / size, 1),
                     "throughput_mbit_s_simulated": round(2 * size * 8 / (elapsed / hz) / 1e6, 2)},
        "mac": counters,
    }


def bench_command(args) -> int:
    from tlscosim.fw.build import build_firmware

    elf = Path(args.elf) if args.elf else build_firmware(["echo"]).elfs["echo"]
    started = time.monotonic()
    figures = measure(elf, args.pings, args.bytes)
    ping, tcp = figures["ping"], figures["tcp_echo"]
    print(f"ping ({ping['count']}): wall {ping['wall_ms_min_avg_max'][1]:.2f} ms average (kernel's figure); "
          f"simulated {ping['simulated_us_min_median_max'][1]:.1f} us median at the MAC "
          f"({ping['simulated_cycles_median']:,} cycles)")
    print(f"tcp echo {tcp['bytes']:,} bytes each way: {tcp['cycles_per_byte']} simulated cycles per byte "
          f"({tcp['awake_cycles_per_byte']} with the CPU awake), {tcp['simulated_s']} s simulated, "
          f"{tcp['wall_s_per_mib']} wall s per MiB ({tcp['throughput_mbit_s_simulated']} Mbit/s simulated, both ways)")
    print(f"MAC: {', '.join(f'{k} {v}' for k, v in figures['mac'].items())}; total {time.monotonic() - started:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0
