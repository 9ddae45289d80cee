"""The board's tls_server against malformed ClientHellos crafted with scapy (lengths lying,
a truncated extension block, an absurd or odd cipher-suite list), then a good client:
every bad connection ends in an "error" event with the Mbed TLS code decoded and an alert
of the right kind back to the sender (parsed with scapy's TLS layer), and the server goes
on to serve the next, good client (openssl s_client, which nobody here wrote).

One board run serves all of them (--connections), the senders being one --host-cmd."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.tls.certs import make_pki
from tlscosim.tls.hostile.client_hellos import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
HOST = "tlscosim.test"
BOARD = "192.0.2.2:4433"
RUN_TIMEOUT_S = 300
BOOT_RETRY_S = 120               # the board refuses connections until it listens

DECODE_ERROR = {"code": -29440, "hex": "-0x7300",
                "text": "SSL - A message could not be parsed due to a syntactic error"}
# Per variant: the board's error, the alert it sends back.
EXPECTED = {
    "lying_lengths": (DECODE_ERROR, "decode_error"),
    "truncated_extensions": (DECODE_ERROR, "decode_error"),
    "odd_suites": (DECODE_ERROR, "decode_error"),
    "absurd_suites": ({"code": -28160, "hex": "-0x6e00",
                       "text": "SSL - The handshake negotiation failed"}, "handshake_failure"),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One board run: the crafted hellos in VARIANTS' order, then a good client."""
    elf = build_firmware(["tls_server"]).elfs["tls_server"]
    folder = tmp_path_factory.mktemp("hostile-server")
    pki = make_pki(folder, host=HOST)
    steps = [shlex.join([sys.executable, "-m", "tlscosim.tls.hostile", "hello", "--server", BOARD,
                         "--variant", variant, "--retry-s", str(BOOT_RETRY_S), "--timeout-s", "60",
                         "--report", str(folder / f"{variant}.json")])
             for variant in VARIANTS]
    good = (f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | openssl s_client -connect {BOARD} "
            f"-CAfile {shlex.quote(str(pki.ca_cert))} -servername {HOST} -verify_return_error "
            f"-quiet > {shlex.quote(str(folder / 'good.out'))} 2> {shlex.quote(str(folder / 'good.err'))}")
    host_cmd = " && ".join(steps + [good])
    command = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "--net", "tap", "-q",
               "--semihosting-root", str(folder), "--timeout-s", str(RUN_TIMEOUT_S),
               "--host-cmd", host_cmd,
               "--", "--cert", "server.crt", "--key", "server.key",
               "--connections", str(len(VARIANTS) + 1), "--body-bytes", "100"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S + 30)
    events = [json.loads(line[5:]) for line in proc.stdout.splitlines() if line.startswith("@tls ")]
    replies = {v: json.loads((folder / f"{v}.json").read_text())
               for v in VARIANTS if (folder / f"{v}.json").exists()}
    return proc, events, replies, folder


def _describe(proc) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-3000:]}"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_malformed_hello_is_refused_with_its_cause(served, variant):
    proc, events, replies, _ = served
    conn = list(VARIANTS).index(variant) + 1
    error, alert = EXPECTED[variant]
    errors = [e for e in events if e["ev"] == "error" and e.get("conn") == conn]
    assert len(errors) == 1, _describe(proc)
    assert errors[0]["where"] == "handshake"
    assert {k: errors[0][k] for k in error} == error, _describe(proc)
    assert variant in replies, _describe(proc)
    assert [a["description"] for a in replies[variant]["alerts"]] == [alert], replies[variant]
    assert replies[variant]["ended"] == "closed"


def test_good_client_is_served_afterwards(served):
    proc, events, _, folder = served
    conn = len(VARIANTS) + 1
    assert "Traceback" not in proc.stderr, _describe(proc)
    handshakes = [e for e in events if e["ev"] == "handshake" and e.get("conn") == conn]
    assert handshakes and handshakes[0]["ok"] is True, _describe(proc)
    http = [e for e in events if e["ev"] == "http" and e.get("conn") == conn]
    assert http and http[0]["status"] == 200 and http[0]["body_bytes"] == 100, _describe(proc)
    out = (folder / "good.out").read_bytes()
    assert out.startswith(b"HTTP/1.0 200") or out.startswith(b"HTTP/1.1 200"), (out[:200], _describe(proc))
    assert "verify error" not in (folder / "good.err").read_text()
    # The server did not stop at the bad ones: every connection was accepted.
    accepted = [e["conn"] for e in events if e["ev"] == "accepted"]
    assert accepted == list(range(1, conn + 1)), _describe(proc)
