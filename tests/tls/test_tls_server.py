"""tls_server on the TAP link, judged by clients nobody here wrote: Python's ssl and
`openssl s_client` (certificate verified against the run's CA for the host name, the
body checked against the documented content). The default run serves one TLS 1.3
connection to each; TLS 1.2, resumption, mutual TLS and bad clients are `slow`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest

from tlscosim.tls.events import parse_events

import test_tls_server_helpers as helpers
from test_tls_server_helpers import (
    body_bytes, needs_root, python_https_get, raw_tcp, run_board, s_client, server_args, sha256_hex)

server_elf, pki = helpers.server_elf, helpers.pki       # fixtures


def cli_run(elf, *fw_args, root=None):
    cmd = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "--timeout-s", "120"]
    if root is not None:
        cmd += ["--semihosting-root", str(root)]
    return subprocess.run(cmd + ["--", *fw_args], capture_output=True, text=True, timeout=300)


def error_texts(log):
    return [e["text"] for e in log.errors()]


# -- command line: clear errors, exit status 2 -------------------------------------------------------

def test_unknown_option_is_refused_with_status_2(server_elf):
    run = cli_run(server_elf, "--cert", "server.crt", "--key", "server.key", "--bogus", "1")
    assert run.returncode == 2, run.stdout + run.stderr
    assert '"where":"config"' in run.stdout and "unknown option --bogus" in run.stdout
    assert '@tls {"ev":"done","ok":false,"connections":0,"failed":0}' in run.stdout
    assert "Traceback" not in run.stderr


def test_server_without_certificate_is_refused(server_elf):
    run = cli_run(server_elf, "--port", "4433")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "the server needs --cert FILE and --key FILE" in run.stdout


def test_dtls_with_tls13_is_refused(server_elf):
    run = cli_run(server_elf, "--cert", "server.crt", "--key", "server.key", "--transport", "dtls", "--tls", "1.3")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--transport dtls is DTLS 1.2: use --tls 1.2" in run.stdout


def test_missing_key_file_is_a_file_error(server_elf, pki):
    root, _ = pki
    run = cli_run(server_elf, "--cert", "server.crt", "--key", "absent.key", root=root)
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r'"where":"file".*cannot load key absent\.key', run.stdout), run.stdout


# -- TLS 1.3: Python's ssl and OpenSSL in one run ------------------------------------------------------

@needs_root
def test_tls13_serves_python_ssl_and_openssl_s_client(server_elf, pki):
    root, _ = pki
    body = 3000                         # several records
    run = run_board(server_elf, root, server_args(connections=2, body=body),
                    [python_https_get(root, tls="1.3", path="/index.html"), s_client(root, "-tls1_3")])
    py, ossl = run.clients
    assert "error" not in py, py
    assert py["version"] == "TLSv1.3" and py["cipher"] == "TLS_AES_128_GCM_SHA256"
    assert py["head"].startswith("HTTP/1.0 200 OK") and f"Content-Length: {body}" in py["head"]
    assert py["body"] == body_bytes(body)
    assert "Verify return code: 0 (ok)" in ossl.stdout, ossl.stdout + ossl.stderr
    assert "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256" in ossl.stdout
    assert body_bytes(body).decode() in ossl.stdout

    log = run.log
    assert run.result.exit_code == 0, run.uart[-2000:]
    assert log.first("boot")["app"] == "tls_server"
    assert log.first("listening")["port"] == 4433
    assert [e["conn"] for e in log.of("accepted")] == [1, 2]
    assert all(e["peer"].startswith("192.0.2.1:") for e in log.of("accepted"))
    for conn in (1, 2):
        hs = log.first("handshake", conn=conn)
        assert hs["ok"] and hs["version"] == "TLSv1.3" and hs["suite"] == "TLS1-3-AES-128-GCM-SHA256"
        assert hs["cycles"] > 0 and hs["work_cycles"] + hs["wait_cycles"] <= hs["cycles"]
        # The board really offloaded: the simulated accelerators counted blocks.
        assert hs["aes_blocks_hw"] > 0 and hs["sha256_blocks_hw"] > 0
        states = [e["state"] for e in log.of("step", conn=conn)]
        assert states[:2] == ["HELLO_REQUEST", "CLIENT_HELLO"] and "SERVER_HELLO" in states
        http = log.first("http", conn=conn)
        assert http["status"] == 200 and http["body_bytes"] == body
        assert http["body_sha256"] == sha256_hex(body_bytes(body))
        assert http["gcm_blocks_hw"] > 0            # the records went through the GCM core
        assert log.first("close", conn=conn)["close_notify"] is True
    assert log.first("http", conn=1)["request"] == "GET /index.html HTTP/1.0"
    assert log.first("done") == {"ev": "done", "ok": True, "connections": 2, "failed": 0}
    assert log.errors() == []


# -- slow: TLS 1.2, resumption, mutual TLS, bad clients ------------------------------------------------

@needs_root
@pytest.mark.slow
def test_tls12_resumes_by_ticket_and_by_session_id(server_elf, pki, tmp_path):
    root, _ = pki
    ticket, sid = tmp_path / "ticket.pem", tmp_path / "sid.pem"
    run = run_board(server_elf, root, server_args("--tls", "1.2", connections=4, body=100), [
        s_client(root, "-tls1_2", "-sess_out", str(ticket)),
        s_client(root, "-tls1_2", "-sess_in", str(ticket)),
        s_client(root, "-tls1_2", "-no_ticket", "-sess_out", str(sid)),
        s_client(root, "-tls1_2", "-no_ticket", "-sess_in", str(sid)),
    ])
    outs = [c.stdout for c in run.clients]
    suite = "ECDHE-ECDSA-AES128-GCM-SHA256"
    assert f"New, TLSv1.2, Cipher is {suite}" in outs[0] and f"Reused, TLSv1.2, Cipher is {suite}" in outs[1]
    assert f"New, TLSv1.2, Cipher is {suite}" in outs[2] and f"Reused, TLSv1.2, Cipher is {suite}" in outs[3]
    assert all(body_bytes(100).decode() in out for out in outs)
    resumed = [run.log.first("handshake", conn=c)["resumed"] for c in (1, 2, 3, 4)]
    assert resumed == [False, True, False, True]
    # An abbreviated handshake skips the certificate and the key exchange.
    assert run.log.first("handshake", conn=2)["work_cycles"] < run.log.first("handshake", conn=1)["work_cycles"] / 2
    assert run.result.exit_code == 0 and run.log.errors() == []


@needs_root
@pytest.mark.slow
def test_tls13_resumes_by_psk_ticket(server_elf, pki, tmp_path):
    root, _ = pki
    sess = tmp_path / "sess.pem"
    run = run_board(server_elf, root, server_args(connections=2, body=10), [
        s_client(root, "-tls1_3", "-sess_out", str(sess)),
        s_client(root, "-tls1_3", "-sess_in", str(sess)),
    ])
    first, second = (c.stdout for c in run.clients)
    assert "New, TLSv1.3" in first and "Reused, TLSv1.3" in second, second
    assert [run.log.first("handshake", conn=c)["resumed"] for c in (1, 2)] == [False, True]
    assert run.result.exit_code == 0 and run.log.errors() == []


@needs_root
@pytest.mark.slow
def test_mutual_tls_requires_a_client_certificate_and_survives_one_without(server_elf, pki):
    root, p = pki
    with_cert = ("-cert", str(p.client_cert), "-key", str(p.client_key))
    run = run_board(server_elf, root, server_args("--ca", "ca.crt", connections=3, body=10), [
        s_client(root, "-tls1_3", *with_cert),
        python_https_get(root, tls="1.3"),                          # no certificate
        python_https_get(root, tls="1.3", cert=(str(p.client_cert), str(p.client_key))),
    ])
    ossl, nocert, ok = run.clients
    assert "Verify return code: 0 (ok)" in ossl.stdout and body_bytes(10).decode() in ossl.stdout
    assert "error" in nocert, nocert
    assert ok.get("body") == body_bytes(10), ok
    log = run.log
    assert log.first("config")["mutual"] is True
    assert [log.first("handshake", conn=c)["ok"] for c in (1, 2, 3)] == [True, False, True]
    assert [e["conn"] for e in log.errors()] == [2] and log.errors()[0]["where"] == "handshake"
    assert log.first("done")["ok"] is False and run.result.exit_code == 1


@needs_root
@pytest.mark.slow
def test_a_client_speaking_no_tls_ends_its_connection_only(server_elf, pki):
    root, _ = pki
    run = run_board(server_elf, root, server_args(connections=2, body=10), [
        raw_tcp(b"GET / HTTP/1.0\r\n\r\n"),                         # plain HTTP on the TLS port
        python_https_get(root, tls="1.3"),
    ])
    garbage_reply, ok = run.clients
    assert ok.get("body") == body_bytes(10), ok
    err = run.log.errors()
    assert len(err) == 1 and err[0]["conn"] == 1 and err[0]["where"] == "handshake"
    assert err[0]["hex"] == "-0x7200"           # MBEDTLS_ERR_SSL_INVALID_RECORD
    assert run.log.first("handshake", conn=2)["ok"] is True
    assert run.log.first("done") == {"ev": "done", "ok": False, "connections": 2, "failed": 1}


# -- QEMU: the same ELF as a server, the same clients ------------------------------------------------

@needs_root
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="needs qemu-system-arm")
@pytest.mark.parametrize("transport", ["tls", "dtls"])
def test_qemu_serves_the_same_body(server_elf, pki, transport):
    """tls_server under qemu-system-arm -M mps2-an386 (no accelerators: Mbed TLS's software
    path), its LAN9118 on a namespace's TAP, served to openssl s_client."""
    from tlscosim.sim.board.net.netns import Namespace
    root, _ = pki
    fw_args = server_args("--transport", transport, "--time", str(int(time.time())), body=500)
    semihosting = ",".join(["enable=on", "target=native", "arg=tls_server"] + [f"arg={a}" for a in fw_args])
    client = ["openssl", "s_client", "-connect", "192.0.2.2:4433", "-CAfile", str(root / "ca.crt"),
              "-verify_hostname", "tlscosim.test", "-verify_return_error", "-ign_eof"]
    client += ["-dtls1_2"] if transport == "dtls" else ["-tls1_3"]
    with Namespace() as ns:
        qemu = subprocess.Popen(["ip", "netns", "exec", ns.name, "qemu-system-arm", "-M", "mps2-an386",
                                 "-nographic", "-monitor", "none", "-serial", "stdio",
                                 "-semihosting-config", semihosting, "-kernel", str(server_elf),
                                 "-nic", f"tap,ifname={ns.tap},script=no,downscript=no,model=lan9118"],
                                cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            time.sleep(3)               # the board up and listening
            ossl = subprocess.run(ns.command(shlex.join(client)), env=ns.environment(), capture_output=True,
                                  text=True, input="GET / HTTP/1.0\r\n\r\n", timeout=120)
            uart, _ = qemu.communicate(timeout=60)
        finally:
            if qemu.poll() is None:
                qemu.kill()
                qemu.wait()
    assert qemu.returncode == 0, uart
    assert "Verify return code: 0 (ok)" in ossl.stdout and body_bytes(500).decode() in ossl.stdout, ossl.stdout
    log = parse_events(uart)
    assert log.first("boot")["accel"]["used"] is False                 # QEMU has no accelerators
    hs = log.first("handshake", conn=1)
    assert hs["ok"] and hs["work_cycles"] == 0                          # QEMU's DWT reads 0
    assert log.first("http", conn=1)["body_sha256"] == sha256_hex(body_bytes(500))
    assert log.first("done")["ok"] is True
