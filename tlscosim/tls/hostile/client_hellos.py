"""Malformed ClientHellos crafted with scapy, and a sender that reads the server's answer.

Every variant starts from one plausible ClientHello (TLS 1.3 and 1.2 suites, SNI, P-256,
ECDSA-SHA256) and breaks one thing a parser must check:
- lying_lengths: the cipher-suite list claims 200 bytes; the message holds 4.
- truncated_extensions: the extension block claims its full length, but the message (and
  the record, whose lengths agree with each other) ends 20 bytes early.
- absurd_suites: 8,000 cipher suites, none of them assigned: a full 16 KB record.
- odd_suites: a cipher-suite list of 3 bytes (suites are 2 bytes each).
Two more are not malformed: valid (the same hello with a P-256 key share: a TLS 1.3 server
answers it, which shows the others fail for what they break), for a client that vanishes
mid-handshake (send_hello(..., reset=True)), and silent (nothing at all: a client that
connects and stalls).
The server's reply bytes are split into records; its plaintext alert is decoded by scapy."""

from __future__ import annotations

import os
import socket
import struct
import time

from .records import CONTENT_TYPES, Record, RecordSplitter, alerts_in

RECORD_VERSION = 0x0301          # what clients put in the first record (RFC 8446 5.1)
LEGACY_VERSION = 0x0303
SUITES = [0x1301, 0xC02B]        # TLS_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256
UNASSIGNED_SUITE_BASE = 0x5A00   # a range IANA has not assigned
SECP256R1, ECDSA_SECP256R1_SHA256 = 23, 0x0403
TRUNCATED_EXTENSION_BYTES = 20
ABSURD_SUITE_COUNT = 8000
RECV_SIZE = 16384
RETRY_INTERVAL_S = 0.2


def _extensions(host: str) -> list:
    from scapy.layers.tls.extensions import (ServerName, TLS_Ext_ServerName,
                                             TLS_Ext_SignatureAlgorithms, TLS_Ext_SupportedGroups,
                                             TLS_Ext_SupportedPointFormat,
                                             TLS_Ext_SupportedVersion_CH)
    return [TLS_Ext_ServerName(servernames=[ServerName(servername=host.encode())]),
            TLS_Ext_SupportedVersion_CH(versions=[0x0304, 0x0303]),
            TLS_Ext_SupportedGroups(groups=[SECP256R1]),
            TLS_Ext_SignatureAlgorithms(sig_algs=[ECDSA_SECP256R1_SHA256]),
            TLS_Ext_SupportedPointFormat(ecpl=[0])]


def _hello(host: str, **fields):
    from scapy.layers.tls.handshake import TLSClientHello
    base = dict(version=LEGACY_VERSION, gmt_unix_time=0, random_bytes=os.urandom(28), sid=b"",
                ciphers=SUITES, comp=[0], ext=_extensions(host))
    return TLSClientHello(**{**base, **fields})


def _record(handshake: bytes) -> bytes:
    return Record(CONTENT_TYPES["handshake"], RECORD_VERSION, handshake).raw()


def _handshake(body: bytes) -> bytes:
    """A ClientHello handshake header (type 1, 24-bit length) that agrees with `body`."""
    return b"\x01" + len(body).to_bytes(3, "big") + body


def lying_lengths(host: str) -> bytes:
    return _record(bytes(_hello(host, cipherslen=200)))


def truncated_extensions(host: str) -> bytes:
    full = bytes(_hello(host))
    return _record(_handshake(full[4:-TRUNCATED_EXTENSION_BYTES]))


def absurd_suites(host: str) -> bytes:
    suites = [UNASSIGNED_SUITE_BASE + i for i in range(ABSURD_SUITE_COUNT)]
    return _record(bytes(_hello(host, ciphers=suites)))


def odd_suites(host: str) -> bytes:
    full = bytes(_hello(host, ciphers=[SUITES[0]]))
    # Splice one extra byte into the suite list and say so in its length: 3 bytes.
    at = 4 + 2 + 32 + 1                      # header, version, random, empty session id
    body = full[4:at] + (3).to_bytes(2, "big") + full[at + 2:at + 4] + b"\x00" + full[at + 4:]
    return _record(_handshake(body))


def valid(host: str) -> bytes:
    from scapy.layers.tls.keyexchange_tls13 import KeyShareEntry, TLS_Ext_KeyShare_CH
    hello = _hello(host, ext=_extensions(host) + [TLS_Ext_KeyShare_CH(
        client_shares=[KeyShareEntry(group=SECP256R1)])])      # scapy makes the key pair
    return _record(bytes(hello))


def silent(host: str) -> bytes:
    return b""


MALFORMED = ("lying_lengths", "truncated_extensions", "absurd_suites", "odd_suites")
VARIANTS = {"valid": valid, "silent": silent, "lying_lengths": lying_lengths, "truncated_extensions": truncated_extensions,
            "absurd_suites": absurd_suites, "odd_suites": odd_suites}


def craft(variant: str, host: str = "tlscosim.test") -> bytes:
    if variant not in VARIANTS:
        raise ValueError(f"unknown ClientHello variant {variant!r}; choose from {', '.join(VARIANTS)}")
    return VARIANTS[variant](host)


def connect(address: tuple[str, int], timeout_s: float, retry_s: float = 0.0) -> socket.socket:
    """A TCP connection to `address`; refusals are retried for `retry_s` seconds (a board
    still booting refuses until it listens)."""
    deadline = time.monotonic() + retry_s
    while True:
        try:
            return socket.create_connection(address, timeout=timeout_s)
        except ConnectionRefusedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_INTERVAL_S)


def send_hello(address: tuple[str, int], hello: bytes, timeout_s: float = 30.0,
               retry_s: float = 0.0, reset: bool = False) -> dict:
    """Sends `hello`, reads until the server closes (or `timeout_s` of silence), and
    returns what came back: its records and alerts, and how the connection ended. With
    `reset`, the connection is reset right after the hello instead (SO_LINGER 0)."""
    reply, ended = b"", "closed"
    with connect(address, timeout_s, retry_s) as sock:
        sock.sendall(hello)
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return {"sent_bytes": len(hello), "reply_bytes": 0, "ended": "reset by us",
                    "records": [], "alerts": []}
        try:
            while data := sock.recv(RECV_SIZE):
                reply += data
        except socket.timeout:
            ended = "timeout"
        except ConnectionResetError:
            ended = "reset"
    return {"sent_bytes": len(hello), "reply_bytes": len(reply), "ended": ended,
            "records": [r.summary() for r in RecordSplitter().feed(reply)],
            "alerts": alerts_in(reply)}
