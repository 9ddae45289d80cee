"""The board's tls_server against malformed ClientHellos crafted with scapy (lengths lying,
a truncated extension block, an absurd or odd cipher-suite list), a client that connects
and says nothing, and one that sends a good ClientHello and resets: every bad connection
ends in an "error" event with the cause decoded (and for the malformed hellos an alert of
the right kind back to the sender, parsed with scapy's TLS layer), and the server goes on
to serve the next, good client (openssl s_client, which nobody here wrote).

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
from tlscosim.tls.events import parse_events
from tlscosim.tls.hostile.client_hellos import MALFORMED

ROOT = Path(__file__).resolve().parents[2]
HOST = "tlscosim.test"
BOARD = "192.0.2.2:4433"
RUN_TIMEOUT_S = 300
BOOT_RETRY_S = 120               # the board refuses connections until it listens
SERVER_TIMEOUT_MS = 3000         # the board's --timeout-ms: how long the silent client lasts
# The connections in order: the malformed hellos, a silent client, a vanishing one.
SENDERS = [(v, v, ()) for v in MALFORMED] + [("silent", "silent", ()), ("vanish", "valid", ("--reset",))]
GOOD_CONN = len(SENDERS) + 1

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
    """One board run: the SENDERS in order, then a good client."""
    elf = build_firmware(["tls_server"]).elfs["tls_server"]
    folder = tmp_path_factory.mktemp("hostile-server")
    pki = make_pki(folder, host=HOST)
    steps = [shlex.join([sys.executable, "-m", "tlscosim.tls.hostile", "hello", "--server", BOARD,
                         "--variant", variant, *extra, "--retry-s", str(BOOT_RETRY_S),
                         "--timeout-s", "60", "--report", str(folder / f"{name}.json")])
             for name, variant, extra in SENDERS]
    good = (f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | openssl s_client -connect {BOARD} "
            f"-CAfile {shlex.quote(str(pki.ca_cert))} -servername {HOST} -verify_return_error "
            f"-quiet > {shlex.quote(str(folder / 'good.out'))} 2> {shlex.quote(str(folder / 'good.err'))}")
    # The board exits after its last connection; the pause keeps the host command (whose
    # exit would end the run) from racing its final "done" line.
    host_cmd = " && ".join(steps + [good, "sleep 20"])
    command = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "--net", "tap", "-q",
               "--semihosting-root", str(folder), "--timeout-s", str(RUN_TIMEOUT_S),
               "--host-cmd", host_cmd,
               "--", "--cert", "server.crt", "--key", "server.key",
               "--connections", str(GOOD_CONN), "--body-bytes", "100",
               "--timeout-ms", str(SERVER_TIMEOUT_MS)]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S + 30)
    events = parse_events(proc.stdout).events               # malformed event lines raise
    replies = {name: json.loads((folder / f"{name}.json").read_text())
               for name, _, _ in SENDERS if (folder / f"{name}.json").exists()}
    return proc, events, replies, folder


def _describe(proc) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-3000:]}"


def _errors(events, conn):
    return [e for e in events if e["ev"] == "error" and e.get("conn") == conn]


@pytest.mark.parametrize("variant", MALFORMED)
def test_malformed_hello_is_refused_with_its_cause(served, variant):
    proc, events, replies, _ = served
    conn = MALFORMED.index(variant) + 1
    error, alert = EXPECTED[variant]
    errors = _errors(events, conn)
    assert len(errors) == 1, _describe(proc)
    assert errors[0]["where"] == "handshake"
    assert {k: errors[0][k] for k in error} == error, _describe(proc)
    assert variant in replies, _describe(proc)
    assert [a["description"] for a in replies[variant]["alerts"]] == [alert], replies[variant]
    assert replies[variant]["ended"] == "closed"


def test_silent_client_ends_in_a_timeout(served):
    proc, events, replies, _ = served
    conn = [n for n, _, _ in SENDERS].index("silent") + 1
    errors = _errors(events, conn)
    assert len(errors) == 1 and errors[0]["where"] == "handshake", _describe(proc)
    assert errors[0]["text"] == f"timeout: no data from the peer in {SERVER_TIMEOUT_MS} ms"
    assert replies["silent"]["ended"] == "closed" and replies["silent"]["sent_bytes"] == 0


def test_client_vanishing_after_its_hello_is_a_reset(served):
    proc, events, replies, _ = served
    conn = [n for n, _, _ in SENDERS].index("vanish") + 1
    errors = _errors(events, conn)
    assert len(errors) == 1 and errors[0]["where"] == "handshake", _describe(proc)
    assert {k: errors[0][k] for k in ("code", "hex", "text")} == {
        "code": -80, "hex": "-0x0050", "text": "NET - Connection was reset by peer"}, _describe(proc)
    assert replies["vanish"]["sent_bytes"] > 100


def test_good_client_is_served_afterwards(served):
    proc, events, _, folder = served
    conn = GOOD_CONN
    assert "Traceback" not in proc.stderr, _describe(proc)
    handshakes = [e for e in events if e["ev"] == "handshake" and e.get("conn") == conn]
    assert handshakes and handshakes[0]["ok"] is True, _describe(proc)
    http = [e for e in events if e["ev"] == "http" and e.get("conn") == conn]
    assert http and http[0]["status"] == 200 and http[0]["body_bytes"] == 100, _describe(proc)
    out = (folder / "good.out").read_bytes()
    assert out.startswith(b"HTTP/1.0 200") or out.startswith(b"HTTP/1.1 200"), (out[:200], _describe(proc))
    assert "verify error" not in (folder / "good.err").read_text()
    # The server did not stop at the bad ones: every connection was accepted, and only
    # the bad ones failed.
    accepted = [e["conn"] for e in events if e["ev"] == "accepted"]
    assert accepted == list(range(1, conn + 1)), _describe(proc)
    done = events[-1]
    assert done["ev"] == "done" and done["connections"] == conn and done["failed"] == len(SENDERS)
