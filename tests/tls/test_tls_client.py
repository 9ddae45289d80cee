"""tls_client on the TAP link against `openssl s_server` (the oracle: OpenSSL decides
whether the handshake is right; the page it serves is known, so the body hash is checked
with hashlib), and against the host's Python-ssl server, whose report of the connection
(session reused, body hash, close_notify) must agree with the board's. The default run:
TLS 1.3 and TLS 1.2 full handshakes, TLS 1.3 resumption, a certificate for the wrong host
refused, and the command-line checks (no network). Resumption, mutual TLS,
--accel off, other suites and groups, QEMU: test_tls_client_more.py (slow)."""

from __future__ import annotations

import hashlib
import json
import sys

import pytest

from tlscosim.tls.peer_common import http_body

from test_tls_client_helpers import (
    PAGE_BODY, build_client, needs_root, page_args, page_sha256, pki_folder, run_client, s_server)

# The handshake states of a full ECDHE-ECDSA handshake as Mbed TLS 3.6's client runs them.
TLS13_STATES = ["HELLO_REQUEST", "CLIENT_HELLO", "SERVER_HELLO", "ENCRYPTED_EXTENSIONS",
                "CERTIFICATE_REQUEST", "SERVER_CERTIFICATE", "CERTIFICATE_VERIFY", "SERVER_FINISHED",
                "CLIENT_CCS_AFTER_SERVER_FINISHED", "CLIENT_CERTIFICATE", "CLIENT_FINISHED", "FLUSH_BUFFERS", "HANDSHAKE_WRAPUP"]


@pytest.fixture(scope="module")
def client_elf():
    return build_client()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return pki_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def root(pki):
    return pki[0]


def check_connection(run, version: str, suite: str, group: str = "secp256r1", conn: int = 1):
    """The events of one good connection; returns its handshake event."""
    connected = run.one("connected", conn=conn)
    assert connected["cycles"] > 0 and connected["attempts"] >= 1
    steps = [e for e in run.of("step") if e["conn"] == conn]
    hs = run.one("handshake", conn=conn)
    assert hs["ok"] is True, hs
    assert (hs["version"], hs["suite"], hs["group"]) == (version, suite, group)
    # the per-state figures add up to the handshake's, and work + wait fit in its cycles
    assert sum(s["cycles"] for s in steps) == hs["work_cycles"]
    assert sum(s["wait_cycles"] for s in steps) == hs["wait_cycles"]
    assert hs["work_cycles"] + hs["wait_cycles"] <= hs["cycles"]
    assert 0 < hs["stack_peak"] < 32768 and 10_000 < hs["heap_peak"] < 1 << 20
    http = run.one("http", conn=conn)
    assert http["status"] == 200
    assert http["body_bytes"] == len(PAGE_BODY) and http["body_sha256"] == page_sha256()
    close = run.one("close", conn=conn)
    assert close["close_notify"] is True
    return hs


@needs_root
def test_tls13_full_handshake_against_openssl(client_elf, root):
    run = run_client(client_elf, root, *page_args(), peer=s_server(root, "-tls1_3"))
    assert run.returncode == 0, run.stdout + run.stderr
    boot = run.one("boot")
    assert boot["app"] == "tls_client" and boot["mbedtls"] == "3.6.6" and boot["clock_hz"] == 25_000_000
    assert boot["accel"] == {"aes": True, "sha256": True, "gcm": True, "used": True}
    config = run.one("config")
    assert config == {"ev": "config", "role": "client", "transport": "tls", "tls": "1.3",
                      "suite": "TLS1-3-AES-128-GCM-SHA256", "group": "secp256r1",
                      "server": "192.0.2.1:4433", "host": "tlscosim.test", "mutual": False}
    hs = check_connection(run, "TLSv1.3", "TLS1-3-AES-128-GCM-SHA256")
    assert [s["state"] for s in run.of("step")] == TLS13_STATES
    assert hs["resumed"] is False
    # ECDHE keygen + shared secret and the ECDSA verifications of the chain: tens of
    # millions of cycles on a Cortex-M4 (bounds, the peer's randomness varies the work)
    assert 20_000_000 < hs["work_cycles"] < 200_000_000
    assert hs["aes_blocks_hw"] > 0 and hs["sha256_blocks_hw"] > 0
    # the records are AES-GCM on the GCM core: at least the page's 16-byte blocks
    assert run.one("http")["gcm_blocks_hw"] >= len(PAGE_BODY) // 16
    assert run.one("done") == {"ev": "done", "ok": True, "connections": 1, "heap_in_use": 0}
    assert not run.of("error")


