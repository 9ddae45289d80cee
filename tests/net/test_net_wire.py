"""The echo firmware on the `wire` link, driven by scapy through tlscosim.start(): ARP,
ICMP echo, UDP and TCP echo (a TCP handshake made by hand), with the board's checksums
verified by scapy, and the pcap of the run read back by scapy and tshark."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.utils import rdpcap

import tlscosim
from tlscosim.sim.board.net.wire import WireTimeout

from nethelp import HOST_MAC as HOST_MAC_ADDR
from nethelp import (BOARD_IP, BOARD_MAC, ECHO_PORT, HOST_IP, READY, arp_request, checksums_valid, is_arp_reply,
                     is_echo_reply, to_board)


@pytest.fixture
def board(echo_elf):
    """The board up and knowing the host's MAC (it learns it from the host's ARP request,
    as from a host that talks first)."""
    with tlscosim.start(echo_elf, net="wire") as sim:
        sim.uart.expect(READY, timeout_s=30)
        sim.wire.send(arp_request())
        sim.wire.expect(is_arp_reply, timeout_s=10)
        yield sim


def test_arp_reply(board):
    board.wire.send(arp_request())
    reply = board.wire.expect(is_arp_reply, timeout_s=10)
    assert reply[ARP].hwsrc == BOARD_MAC and reply[ARP].pdst == HOST_IP
    assert reply.dst == arp_request()[ARP].hwsrc


def test_icmp_echo(board):
    payload = bytes(range(64))
    for seq in range(3):
        board.wire.send(to_board(ICMP(id=0x4242, seq=seq) / payload))
        reply = board.wire.expect(is_echo_reply(0x4242, seq), timeout_s=10)
        assert reply[IP].src == BOARD_IP and reply[IP].dst == HOST_IP
        assert bytes(reply[ICMP].payload) == payload
        assert checksums_valid(reply)


def test_udp_echo(board):
    board.wire.send(to_board(UDP(sport=40000, dport=ECHO_PORT) / b"datagram to echo"))
    reply = board.wire.expect(UDP, timeout_s=10)
    assert (reply[UDP].sport, reply[UDP].dport) == (ECHO_PORT, 40000)
    assert bytes(reply[UDP].payload) == b"datagram to echo"
    assert checksums_valid(reply)


def test_tcp_echo_handshake_data_and_close(board):
    sport, isn = 40001, 1000
    board.wire.send(to_board(TCP(sport=sport, dport=ECHO_PORT, flags="S", seq=isn)))
    synack = board.wire.expect(lambda p: TCP in p and p[TCP].flags == "SA", timeout_s=10)
    assert synack[TCP].ack == isn + 1 and checksums_valid(synack)
    server_seq = synack[TCP].seq + 1
    data = b"echo me over tcp, please"
    board.wire.send(to_board(TCP(sport=sport, dport=ECHO_PORT, flags="PA", seq=isn + 1, ack=server_seq) / data))
    echoed = board.wire.expect(lambda p: TCP in p and len(p[TCP].payload) > 0, timeout_s=10)
    assert bytes(echoed[TCP].payload) == data and echoed[TCP].seq == server_seq
    assert checksums_valid(echoed)
    board.wire.send(to_board(TCP(sport=sport, dport=ECHO_PORT, flags="FA", seq=isn + 1 + len(data),
                                 ack=server_seq + len(data))))
    fin = board.wire.expect(lambda p: TCP in p and "F" in p[TCP].flags, timeout_s=10)
    assert fin[TCP].ack == isn + 1 + len(data) + 1


def test_expect_times_out_with_a_clear_message(board):
    with pytest.raises(WireTimeout) as exc:
        board.wire.expect(lambda p: False, timeout_s=0.3)
    assert str(exc.value).startswith("no frame matching <lambda> from the board within 0.3 s of wall time")


def test_simulated_timeout_counts_board_time(board):
    start = board.cycle
    with pytest.raises(WireTimeout):
        board.wire.expect(lambda p: False, timeout_s=0.2, simulated=True)
    assert board.cycle - start >= 0.2 * board.clock_hz


def test_run_for_advances_the_board(board):
    start = board.cycle
    reached = board.run_for(cycles=1_000_000)
    assert reached >= start + 1_000_000


def test_pcap_holds_both_directions_in_simulated_time(echo_elf, tmp_path):
    path = tmp_path / "ping.pcap"
    with tlscosim.start(echo_elf, net="wire", pcap=path) as sim:
        sim.uart.expect(READY, timeout_s=30)
        sim.wire.send(arp_request())
        sim.wire.expect(is_arp_reply, timeout_s=10)
        sim.wire.send(to_board(ICMP(id=1, seq=1) / (b"x" * 32)))
        sim.wire.expect(is_echo_reply(1, 1), timeout_s=10)
        end_s = sim.simulated_s
    frames = rdpcap(str(path))
    ours = [p for p in frames if ARP in p or ICMP in p]
    kinds = [("arp" if ARP in p else "icmp", p.src) for p in ours]
    assert ("arp", "02:00:00:00:00:01") in kinds and ("arp", BOARD_MAC) in kinds
    assert ("icmp", "02:00:00:00:00:01") in kinds and ("icmp", BOARD_MAC) in kinds
    times = [float(p.time) for p in frames]
    assert times == sorted(times) and 0 < times[-1] <= end_s + 0.01
    request = next(p for p in ours if ICMP in p and p[ICMP].type == 8)
    reply = next(p for p in ours if ICMP in p and p[ICMP].type == 0)
    assert 0 < float(reply.time) - float(request.time) < 0.01          # answered within 10 ms simulated
    if shutil.which("tshark"):
        out = subprocess.run(["tshark", "-r", str(path), "-Y", "icmp", "-T", "fields", "-e", "icmp.type"],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out == ["8", "0"]


def dhcp_reply(request, kind: str, address: str):
    """What a DHCP server on the host end would answer (RFC 2131), made with scapy."""
    from scapy.layers.dhcp import BOOTP, DHCP
    return (Ether(src=HOST_MAC_ADDR, dst=request.src) / IP(src=HOST_IP, dst="255.255.255.255")
            / UDP(sport=67, dport=68)
            / BOOTP(op=2, xid=request[BOOTP].xid, yiaddr=address, siaddr=HOST_IP, chaddr=request[BOOTP].chaddr)
            / DHCP(options=[("message-type", kind), ("server_id", HOST_IP), ("lease_time", 3600),
                            ("subnet_mask", "255.255.255.0"), ("router", HOST_IP), "end"]))


def test_dhcp_option_takes_the_offered_address(echo_elf):
    from scapy.layers.dhcp import DHCP
    leased = "192.0.2.77"

    def dhcp(kind):
        return lambda p: DHCP in p and ("message-type", kind) in p[DHCP].options

    with tlscosim.start(echo_elf, net="wire", args=["dhcp"]) as sim:
        sim.uart.expect(r"starting \(dhcp\)", timeout_s=30)
        discover = sim.wire.expect(dhcp(1), timeout_s=30)
        sim.wire.send(dhcp_reply(discover, "offer", leased))
        request = sim.wire.expect(dhcp(3), timeout_s=30)
        assert ("requested_addr", leased) in request[DHCP].options
        sim.wire.send(dhcp_reply(request, "ack", leased))
        sim.uart.expect(rf"net: up ip={leased}", timeout_s=30)
        sim.wire.send(Ether(src=HOST_MAC_ADDR, dst=BOARD_MAC) / IP(src=HOST_IP, dst=leased) / ICMP(id=5, seq=1))
        who_has = sim.wire.expect(lambda p: ARP in p and p[ARP].op == 1 and p[ARP].pdst == HOST_IP, timeout_s=10)
        assert who_has[ARP].psrc == leased
        sim.wire.send(Ether(src=HOST_MAC_ADDR, dst=BOARD_MAC)
                      / ARP(op=2, hwsrc=HOST_MAC_ADDR, psrc=HOST_IP, hwdst=BOARD_MAC, pdst=leased))
        reply = sim.wire.expect(is_echo_reply(5, 1), timeout_s=10)
        assert reply[IP].src == leased


def test_sniff_collects_the_board_frames(board):
    board.wire.send_many([to_board(ICMP(id=9, seq=s)) for s in range(3)])
    replies = board.wire.sniff(timeout_s=10, count=3, match=ICMP)
    assert sorted(p[ICMP].seq for p in replies) == [0, 1, 2]
    assert all(p[ICMP].type == 0 for p in replies)


def test_console_counters_agree_with_the_mac(board):
    for seq in range(4):
        board.wire.send(to_board(ICMP(id=3, seq=seq)))
        board.wire.expect(is_echo_reply(3, seq), timeout_s=10)
    board.uart.send(b"s")
    m = board.uart.expect(r"net: rx=(\d+) tx=(\d+) rx_discarded=(\d+) rx_dropped=(\d+)", timeout_s=10)
    mac = board.mac_counters()
    # What the driver counted (firmware side) is what the model counted (simulator side).
    assert int(m.group(1)) == mac["rx_frames"] and int(m.group(2)) == mac["tx_frames"]
    assert int(m.group(4)) == mac["rx_dropped_fifo_full"] == 0
