"""What the network tests share: the addresses of the link (RFC 5737 documentation
block) and frames a host on it would send, built and checked by scapy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether

HOST_IP, BOARD_IP = "192.0.2.1", "192.0.2.2"
HOST_MAC = "02:00:00:00:00:01"
BOARD_MAC = "52:54:00:12:34:56"           # platform/boards/mps2-an386.toml, eth0 mac
ECHO_PORT = 7
READY = r"listening on tcp/7 and udp/7"
CLIENT = Path(__file__).with_name("echo_client.py")


def arp_request() -> Ether:
    return Ether(src=HOST_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP, pdst=BOARD_IP)


def to_board(payload) -> Ether:
    return Ether(src=HOST_MAC, dst=BOARD_MAC) / IP(src=HOST_IP, dst=BOARD_IP) / payload


def is_arp_reply(pkt) -> bool:
    return ARP in pkt and pkt[ARP].op == 2 and pkt[ARP].psrc == BOARD_IP


def is_echo_reply(ident: int, seq: int):
    def match(pkt) -> bool:
        return ICMP in pkt and pkt[ICMP].type == 0 and pkt[ICMP].id == ident and pkt[ICMP].seq == seq
    return match


def checksums_valid(pkt) -> bool:
    """scapy recomputes every checksum of a copy with them cleared: all must agree."""
    copy = pkt.copy()
    for layer in (IP, ICMP, UDP, TCP):
        if layer in copy:
            del copy[layer].chksum
    return bytes(Ether(bytes(copy))) == bytes(pkt)


def tlscosim_run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tlscosim.cli", "run", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}
