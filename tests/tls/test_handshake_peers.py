"""The host peers of `tlscosim handshake` on the loopback, each against OpenSSL's own
tools as the other end: https_server against `openssl s_client`, https_client (with
resumption) against `openssl s_server -WWW` serving a known file."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time

import pytest

from tlscosim.tls.certs import make_pki
from tlscosim.tls.peer_common import http_body

HOST = "tlscosim.test"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("peers"), host=HOST)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc, timeout_s=20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.mark.parametrize("tls, flag, version", [("1.3", "-tls1_3", "TLSv1.3"), ("1.2", "-tls1_2", "TLSv1.2")])
def test_https_server_against_openssl_s_client(pki, tmp_path, tls, flag, version):
    port, report = free_port(), tmp_path / "server.json"
    server = subprocess.Popen([sys.executable, "-m", "tlscosim.tls.https_server", "--cert", str(pki.server_cert),
                               "--key", str(pki.server_key), "--host", "127.0.0.1", "--port", str(port), "--tls", tls,
                               "--group", "secp256r1", "--body-bytes", "3000", "--connections", "1",
                               "--report", str(report)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline() == f"listening on {port}\n"
        client = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", flag, "-CAfile",
                                   str(pki.ca_cert), "-verify_return_error", "-verify_hostname", HOST,
                                   "-servername", HOST, "-groups", "prime256v1", "-quiet", "-no_ign_eof"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        client.stdin.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        client.stdin.flush()
        response = b""
        while len(response.partition(b"\r\n\r\n")[2]) < 3000:
            chunk = client.stdout.read1(65536)
            if not chunk:
                break
            response += chunk
        client.stdin.close()             # s_client sends close_notify at stdin EOF
        client.wait(timeout=30)
        assert server.wait(timeout=30) == 0
    finally:
        server.kill()
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 3000" in head
    assert body == http_body(3000)
    (conn,) = json.loads(report.read_text())["connections"]
    assert conn["ok"] and conn["version"] == version and conn["session_reused"] is False
    assert conn["body_sha256"] == hashlib.sha256(body).hexdigest() and conn["body_bytes"] == 3000
    assert conn["request_line"] == "GET / HTTP/1.1"
    assert conn["close_notify_received"] is True     # s_client ends with close_notify at stdin EOF


@pytest.mark.parametrize("tls, flag", [("1.3", "-tls1_3"), ("1.2", "-tls1_2")])
def test_https_client_resumes_against_openssl_s_server(pki, tmp_path, tls, flag):
    page = b"".join(b"row %04d of a page served by openssl\n" % i for i in range(300))
    (tmp_path / "page.txt").write_bytes(page)
    port, report = free_port(), tmp_path / "client.json"
    server = subprocess.Popen(["openssl", "s_server", "-accept", str(port), flag, "-cert", str(pki.server_cert),
                               "-key", str(pki.server_key), "-WWW", "-quiet"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, server)
        done = subprocess.run([sys.executable, "-m", "tlscosim.tls.https_client", "--server", "127.0.0.1", "--port",
                               str(port), "--ca", str(pki.ca_cert), "--tls", tls, "--path", "/page.txt",
                               "--connections", "2", "--resume", "--report", str(report)],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.kill()
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = json.loads(report.read_text())["connections"]
    want = hashlib.sha256(page).hexdigest()
    assert first["status"] == second["status"] == 200
    assert first["body_sha256"] == second["body_sha256"] == want
    assert (first["session_reused"], second["session_reused"]) == (False, True)
    assert first["version"] == f"TLSv{tls}"


def test_https_client_refuses_a_server_of_another_name(pki, tmp_path):
    cert, key = pki.variant("wrong_host")
    port = free_port()
    server = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", str(cert), "-key", str(key),
                               "-www", "-quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, server)
        done = subprocess.run([sys.executable, "-m", "tlscosim.tls.https_client", "--server", "127.0.0.1", "--port",
                               str(port), "--ca", str(pki.ca_cert), "--report", str(tmp_path / "r.json")],
                              capture_output=True, text=True, timeout=60)
    finally:
        server.kill()
    assert done.returncode == 1
    (conn,) = json.loads((tmp_path / "r.json").read_text())["connections"]
    assert "Hostname mismatch" in conn["error"] or "hostname" in conn["error"].lower()
