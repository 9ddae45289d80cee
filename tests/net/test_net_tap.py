"""The echo firmware on the `tap` link: the host kernel's ping and TCP/UDP echo clients
run in the run's namespace (`--host-cmd`), the run's exit status is theirs, and the
namespace, peers and host commands are gone after the run, after a failure and after
Ctrl-C/SIGTERM; parallel runs do not collide."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from scapy.layers.inet import ICMP
from scapy.utils import rdpcap

from nethelp import BOARD_IP, CLIENT, HOST_IP, netns_names, tlscosim_run

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the TAP link needs root")

MIB = 1 << 20


def test_kernel_ping_over_tap_with_pcap(echo_elf, tmp_path):
    pcap = tmp_path / "ping.pcap"
    run = tlscosim_run(str(echo_elf), "--net", "tap", "--pcap", str(pcap), "--timeout-s", "60",
                       "--host-cmd", "ping -c 3 -i 0.2 -W 5 $TLSCOSIM_BOARD_IP")
    assert run.returncode == 0, run.stderr
    assert "3 packets transmitted, 3 received" in run.stdout
    assert "host-exit (code 0)" in run.stderr
    assert "eth0: rx_frames" in run.stderr            # the MAC's counters are reported
    icmp = [p for p in rdpcap(str(pcap)) if ICMP in p]
    assert [p[ICMP].type for p in icmp].count(8) == 3 and [p[ICMP].type for p in icmp].count(0) == 3
    assert all(p.src == "52:54:00:12:34:56" for p in icmp if p[ICMP].type == 0)


def _retransmissions(pcap, source: str) -> int:
    out = subprocess.run(["tshark", "-r", str(pcap), "-Y", f"ip.src=={source} && tcp.analysis.retransmission"],
                         capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def test_tcp_and_udp_echo_one_mib_nothing_lost_no_spurious_retransmission(echo_elf, tmp_path):
    pcap = tmp_path / "mib.pcap"
    run = tlscosim_run(str(echo_elf), "--net", "tap", "--timeout-s", "100", "--pcap", str(pcap),
                       "--host-cmd", f"{sys.executable} {CLIENT} $TLSCOSIM_BOARD_IP {MIB} 7")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"tcp: sent {MIB} received {MIB} sha256 match" in run.stdout
    assert "udp: match" in run.stdout
    # Time is tied both ways (docs/network.md): the paced board's timers never fire early,
    # so it retransmits nothing; the kernel retransmits only what the MAC dropped.
    dropped = int(re.search(r"rx_dropped_fifo_full (\d+)", run.stderr).group(1))
    assert _retransmissions(pcap, BOARD_IP) == 0
    assert _retransmissions(pcap, HOST_IP) <= dropped


def test_host_command_status_is_the_run_status_and_namespace_is_removed(echo_elf):
    run = tlscosim_run(str(echo_elf), "--net", "tap", "--timeout-s", "60", "--host-cmd", "echo ns=$TLSCOSIM_NETNS; exit 3")
    assert run.returncode == 3, run.stderr
    name = next(line[3:] for line in run.stdout.splitlines() if line.startswith("ns="))
    assert name.startswith("tlscosim-") and name not in netns_names()


def test_peer_runs_before_the_board_and_is_stopped_after(echo_elf, tmp_path):
    pidfile = tmp_path / "peer.pid"
    run = tlscosim_run(str(echo_elf), "--net", "tap", "--timeout-s", "60",
                       "--peer", f"echo $$ > {pidfile}; exec sleep 60",
                       "--host-cmd", f"test -s {pidfile}")
    assert run.returncode == 0, run.stderr
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_interrupted_run_removes_its_namespace(echo_elf, tmp_path, sig, status):
    pidfile = tmp_path / "cmd.pid"
    proc = subprocess.Popen([sys.executable, "-m", "tlscosim.cli", "run", str(echo_elf), "--net", "tap", "-q",
                             "--host-cmd", f"echo $$ > {pidfile}; exec sleep 60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    mine = {n for n in netns_names() if n.startswith(f"tlscosim-{proc.pid}-")}
    assert len(mine) == 1
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == status, err
    assert not mine & netns_names()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pidfile.read_text()), 0)


def test_parallel_runs_do_not_collide(echo_elf):
    cmd = [sys.executable, "-m", "tlscosim.cli", "run", str(echo_elf), "--net", "tap", "--timeout-s", "60",
           "--host-cmd", "echo ns=$TLSCOSIM_NETNS; ping -c 2 -i 0.2 -W 5 $TLSCOSIM_BOARD_IP"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    names = {line[3:] for out, _err in outs for line in out.splitlines() if line.startswith("ns=")}
    assert len(names) == 2
    assert all("2 received" in out for out, _err in outs)


def test_stale_namespace_of_a_dead_run_is_removed(echo_elf):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = f"tlscosim-{dead.pid}-0"
    subprocess.run(["ip", "netns", "add", stale], check=True)
    run = tlscosim_run(str(echo_elf), "--net", "tap", "--timeout-s", "60", "--host-cmd", "true")
    assert run.returncode == 0, run.stderr
    assert stale not in netns_names()


def test_host_cmd_needs_the_tap_link(echo_elf):
    run = tlscosim_run(str(echo_elf), "--net", "wire", "--host-cmd", "true")
    assert run.returncode == 2
    assert run.stderr.strip() == ("tlscosim: error: --peer and --host-cmd run in the TAP link's network namespace: "
                                  "they need --net tap")


def test_unwritable_pcap_is_a_user_error(echo_elf, tmp_path):
    run = tlscosim_run(str(echo_elf), "--net", "wire", "--pcap", str(tmp_path / "missing" / "x.pcap"), "--max-cycles", "1000")
    assert run.returncode == 2
    assert run.stderr.strip() == (f"tlscosim: error: cannot write --pcap {tmp_path / 'missing' / 'x.pcap'}: "
                                  f"folder {tmp_path / 'missing'} does not exist")
