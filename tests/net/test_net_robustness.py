"""Robustness: malformed and random frames (tests/net/fuzzframes.py, seeded) injected into
the echo firmware's MAC over the wire. The board must neither fault nor wedge: afterwards
it still answers ARP, ping, UDP echo and a TCP connection, the MAC's counters account for
every frame, and the run ends only when the test stops it. A few hundred frames in the
default run; 10,000 under -m slow."""

from __future__ import annotations

import pytest
from scapy.layers.inet import ICMP, TCP, UDP

import tlscosim
from tlscosim.sim.board.net.wire import WireTimeout

from fuzzframes import campaign
from nethelp import ECHO_PORT, READY, arp_request, is_arp_reply, is_echo_reply, to_board

SEED = 20261201
SYN_ATTEMPTS = 30
BURST = 16
PAUSE_CYCLES = 250_000          # 10 ms of the board's time
FLOOD = 64


def still_answers(sim) -> None:
    sim.wire.send(arp_request())
    sim.wire.expect(is_arp_reply, timeout_s=20)
    sim.wire.send(to_board(ICMP(id=0x7777, seq=1) / b"after the storm"))
    assert bytes(sim.wire.expect(is_echo_reply(0x7777, 1), timeout_s=20)[ICMP].payload) == b"after the storm"
    sim.wire.send(to_board(UDP(sport=50000, dport=ECHO_PORT) / b"still echoing"))
    assert bytes(sim.wire.expect(lambda p: UDP in p and p[UDP].dport == 50000, timeout_s=20)[UDP].payload) == b"still echoing"
    # A SYN flood's half-open connections hold lwIP's TCP PCBs for up to 20 s (lwIP's
    # TCP_SYN_RCVD_TIMEOUT): like a real client, retry the SYN each simulated second.
    for attempt in range(SYN_ATTEMPTS):
        sim.wire.send(to_board(TCP(sport=50001, dport=ECHO_PORT, flags="S", seq=1)))
        try:
            synack = sim.wire.expect(lambda p: TCP in p and p[TCP].dport == 50001 and p[TCP].flags == "SA",
                                     timeout_s=1.0, simulated=True)
            break
        except WireTimeout:
            continue
    else:
        raise AssertionError(f"no SYN-ACK after {SYN_ATTEMPTS} SYNs a simulated second apart")
    assert synack[TCP].ack == 2
    print(f"TCP connection accepted at SYN attempt {attempt + 1}")


def storm(echo_elf, count: int, seed: int = SEED):
    frames, made = campaign(seed, count)
    with tlscosim.start(echo_elf, net="wire", paced=False) as sim:
        sim.uart.expect(READY, timeout_s=30)
        sim.wire.send(arp_request())
        sim.wire.expect(is_arp_reply, timeout_s=20)
        before = dict(sim.mac_counters())
        # In bursts (each arrives at 100 Mbit/s, faster than the board digests it), with
        # a pause after each so that most frames reach lwIP rather than a full FIFO.
        for first in range(0, len(frames), BURST):
            sim.wire.send_many(frames[first:first + BURST])
            sim.run_for(cycles=PAUSE_CYCLES, timeout_s=60)
        # Then a flood at line rate, more than the RX FIFO holds: drops, counted.
        flood = [bytes(to_board(ICMP(id=0x6666, seq=i) / bytes(1000))) for i in range(FLOOD)]
        sim.wire.send_many(flood)
        frames = frames + flood
        sim.run_for(cycles=sim.clock_hz // 10, timeout_s=60)
        counters = sim.mac_counters()
        still_answers(sim)
        assert sim.running
        # The driver read every frame the MAC took in, and saw every drop it counted.
        sim.uart.send(b"s")
        m = sim.uart.expect(r"net: rx=(\d+) tx=\d+ rx_discarded=(\d+) rx_dropped=(\d+)", timeout_s=20)
        after = sim.mac_counters()
        assert int(m.group(1)) + int(m.group(2)) == after["rx_frames"]
        assert int(m.group(3)) == after["rx_dropped_fifo_full"]
        result = sim.stop()
    assert result.stop_reason == "stopped" and not result.handled_faults and result.fault is None
    delivered = {k: counters[k] - before[k] for k in counters if k.startswith("rx_")}
    print(f"seed {seed}: {len(frames)} frames {made}; MAC: {delivered}")
    assert sum(delivered.values()) == len(frames)          # every frame is accounted for
    assert delivered["rx_dropped_fifo_full"] > 0
    # The MAC takes 14 to 2047 bytes (as QEMU's does): every other frame is a size drop.
    assert delivered["rx_dropped_size"] == sum(1 for f in frames if not 14 <= len(f) < 2048)
    return delivered


def test_a_few_hundred_malformed_frames(echo_elf):
    storm(echo_elf, 300)


@pytest.mark.slow
def test_ten_thousand_malformed_frames(echo_elf):
    delivered = storm(echo_elf, 10_000)
    assert delivered["rx_frames"] > 0.8 * 10_000


def test_campaign_is_repeatable():
    assert campaign(7, 50) == campaign(7, 50)
    assert campaign(7, 50)[0] != campaign(8, 50)[0]
