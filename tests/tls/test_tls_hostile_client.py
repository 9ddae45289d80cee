"""The board's tls_client against hostile and broken servers: every case must end in an
"error" event naming the cause (the Mbed TLS code with mbedtls_strerror's text, the X.509
flags decoded), then "done" with ok false and exit status 1 through semihosting — no fault,
no lockup. Where it matters, what the server saw is checked too: the board's alert, read
from the stream by the garbling proxy with scapy's TLS layer, and OpenSSL's own view.

Each case is one board run (`tlscosim run --net tap`, the servers as --peer commands in
the run's namespace): openssl s_server on the namespace's loopback, and in front of it on
192.0.2.1:4433 the hostile proxy (mutating one record, or only watching). A case that
repeats another's path (a second date, a second kind of mismatch) is marked slow."""

from __future__ import annotations

import datetime
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.tls.certs import make_pki
from tlscosim.tls.events import parse_events

ROOT = Path(__file__).resolve().parents[2]
HOST = "tlscosim.test"
UPSTREAM = "127.0.0.1:4434"           # the real server, on the namespace's loopback
FRONT = "192.0.2.1:4433"              # where the board connects: the proxy or a broken server
RUN_TIMEOUT_S = 240

X509_CERT_VERIFY_FAILED = {"code": -9984, "hex": "-0x2700",
                           "text": "X509 - Certificate verification failed, e.g. CRL, CA or "
                                   "signature check failed"}
FATAL_ALERT = {"code": -30592, "hex": "-0x7780",
               "text": "SSL - A fatal alert message was received from our peer"}


@pytest.fixture(scope="module")
def client_elf():
    return build_firmware(["tls_client"]).elfs["tls_client"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("hostile-pki"), host=HOST)


def _hostile(*args: str) -> str:
    return shlex.join([sys.executable, "-m", "tlscosim.tls.hostile", *args])


def _s_server(cert: Path, key: Path, *extra: str) -> str:
    return shlex.join(["openssl", "s_server", "-accept", UPSTREAM, "-cert", str(cert),
                       "-key", str(key), "-www", "-quiet", *extra])


def _watcher(report: Path, *mutation: str) -> str:
    """The proxy in front of the real server: garbling one record, or (default) watching."""
    return _hostile("proxy", "--listen", FRONT, "--upstream", UPSTREAM,
                    *(mutation or ("--mutate", "none")), "--report", str(report))


class BoardRun:
    def __init__(self, proc: subprocess.CompletedProcess, report: Path | None):
        self.proc = proc
        self.events = parse_events(proc.stdout).events      # malformed event lines raise
        self.report = json.loads(report.read_text()) if report and report.exists() else None

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["ev"] == kind]

    def describe(self) -> str:
        return f"exit {self.proc.returncode}\nstdout:\n{self.proc.stdout[-3000:]}\nstderr:\n{self.proc.stderr[-3000:]}"


def run_client(elf, pki, peers: list[str], *args: str, report: Path | None = None,
               rtc_epoch: int | None = None) -> BoardRun:
    command = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "--net", "tap", "-q",
               "--semihosting-root", str(pki.folder), "--timeout-s", str(RUN_TIMEOUT_S)]
    if rtc_epoch is not None:
        command += ["--rtc-epoch", str(rtc_epoch)]
    for peer in peers:
        command += ["--peer", peer]
    command += ["--", "--ca", "ca.crt", "--host", HOST, *args]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S + 30)
    return BoardRun(proc, report)


def assert_failed_cleanly(run: BoardRun, where: str, **error) -> dict:
    """The board said what went wrong, then "done", and exited 1 through semihosting."""
    assert run.proc.returncode == 1, run.describe()
    assert "Traceback" not in run.proc.stderr and "fault" not in run.proc.stderr.lower(), run.describe()
    errors = run.of("error")
    assert len(errors) == 1, run.describe()
    got = errors[0]
    assert got["where"] == where, run.describe()
    assert {k: got.get(k) for k in error} == error, run.describe()
    assert run.events[-1]["ev"] == "done" and run.events[-1]["ok"] is False, run.describe()
    assert not run.of("handshake") or run.of("handshake")[0]["ok"] is False
    return got


def board_alerts(run: BoardRun) -> list[str]:
    """The plaintext alerts the board sent, as the proxy read them."""
    assert run.report is not None, run.describe()
    return [a["description"] for c in run.report["connections"] for a in c["to-server"]["alerts"]]


# -- certificates -----------------------------------------------------------------------

@pytest.mark.parametrize("variant, flags, text, alert", [
    ("unknown_ca", 0x08, "The certificate is not correctly signed by the trusted CA", "unknown_ca"),
    ("wrong_host", 0x04, "The certificate Common Name (CN) does not match with the expected CN",
     "bad_certificate"),
])
def test_server_certificate_rejected(client_elf, pki, tmp_path, variant, flags, text, alert):
    cert, key = pki.variant(variant)
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(cert, key), _watcher(report)], report=report)
    error = assert_failed_cleanly(run, "handshake", **X509_CERT_VERIFY_FAILED)
    assert error["verify_flags"] == flags and text in error["verify_text"], run.describe()
    verify = run.of("verify")
    assert verify and verify[0]["flags"] == flags and text in verify[0]["text"]
    assert board_alerts(run) == [alert]


