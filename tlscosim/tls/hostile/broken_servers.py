"""Servers that break the handshake by behaviour rather than by content.

- stall: accepts, takes in whatever the client sends, never answers and never closes
  (until its own deadline), so only the client's timeout can end the connection.
- vanish: accepts, reads the ClientHello (one whole handshake record), then disappears:
  "rst" resets the connection (SO_LINGER with a zero timeout makes close() send RST),
  "close" ends it with an ordinary FIN.
Both report what they received, the ClientHello decoded by scapy."""

from __future__ import annotations

import socket
import struct
import time

from .records import CONTENT_TYPES, RecordSplitter

VANISH_MODES = ("rst", "close")
RECV_SIZE = 16384


def describe_client_hello(record_bytes: bytes) -> dict:
    """The fields of a ClientHello a test cares about, decoded by scapy's TLS layer."""
    from scapy.layers.tls.handshake import TLSClientHello
    from scapy.layers.tls.extensions import ServerName
    from scapy.layers.tls.record import TLS
    packet = TLS(record_bytes)
    hello = packet.getlayer(TLSClientHello)
    if hello is None:
        return {"client_hello": False}
    names = [n.servername.decode(errors="replace") for n in (packet.getlayer(ServerName),) if n]
    return {"client_hello": True, "ciphers": len(hello.ciphers or []),
            "server_name": names[0] if names else None}


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def vanish(listener: socket.socket, how: str, read_timeout_s: float = 60.0) -> dict:
    """Serves one connection: read the first handshake record, then reset or close."""
    if how not in VANISH_MODES:
        raise ValueError(f"vanish how? {how!r}; choose from {', '.join(VANISH_MODES)}")
    conn, peer = listener.accept()
    conn.settimeout(read_timeout_s)
    splitter, received, hello = RecordSplitter(), 0, None
    try:
        while hello is None:
            data = conn.recv(RECV_SIZE)
            if not data:
                break
            received += len(data)
            for record in splitter.feed(data):
                if record.type == CONTENT_TYPES["handshake"] and hello is None:
                    hello = describe_client_hello(record.raw())
    except OSError as exc:
        hello = {"client_hello": False, "error": exc.strerror or str(exc)}
    if how == "rst":
        _reset(conn)
    else:
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()
    return {"peer": f"{peer[0]}:{peer[1]}", "how": how, "received_bytes": received,
            **(hello or {"client_hello": False})}


def stall(listener: socket.socket, hold_s: float) -> dict:
    """Serves one connection: read and discard until the client leaves or `hold_s` passes."""
    conn, peer = listener.accept()
    started, received, closed_by = time.monotonic(), 0, "deadline"
    try:
        while (left := hold_s - (time.monotonic() - started)) > 0:
            conn.settimeout(left)
            try:
                data = conn.recv(RECV_SIZE)
            except socket.timeout:
                break
            if not data:
                closed_by = "client"
                break
            received += len(data)
    except OSError as exc:
        closed_by = f"client: {exc.strerror or exc}"
    finally:
        conn.close()
    return {"peer": f"{peer[0]}:{peer[1]}", "received_bytes": received, "closed_by": closed_by,
            "held_s": round(time.monotonic() - started, 3)}
