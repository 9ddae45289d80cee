"""tls_client beyond the default run (all `slow`: each is one or two simulated handshakes
of tens of millions of cycles): session resumption in TLS 1.3 and 1.2, mutual TLS against
`openssl s_server -Verify 1`, --accel off, other suites and groups, Mbed TLS debug
output, a peer that never answers, an expired certificate, and the same ELF under QEMU's
mps2-an386 against the same OpenSSL peer (the CPU and firmware oracle)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from test_tls_client_helpers import (
    PAGE_BODY, build_client, needs_root, page_args, page_sha256, parse_events, pki_folder, run_client,
    s_server)
from test_tls_client import check_connection

pytestmark = [pytest.mark.slow, needs_root]

TLS13 = ("1.3", "TLSv1.3", "TLS1-3-AES-128-GCM-SHA256")
TLS12 = ("1.2", "TLSv1.2", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256")


@pytest.fixture(scope="module")
def client_elf():
    return build_client()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return pki_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def root(pki):
    return pki[0]


@pytest.mark.parametrize("tls, version, suite", [TLS13, TLS12], ids=["tls13", "tls12"])
def test_second_connection_resumes_the_session(client_elf, root, tls, version, suite):
    run = run_client(client_elf, root, *page_args("--tls", tls, "--resume", "1"), peer=s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    full = check_connection(run, version, suite, conn=1)
    # TLS 1.2's abbreviated handshake has no key exchange: no group
    resumed = check_connection(run, version, suite, group=None if tls == "1.2" else "secp256r1", conn=2)
    assert full["resumed"] is False and resumed["resumed"] is True
    assert resumed["work_cycles"] < full["work_cycles"]
    states = [s["state"] for s in run.of("step") if s["conn"] == 2]
    if tls == "1.2":                 # abbreviated handshake: no certificate, no key exchange
        assert "SERVER_KEY_EXCHANGE" not in [s["state"] for s in run.of("step") if s["conn"] == 2
                                             and s["cycles"] > 100_000]
        assert resumed["work_cycles"] < full["work_cycles"] // 10
    else:                            # PSK with (EC)DHE: the ECDHE remains, the certificate goes
        assert "SERVER_CERTIFICATE" not in states and "CERTIFICATE_VERIFY" not in states
        assert resumed["work_cycles"] < full["work_cycles"] * 2 // 3
    assert run.one("done")["connections"] == 2


@pytest.mark.parametrize("tls, version, suite", [TLS13, TLS12], ids=["tls13", "tls12"])
def test_mutual_tls_with_a_client_certificate(client_elf, root, tls, version, suite):
    peer = s_server(root, "-Verify", "1", "-CAfile", "ca.crt", "-verify_return_error")
    run = run_client(client_elf, root, *page_args("--tls", tls, "--cert", "client.crt", "--key", "client.key"),
                     peer=peer)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.one("config")["mutual"] is True
    check_connection(run, version, suite)
    # the client signs the handshake with its key: an ECDSA signature's worth of work
    signing = [s for s in run.of("step") if s["state"] == "CLIENT_CERTIFICATE_VERIFY" or
               (tls == "1.2" and s["state"] == "CERTIFICATE_VERIFY")]
    assert signing and max(s["cycles"] for s in signing) > 1_000_000


def test_server_demanding_a_certificate_refuses_a_client_without_one(client_elf, root):
    peer = s_server(root, "-Verify", "1", "-CAfile", "ca.crt", "-verify_return_error")
    run = run_client(client_elf, root, *page_args(), peer=peer)
    assert run.returncode == 1, run.stdout + run.stderr
    error = run.of("error")[0]
    assert error["where"] in ("handshake", "read"), error      # TLS 1.3: the alert follows Finished
    assert "alert" in error["text"].lower(), error
    assert run.one("done")["ok"] is False


@pytest.mark.parametrize("tls, version, suite", [TLS13, TLS12], ids=["tls13", "tls12"])
def test_accel_off_uses_no_accelerator_block(client_elf, root, tls, version, suite):
    run = run_client(client_elf, root, *page_args("--tls", tls, "--accel", "off"), peer=s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.one("boot")["accel"] == {"aes": True, "sha256": True, "gcm": True, "used": False}
    hs = check_connection(run, version, suite)
    http = run.one("http")
    counts = [e[f"{core}_blocks_hw"] for e in (hs, http) for core in ("aes", "sha256", "gcm")]
    assert counts == [0] * 6
    # the simulator's own counters agree: the accelerators did nothing at all
    assert "accelerators: aes 0 blocks, sha256 0 blocks, gcm 0 blocks" in run.stderr


@pytest.mark.parametrize("tls, suite, group, version", [
    ("1.3", "TLS1-3-AES-256-GCM-SHA384", "x25519", "TLSv1.3"),
    ("1.3", "TLS1-3-CHACHA20-POLY1305-SHA256", "secp384r1", "TLSv1.3"),
    ("1.2", "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384", "x25519", "TLSv1.2"),
])
def test_chosen_suite_and_group_are_negotiated(client_elf, root, tls, suite, group, version):
    run = run_client(client_elf, root, *page_args("--tls", tls, "--suite", suite, "--group", group),
                     peer=s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    config = run.one("config")
    assert (config["suite"], config["group"]) == (suite, group)
    check_connection(run, version, suite, group=group)
    http = run.one("http")
    if "CHACHA20" in suite:          # ChaCha20-Poly1305 records: nothing for the AES or GCM core
        assert http["aes_blocks_hw"] == http["gcm_blocks_hw"] == 0
    else:                            # AES-256-GCM records on the GCM core
        assert http["gcm_blocks_hw"] >= len(PAGE_BODY) // 16


def test_debug_output_is_plain_lines_between_whole_events(client_elf, root):
    run = run_client(client_elf, root, *page_args("--debug", "2"), peer=s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    debug = [line for line in run.stdout.splitlines() if "|2|" in line or "|1|" in line]
    assert any("ssl_tls.c" in line for line in debug) and len(debug) > 50
    assert all(line.startswith("@tls {") and line.endswith("}") for line in run.stdout.splitlines()
               if "@tls" in line)
    check_connection(run, *TLS13[1:])


def test_peer_that_never_answers_times_out(client_elf, root):
    # accepts the TCP connection, reads the ClientHello, says nothing
    silent = "exec python3 -c \"import socket,time; s=socket.create_server(('',4433)); c,_=s.accept(); time.sleep(120)\""
    run = run_client(client_elf, root, *page_args("--timeout-ms", "1500"), peer=silent)
    assert run.returncode == 1, run.stdout + run.stderr
    error = run.one("error", conn=1)
    assert (error["where"], error["text"], error["hex"]) == (
        "handshake", "timeout: no data from the peer in 1500 ms", "-0x6800")
    step = [s for s in run.of("step") if s["state"] == "SERVER_HELLO"][0]
    # ~1.5 s of the 25 MHz board's time (lwIP's clock counts in 10 ms ticks)
    assert 1480 * 25_000 <= step["wait_cycles"] < 1700 * 25_000
    assert run.one("done")["ok"] is False


def test_expired_certificate_is_refused(client_elf, pki):
    root, authority = pki
    cert, key = authority.variant("expired")
    run = run_client(client_elf, root, *page_args(), peer=s_server(root, cert=cert, key=key))
    assert run.returncode == 1, run.stdout + run.stderr
    verify = run.one("verify")
    assert verify["flags"] == 0x01 and "has expired" in verify["text"]     # MBEDTLS_X509_BADCERT_EXPIRED


# -- QEMU: the same ELF, the same peer ------------------------------------------------------------

def qemu_client(elf, root, fw_args, peer, timeout_s=240):
    """tls_client under qemu-system-arm -M mps2-an386, its LAN9118 on the TAP of a fresh
    namespace where `peer` runs; returns (exit status, UART text)."""
    from tlscosim.sim.board.net.netns import Namespace
    semihosting = ",".join(["enable=on", "target=native", "arg=tls_client"] + [f"arg={a}" for a in fw_args])
    with Namespace() as ns:
        server = subprocess.Popen(ns.command(peer), env=ns.environment(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            time.sleep(0.5)              # s_server listening before the board connects
            qemu = subprocess.run(["ip", "netns", "exec", ns.name, "qemu-system-arm", "-M", "mps2-an386",
                                   "-nographic", "-monitor", "none", "-serial", "stdio",
                                   "-semihosting-config", semihosting, "-kernel", str(elf),
                                   "-nic", f"tap,ifname={ns.tap},script=no,downscript=no,model=lan9118"],
                                  cwd=root, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=timeout_s)
        finally:
            os.killpg(server.pid, 9)
            server.wait()
    return qemu.returncode, qemu.stdout + qemu.stderr


@pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="needs qemu-system-arm")
@pytest.mark.parametrize("tls, version, suite", [TLS13, TLS12], ids=["tls13", "tls12"])
def test_qemu_runs_the_same_handshake_and_gets_the_same_body(client_elf, root, tls, version, suite):
    args = page_args("--tls", tls, "--time", str(int(time.time())))
    status, uart = qemu_client(client_elf, root, args, s_server(root))
    assert status == 0, uart
    events = parse_events(uart)
    boot = [e for e in events if e["ev"] == "boot"][0]
    assert boot["accel"] == {"aes": False, "sha256": False, "gcm": False, "used": False}   # QEMU has none
    hs = [e for e in events if e["ev"] == "handshake"][0]
    assert hs["ok"] is True and (hs["version"], hs["suite"]) == (version, suite)
    assert hs["work_cycles"] == 0                        # QEMU's DWT reads 0
    http = [e for e in events if e["ev"] == "http"][0]
    assert http["status"] == 200 and http["body_bytes"] == len(PAGE_BODY)
    assert http["body_sha256"] == page_sha256()
    # and tlscosim, with the same arguments, gets the same body
    run = run_client(client_elf, root, *args, peer=s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.one("http")["body_sha256"] == http["body_sha256"]


# -- the profiler splits the run by phase ---------------------------------------------------------

def profile_rows(text: str) -> dict[str, list[int]]:
    """The flat table of a profile's .txt: name -> [self, inclusive cycles, calls]."""
    rows = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[2].endswith("%") and fields[4].endswith("%"):
            try:
                rows[fields[0]] = [int(fields[i].replace(",", "")) for i in (1, 3, 5)]
            except ValueError:
                continue
    return rows