@pytest.mark.parametrize("variant, flags, text, alert", [
    ("expired", 0x01, "The certificate validity has expired", "certificate_expired"),
    # Mbed TLS maps no specific alert to a future date: certificate_unknown.
    pytest.param("not_yet_valid", 0x200, "The certificate validity starts in the future",
                 "certificate_unknown", marks=pytest.mark.slow),
])
def test_server_certificate_out_of_its_dates(client_elf, pki, tmp_path, variant, flags, text, alert):
    """The board's clock is its RTC, which the simulator sets to the host's time."""
    cert, key = pki.variant(variant)
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(cert, key), _watcher(report)], report=report)
    error = assert_failed_cleanly(run, "handshake", **X509_CERT_VERIFY_FAILED)
    assert error["verify_flags"] == flags and text in error["verify_text"], run.describe()
    assert board_alerts(run) == [alert]


@pytest.mark.slow
def test_good_certificate_fails_when_the_rtc_says_it_is_next_year(client_elf, pki, tmp_path):
    """The same good certificate, with the board's RTC set past its end (--rtc-epoch)."""
    later = int((pki.now + datetime.timedelta(days=365)).timestamp())
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(pki.server_cert, pki.server_key), _watcher(report)],
                     report=report, rtc_epoch=later)
    error = assert_failed_cleanly(run, "handshake", **X509_CERT_VERIFY_FAILED)
    assert error["verify_flags"] & 0x01, run.describe()
    assert board_alerts(run) == ["certificate_expired"]


# -- nothing in common -------------------------------------------------------------------

@pytest.mark.parametrize("server_option", [
    ("-ciphersuites", "TLS_AES_256_GCM_SHA384"),        # the board offers AES-128-GCM only
    pytest.param(("-groups", "X448"), marks=pytest.mark.slow),   # the board offers secp256r1 only
], ids=["suite", "group"])
def test_server_with_nothing_in_common(client_elf, pki, tmp_path, server_option):
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(pki.server_cert, pki.server_key, *server_option),
                                       _watcher(report)], report=report)
    assert_failed_cleanly(run, "handshake", **FATAL_ALERT)
    # The alert came from OpenSSL: handshake_failure, seen on its way to the board.
    server_alerts = [a["description"] for c in run.report["connections"]
                     for a in c["to-client"]["alerts"]]
    assert server_alerts == ["handshake_failure"]


# -- garbled records ---------------------------------------------------------------------

@pytest.mark.parametrize("mutation, error, alert", [
    # A byte flipped in the first encrypted record (EncryptedExtensions): the AEAD tag fails.
    (("--mutate", "flip", "--type", "application_data"),
     {"code": -29056, "hex": "-0x7180", "text": "SSL - Verification of the message MAC failed"},
     "bad_record_mac"),
    # The ServerHello under a content type that does not exist. Over TCP, Mbed TLS drops
    # a connection whose record header is invalid without an alert (ssl_get_next_record).
    (("--mutate", "retype"),
     {"code": -29184, "hex": "-0x7200", "text": "SSL - An invalid SSL record was received"},
     None),
    # The ServerHello cut in half inside a record whose length agrees: the rest of the
    # message is awaited, and the next record (ChangeCipherSpec) is not handshake. Mbed TLS
    # 3.6.6 ends this without an alert too.
    pytest.param(("--mutate", "shorten"),
                 {"code": -30464, "hex": "-0x7700",
                  "text": "SSL - An unexpected message was received from our peer"},
                 None, marks=pytest.mark.slow),
], ids=["flip", "retype", "shorten"])
def test_garbled_record(client_elf, pki, tmp_path, mutation, error, alert):
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(pki.server_cert, pki.server_key),
                                       _watcher(report, *mutation)], report=report)
    assert_failed_cleanly(run, "handshake", **error)
    assert run.report["connections"][0]["to-client"]["garbled"] is not None
    assert board_alerts(run) == ([alert] if alert else []), run.report


def test_tls12_server_random_flipped_breaks_the_signature(client_elf, pki, tmp_path):
    """TLS 1.2: the middle byte of the ServerHello's body lies in the server random, which
    the ServerKeyExchange's ECDSA signature covers: the board's verify must catch it."""
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(pki.server_cert, pki.server_key),
                                       _watcher(report, "--mutate", "flip", "--record", "1")],
                     "--tls", "1.2", report=report)
    assert_failed_cleanly(run, "handshake", code=-19968, hex="-0x4e00",
                          text="ECP - The signature is not valid")
    assert [s["state"] for s in run.of("step")][-1] == "SERVER_KEY_EXCHANGE"
    garbled = run.report["connections"][0]["to-client"]["garbled"]
    assert garbled["messages"] == ["ServerHello"] and garbled["record"] == 1
    assert board_alerts(run) == ["decrypt_error"]


