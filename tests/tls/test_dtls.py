"""DTLS 1.2 over lwIP UDP (sw/tls/udp_bio, dtls_link, dtls_server) judged by OpenSSL 3:
`openssl s_client -dtls1_2` against tls_server (cookie exchange, handshake, HTTP in
datagrams, close_notify); with a datagram lost on the way, the retransmission timer on the
board's clock must recover."""

from __future__ import annotations

import pytest

from test_tls_server_helpers import (
    body_bytes, build_app, needs_root, pki_folder, run_board, s_client, server_args, sha256_hex)


@pytest.fixture(scope="module")
def server_elf():
    return build_app("tls_server")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return pki_folder(tmp_path_factory)


@needs_root
def test_dtls_server_against_openssl_s_client(server_elf, pki):
    root, _ = pki
    body = 3000                         # three records, three datagrams
    run = run_board(server_elf, root, server_args("--transport", "dtls", body=body),
                    [s_client(root, request="GET /dtls HTTP/1.0\r\n\r\n", dtls=True)])
    (ossl,) = run.clients
    assert "Verify return code: 0 (ok)" in ossl.stdout, ossl.stdout + ossl.stderr
    assert "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" in ossl.stdout
    assert "Protocol  : DTLSv1.2" in ossl.stdout
    assert body_bytes(body).decode() in ossl.stdout
    log = run.log
    assert log.first("config")["transport"] == "dtls" and log.first("listening")["transport"] == "dtls"
    # The client proved its address first: at least one HelloVerifyRequest, then accepted.
    verifies = log.of("hello_verify")
    accepted = log.first("accepted", conn=1)
    assert verifies and all(v["peer"] == accepted["peer"] for v in verifies)
    hs = log.first("handshake", conn=1)
    assert hs["ok"] and hs["version"] == "DTLSv1.2" and hs["suite"] == "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"
    assert [e["state"] for e in log.of("step", conn=1)][:2] == ["HELLO_REQUEST", "CLIENT_HELLO"]
    http = log.first("http", conn=1)
    assert http["request"] == "GET /dtls HTTP/1.0" and http["status"] == 200
    assert http["body_sha256"] == sha256_hex(body_bytes(body))
    assert log.first("close", conn=1)["close_notify"] is True
    assert log.first("done") == {"ev": "done", "ok": True, "connections": 1, "failed": 0}
    assert run.result.exit_code == 0 and log.errors() == []