def test_profile_has_one_frame_per_phase(client_elf, root, tmp_path):
    profile = tmp_path / "prof.json"
    run = run_client(client_elf, root, *page_args("--tls", "1.2", "--resume", "1"), peer=s_server(root),
                     extra=("--profile", str(profile)))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = profile_rows(profile.with_name("prof.json.txt").read_text())
    phases = {"tls_handshake_full": 1, "tls_handshake_resumed": 1, "tls_http_exchange": 2, "tls_close": 2}
    for name, calls in phases.items():
        assert rows[name][2] == calls, (name, rows.get(name))
    # each handshake's DWT figure lies within its phase function's inclusive cycles
    # (which add the call and the event lines printed after the last DWT read)
    for name, conn in (("tls_handshake_full", 1), ("tls_handshake_resumed", 2)):
        cycles = run.one("handshake", conn=conn)["cycles"]
        assert cycles <= rows[name][1] <= cycles + 2_000_000, (name, cycles, rows[name])


def test_server_that_starts_late_is_connected_to_once_it_listens(client_elf, root):
    # refused (RST) for the first 15 s of wall time (the board boots in a few): the board
    # tries again every 100 ms of its time, which runs no faster than the wall clock
    # while it waits
    run = run_client(client_elf, root, *page_args("--timeout-ms", "60000"),
                     peer="sleep 15; " + s_server(root))
    assert run.returncode == 0, run.stdout + run.stderr
    connected = run.one("connected")
    assert connected["attempts"] > 1 and connected["cycles"] > 100 * 25_000
    check_connection(run, *TLS13[1:])