def test_truncated_record_then_the_stream_ends(client_elf, pki, tmp_path):
    report = tmp_path / "proxy.json"
    run = run_client(client_elf, pki, [_s_server(pki.server_cert, pki.server_key),
                                       _watcher(report, "--mutate", "truncate")], report=report)
    assert_failed_cleanly(run, "handshake", code=-29312, hex="-0x7280",
                          text="SSL - The connection indicated an EOF")
    assert run.report["connections"][0]["to-client"]["closed_by"] == "proxy"


# -- peers that vanish or stall ----------------------------------------------------------

@pytest.mark.parametrize("how, error", [
    ("rst", {"code": -80, "hex": "-0x0050", "text": "NET - Connection was reset by peer"}),
    pytest.param("close", {"code": -29312, "hex": "-0x7280",
                           "text": "SSL - The connection indicated an EOF"}, marks=pytest.mark.slow),
])
def test_server_vanishes_after_the_client_hello(client_elf, pki, tmp_path, how, error):
    report = tmp_path / "vanish.json"
    run = run_client(client_elf, pki, [_hostile("vanish", "--listen", FRONT, "--how", how,
                                                "--report", str(report))], report=report)
    assert_failed_cleanly(run, "handshake", **error)
    assert run.report["client_hello"] is True and run.report["server_name"] == HOST


def test_server_stalls_until_the_client_times_out(client_elf, pki, tmp_path):
    report = tmp_path / "stall.json"
    run = run_client(client_elf, pki, [_hostile("stall", "--listen", FRONT, "--hold-s", "120",
                                                "--report", str(report))],
                     "--timeout-ms", "2000", report=report)
    assert_failed_cleanly(run, "handshake", text="timeout: no data from the peer in 2000 ms")
    assert run.report["received_bytes"] > 0 and run.report["closed_by"] == "client"


# -- the same cases under QEMU: the firmware's error paths do not depend on the simulator --

def qemu_client(elf, pki, peers: list[str], *args: str, timeout_s: float = 240):
    """tls_client under qemu-system-arm -M mps2-an386, its LAN9118 on the TAP of a fresh
    namespace where `peers` run; QEMU has no RTC, so the firmware gets --time. Returns
    (exit status, event lines)."""
    from tlscosim.sim.board.net.netns import Namespace
    fw_args = ["--ca", "ca.crt", "--host", HOST, "--time", str(int(time.time())), *args]
    semihosting = ",".join(["enable=on", "target=native", "arg=tls_client"] + [f"arg={a}" for a in fw_args])
    with Namespace() as ns:
        servers = [subprocess.Popen(ns.command(p), env=ns.environment(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True) for p in peers]
        try:
            time.sleep(2.0)              # the peers listening (scapy loads) before the board connects
            qemu = subprocess.run(["ip", "netns", "exec", ns.name, "qemu-system-arm", "-M", "mps2-an386",
                                   "-nographic", "-monitor", "none", "-serial", "stdio",
                                   "-semihosting-config", semihosting, "-kernel", str(elf),
                                   "-nic", f"tap,ifname={ns.tap},script=no,downscript=no,model=lan9118"],
                                  cwd=pki.folder, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=timeout_s)
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(10)
    return qemu.returncode, parse_events(qemu.stdout).events


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="needs qemu-system-arm")
@pytest.mark.parametrize("case", ["unknown_ca", "expired", "flip", "vanish"])
def test_qemu_fails_the_same_way(client_elf, pki, tmp_path, case):
    report = tmp_path / "report.json"
    if case in ("unknown_ca", "expired"):
        cert, key = pki.variant(case)
        peers, expected = [_s_server(cert, key), _watcher(report)], X509_CERT_VERIFY_FAILED
    elif case == "flip":
        peers = [_s_server(pki.server_cert, pki.server_key),
                 _watcher(report, "--mutate", "flip", "--type", "application_data")]
        expected = {"code": -29056, "hex": "-0x7180", "text": "SSL - Verification of the message MAC failed"}
    else:
        peers = [_hostile("vanish", "--listen", FRONT, "--how", "rst", "--report", str(report))]
        expected = {"code": -80, "hex": "-0x0050", "text": "NET - Connection was reset by peer"}
    status, events = qemu_client(client_elf, pki, peers)
    errors = [e for e in events if e["ev"] == "error"]
    assert status == 1 and len(errors) == 1, events
    assert {k: errors[0][k] for k in expected} == expected and errors[0]["where"] == "handshake"
    assert events[-1]["ev"] == "done" and events[-1]["ok"] is False
    # ...and tlscosim, with the same peers, says exactly the same.
    report.unlink(missing_ok=True)
    run = run_client(client_elf, pki, peers, report=report)
    same = ("where", "code", "hex", "text", "verify_flags", "verify_text")
    assert {k: run.of("error")[0].get(k) for k in same} == {k: errors[0].get(k) for k in same}
