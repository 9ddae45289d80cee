"""The same echo ELF under QEMU's mps2-an386 (the independent oracle for the LAN9118
driver and the lwIP port), its NIC on a TAP in a namespace made for the test: the kernel's
ping and the TCP/UDP echo client get their answers, as they do from tlscosim."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from tlscosim.sim.board.net.netns import Namespace

from nethelp import BOARD_IP, CLIENT, READY

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the TAP link needs root"),
              pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="needs qemu-system-arm")]


@pytest.fixture
def qemu_board(echo_elf, tmp_path):
    log = tmp_path / "uart.txt"
    with Namespace() as ns, open(log, "w") as uart:
        qemu = subprocess.Popen(["ip", "netns", "exec", ns.name, "qemu-system-arm", "-M", "mps2-an386", "-nographic",
                                 "-monitor", "none", "-serial", "stdio", "-semihosting-config", "enable=on,target=native",
                                 "-kernel", str(echo_elf),
                                 "-nic", f"tap,ifname={ns.tap},script=no,downscript=no,model=lan9118"],
                                stdin=subprocess.DEVNULL, stdout=uart, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while READY not in log.read_text() and time.monotonic() < deadline and qemu.poll() is None:
                time.sleep(0.1)
            assert READY in log.read_text(), log.read_text()
            yield ns
        finally:
            qemu.kill()
            qemu.wait()


def test_qemu_answers_ping_and_echo(qemu_board):
    ns = qemu_board
    ping = subprocess.run(ns.command(f"ping -c 3 -i 0.2 -W 5 {BOARD_IP}"), env=ns.environment(),
                          capture_output=True, text=True, timeout=30)
    assert "3 packets transmitted, 3 received" in ping.stdout, ping.stdout + ping.stderr
    echo = subprocess.run(ns.command(f"{sys.executable} {CLIENT} {BOARD_IP} {1 << 18} 11"), env=ns.environment(),
                          capture_output=True, text=True, timeout=60)
    assert echo.returncode == 0, echo.stdout + echo.stderr
    assert f"tcp: sent {1 << 18} received {1 << 18} sha256 match" in echo.stdout
    assert "udp: match" in echo.stdout
