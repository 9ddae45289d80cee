"""DTLS 1.2 over lwIP UDP (sw/tls/udp_bio, dtls_link, dtls_server) judged by OpenSSL 3:
`openssl s_client -dtls1_2` against tls_server (cookie exchange, handshake, HTTP in
datagrams, close_notify); with a datagram lost on the way, the retransmission timer on the
board's clock must recover."""

from __future__ import annotations

import time

import pytest

import test_tls_server_helpers as helpers
from test_tls_server_helpers import (
    BOARD_IP, HOST_IP, PORT, OpensslDtlsServer, UdpRelay, body_bytes, needs_root, run_board, s_client, server_args,
    sha256_hex)

server_elf, client_elf, pki = helpers.server_elf, helpers.client_elf, helpers.pki     # fixtures

CLOCK_HZ = 25_000_000
RESPONSE_BODY = b"dtls over lwip udp"
RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(RESPONSE_BODY), RESPONSE_BODY)


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


def until_board_exits(sim, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while sim.running and time.monotonic() < deadline:
        time.sleep(0.2)


def dtls_client_session(root, drop_from_board=()):
    """A client step: openssl s_server on the namespace's loopback behind a UDP relay at
    HOST_IP:PORT (where the board's tls_client sends), kept until the board exits."""
    def step(sim):
        server = OpensslDtlsServer(sim, root, PORT + 1, RESPONSE)
        relay = UdpRelay(sim, (HOST_IP, PORT), ("127.0.0.1", PORT + 1), drop_from_board)
        until_board_exits(sim)
        relay.close()
        return relay, server.close()
    return step


def check_client_run(run):
    log = run.log
    assert log.first("config")["transport"] == "dtls", run.uart[-2000:]
    hs = log.first("handshake", conn=1)
    assert hs["ok"] and hs["version"] == "DTLSv1.2", run.uart[-3000:]
    http = log.first("http", conn=1)
    assert http["status"] == 200 and http["body_bytes"] == len(RESPONSE_BODY)
    assert http["body_sha256"] == sha256_hex(RESPONSE_BODY)
    assert log.first("done")["ok"] is True and run.result.exit_code == 0
    return hs


@needs_root
def test_dtls_client_against_openssl_s_server(client_elf, pki):
    root, _ = pki
    run = run_board(client_elf, root, ["--ca", "ca.crt", "--transport", "dtls"], [dtls_client_session(root)],
                    ready=r'"ev":"config"')
    (relay, s_server_out), = run.clients
    assert "GET / HTTP/1.0" in s_server_out, s_server_out
    check_client_run(run)
    assert relay.dropped == 0


@needs_root
@pytest.mark.slow
def test_dtls_client_retransmits_a_lost_client_hello(client_elf, pki):
    root, _ = pki
    run = run_board(client_elf, root, ["--ca", "ca.crt", "--transport", "dtls"],
                    [dtls_client_session(root, drop_from_board={0})], ready=r'"ev":"config"')
    (relay, s_server_out), = run.clients
    hs = check_client_run(run)
    assert relay.dropped == 1 and "GET / HTTP/1.0" in s_server_out
    # Nothing answered the first ClientHello: the board waited for its retransmission
    # timer (1 s of simulated time) before sending it again. The timer counts lwIP's 10 ms
    # ticks from the send, inside the step before the wait: up to a tick less is waited.
    waits = sum(e["wait_cycles"] for e in run.log.of("step", conn=1))
    assert waits >= CLOCK_HZ * 0.99, run.log.of("step", conn=1)
    assert hs["cycles"] >= CLOCK_HZ


@needs_root
@pytest.mark.slow
def test_dtls_server_recovers_a_lost_server_flight(server_elf, pki):
    """The board's first flight after the cookie exchange (ServerHello...ServerHelloDone)
    is lost: s_client retransmits its ClientHello and the board must send the flight again."""
    root, _ = pki
    relay_port = PORT + 2

    def step(sim):
        # Board datagrams: 0 the HelloVerifyRequest, then the ServerHello flight.
        relay = UdpRelay(sim, ("127.0.0.1", relay_port), (BOARD_IP, PORT), drop_from_board={1},
                         board_is_server=True)
        try:
            return relay, s_client(root, dtls=True, connect=f"127.0.0.1:{relay_port}")(sim)
        finally:
            relay.close()

    run = run_board(server_elf, root, server_args("--transport", "dtls", body=100), [step])
    (relay, ossl), = run.clients
    assert relay.dropped == 1
    assert "Verify return code: 0 (ok)" in ossl.stdout and body_bytes(100).decode() in ossl.stdout, ossl.stdout
    assert run.log.first("handshake", conn=1)["ok"] is True
    assert run.log.first("done")["ok"] is True and run.result.exit_code == 0


@needs_root
@pytest.mark.slow
def test_dtls_server_drops_a_garbage_datagram_and_serves_the_next_client(server_elf, pki):
    root, _ = pki

    def garbage(sim):
        def send():
            import socket
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"\x16\xfe\xfd not a ClientHello", (BOARD_IP, PORT))
        sim.namespace.run_inside(send)
        time.sleep(2)

    run = run_board(server_elf, root, server_args("--transport", "dtls", body=10),
                    [garbage, s_client(root, dtls=True)])
    ossl = run.clients[1]
    assert body_bytes(10).decode() in ossl.stdout, ossl.stdout + ossl.stderr
    dropped = run.log.of("datagram_dropped")
    assert len(dropped) == 1 and dropped[0]["peer"].startswith(HOST_IP + ":"), run.uart[-2000:]
    assert run.log.first("handshake", conn=1)["ok"] is True
    assert run.log.first("done")["ok"] is True and run.result.exit_code == 0