@needs_root
def test_tls12_full_handshake_against_openssl(client_elf, root):
    run = run_client(client_elf, root, *page_args("--tls", "1.2"), peer=s_server(root, "-tls1_2"))
    assert run.returncode == 0, run.stdout + run.stderr
    hs = check_connection(run, "TLSv1.2", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256")
    states = [s["state"] for s in run.of("step")]
    for state in ("SERVER_CERTIFICATE", "SERVER_KEY_EXCHANGE", "CLIENT_KEY_EXCHANGE", "SERVER_FINISHED"):
        assert state in states
    assert hs["resumed"] is False and 20_000_000 < hs["work_cycles"] < 200_000_000
    assert run.one("done")["ok"] is True


@needs_root
def test_certificate_for_another_host_is_refused(client_elf, pki):
    root, authority = pki
    cert, key = authority.variant("wrong_host")
    run = run_client(client_elf, root, *page_args(), peer=s_server(root, "-tls1_3", cert=cert, key=key))
    assert run.returncode == 1, run.stdout + run.stderr
    verify = run.one("verify", conn=1)
    assert verify["flags"] == 0x04                           # MBEDTLS_X509_BADCERT_CN_MISMATCH
    assert "does not match with the expected CN" in verify["text"]
    error = run.one("error", conn=1)
    assert error["where"] == "handshake" and error["hex"] == "-0x2700"
    assert error["verify_flags"] == 0x04
    assert run.one("handshake", conn=1)["ok"] is False
    assert not run.of("http") and run.one("done")["ok"] is False


# -- the command line: clear errors, exit status 2, no network needed ------------------------------

@pytest.mark.parametrize("args, message", [
    (["--ca", "ca.crt", "--bogus", "1"], "unknown option --bogus"),
    ([], "the client needs --ca FILE (the CA the server's certificate is checked against)"),
    (["--ca", "ca.crt", "--tls", "1.1"], "--tls wants 1.2 or 1.3, not 1.1"),
    (["--ca", "ca.crt", "--suite", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"],
     "ciphersuite TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 is not a TLS 1.3 suite"),
    (["--ca", "ca.crt", "--group", "secp999r1"], "unknown group secp999r1"),
    (["--ca", "ca.crt", "--port", "70000"], "--port wants a number 1-65535, not 70000"),
    (["--ca", "ca.crt", "--cert", "client.crt"], "--cert and --key go together"),
    (["--ca", "ca.crt", "--server", "host.example"], "--server wants an IPv4 address, not host.example"),
])
def test_bad_command_line_is_refused_with_status_2(client_elf, root, args, message):
    run = run_client(client_elf, root, *args)
    assert run.returncode == 2, run.stdout + run.stderr
    error = run.one("error")
    assert (error["where"], error["text"]) == ("config", message)
    assert run.one("done")["ok"] is False and "Traceback" not in run.stderr


def test_missing_ca_file_is_a_file_error(client_elf, root):
    run = run_client(client_elf, root, "--ca", "absent.crt")
    assert run.returncode == 1, run.stdout + run.stderr
    error = run.one("error")
    assert error["where"] == "file"
    assert error["text"] == "cannot load CA certificate absent.crt: PK - Read/write of file failed"


# -- against the host's Python-ssl server: both ends' views compared ------------------------------

def python_server(root, tls: str, report) -> str:
    return (f"cd {root} && exec {sys.executable} -m tlscosim.tls.https_server --cert server.crt --key server.key "
            f"--tls {tls} --connections 2 --body-bytes 5000 --report {report}")


@needs_root
@pytest.mark.parametrize("tls, version, suite", [
    ("1.3", "TLSv1.3", "TLS1-3-AES-128-GCM-SHA256"),
    pytest.param("1.2", "TLSv1.2", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", marks=pytest.mark.slow),
], ids=["tls13", "tls12"])
def test_resumption_agrees_with_python_ssl_server(client_elf, root, tmp_path, tls, version, suite):
    report = tmp_path / "server.json"
    run = run_client(client_elf, root, "--ca", "ca.crt", "--tls", tls, "--resume", "1",
                     peer=python_server(root, tls, report))
    assert run.returncode == 0, run.stdout + run.stderr
    served = json.loads(report.read_text())["connections"]
    assert [c["session_reused"] for c in served] == [False, True]        # the server's view
    body = hashlib.sha256(http_body(5000)).hexdigest()
    for conn, server in zip((1, 2), served):
        hs = run.one("handshake", conn=conn)
        assert hs["ok"] and hs["resumed"] is (conn == 2) and hs["version"] == server["version"] == version
        assert hs["suite"] == suite
        http = run.one("http", conn=conn)
        assert http["status"] == 200 and http["body_bytes"] == 5000
        assert http["body_sha256"] == server["body_sha256"] == body
        assert http["request_bytes"] == server["request_bytes"]
        assert server["close_notify_received"] and run.one("close", conn=conn)["peer_close_notify"]
    full, resumed = (run.one("handshake", conn=c)["work_cycles"] for c in (1, 2))
    assert resumed < full


@needs_root
def test_nobody_listening_is_a_connect_error_after_the_timeout(client_elf, root):
    run = run_client(client_elf, root, "--ca", "ca.crt", "--timeout-ms", "800", peer="exec sleep 60")
    assert run.returncode == 1, run.stdout + run.stderr
    error = run.one("error", conn=1)
    assert (error["where"], error["hex"]) == ("connect", "-0x0044")      # MBEDTLS_ERR_NET_CONNECT_FAILED
    assert error["text"] == "NET - The connection to the given server / port failed"
    assert not run.of("connected") and run.one("done") == {"ev": "done", "ok": False, "connections": 1,
                                                            "heap_in_use": 0}
