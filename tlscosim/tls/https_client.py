"""An HTTPS client on Python's ssl, the peer of the board's tls_server (run it in the run's
namespace, e.g. as `tlscosim run ... --host-cmd`):

    python -m tlscosim.tls.https_client --server 192.0.2.2 --port 4433 --ca ca.crt \
        --tls 1.3 --connections 2 --resume --report client.json

Each connection: handshake (the server's certificate verified against --ca for --host),
GET --path, read the response to its end, close_notify. With --resume every connection
after the first offers the previous connection's session (TLS 1.2 ticket or ID, TLS 1.3
PSK ticket). Connecting is retried until --connect-timeout-s, since the board may still
be booting. Exit status 0 when every connection got a complete 200 response.
"""

from __future__ import annotations

import argparse
import re
import socket
import ssl
import sys
import time

from .peer_common import ReportFile, connection_view, pin_group, pin_version, sha256_hex


def make_context(args) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    pin_version(context, args.tls)
    pin_group(context, args.group)
    context.load_verify_locations(args.ca)
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    if args.keylog:
        context.keylog_filename = args.keylog
    return context


def connect(args) -> socket.socket:
    deadline = time.monotonic() + args.connect_timeout_s
    while True:
        try:
            raw = socket.create_connection((args.server, args.port), timeout=args.timeout_s)
            return raw
        except (ConnectionRefusedError, TimeoutError, OSError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def read_response(tls: ssl.SSLSocket) -> bytes:
    """The response up to the end of its Content-Length body (or the server's EOF)."""
    data = b""
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", data[:head_end])
            if length and len(data) - head_end - 4 >= int(length.group(1)):
                return data
        try:
            chunk = tls.recv(16384)
        except ssl.SSLEOFError:
            return data
        if not chunk:
            return data
        data += chunk


def parse_response(data: bytes) -> tuple[int | None, bytes]:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None, b""
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) >= 2 and status_line[1].isdigit() else None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            body = body[:int(value.strip())]
    return status, body


def one_connection(context, args, session, record: dict):
    raw = connect(args)
    started = time.monotonic()
    with context.wrap_socket(raw, server_hostname=args.host, session=session,
                             suppress_ragged_eofs=False) as tls:
        record["handshake_wall_s"] = round(time.monotonic() - started, 3)
        request = f"GET {args.path} HTTP/1.1\r\nHost: {args.host}\r\nConnection: close\r\n\r\n".encode()
        tls.sendall(request)
        record["request_bytes"] = len(request)
        record.update(connection_view(tls))
        record["group"] = args.group
        data = read_response(tls)
        status, body = parse_response(data)
        record.update({"status": status, "response_bytes": len(data), "body_bytes": len(body),
                       "body_sha256": sha256_hex(body)})
        session = tls.session
        record["session_reused"] = bool(tls.session_reused)
        # Our close_notify, then the server's in answer (unwrap waits for it).
        try:
            tls.unwrap()
            record["close_notify_received"] = True
        except ssl.SSLEOFError:
            record["close_notify_received"] = False
        except (OSError, ssl.SSLError) as exc:
            record["close_notify_received"] = False
            record["unwrap_error"] = f"{type(exc).__name__}: {exc}"
    record["ok"] = status == 200
    return session


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tlscosim.tls.https_client", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="192.0.2.2")
    parser.add_argument("--port", type=int, default=4433)
    parser.add_argument("--host", default="tlscosim.test", help="server name for SNI and verification")
    parser.add_argument("--ca", required=True, help="trusted CA (PEM)")
    parser.add_argument("--cert", help="client certificate (mutual TLS)")
    parser.add_argument("--key", help="client key (mutual TLS)")
    parser.add_argument("--tls", default="1.3", help="1.2 or 1.3 (min = max)")
    parser.add_argument("--group", help="the only key-exchange group offered (Mbed TLS name)")
    parser.add_argument("--path", default="/")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--resume", action="store_true", help="offer the previous session on later connections")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="socket timeout (wall)")
    parser.add_argument("--connect-timeout-s", type=float, default=60.0)
    parser.add_argument("--report", help="write the per-connection JSON report here")
    parser.add_argument("--keylog", help="write TLS secrets (NSS key log format) here")
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    if args.connections < 1:
        parser.error("--connections must be at least 1")
    try:
        context = make_context(args)
    except (OSError, ssl.SSLError) as exc:
        print(f"https_client: cannot load the CA/certificate/key: {exc}", file=sys.stderr)
        return 2
    report = ReportFile(args.report, "client")
    report.write()
    session = None
    failures = 0
    for conn in range(1, args.connections + 1):
        record = {"conn": conn, "offered_session": session is not None}
        try:
            new_session = one_connection(context, args, session, record)
            if args.resume:
                session = new_session
        except (OSError, ssl.SSLError) as exc:
            record["ok"] = False
            record["error"] = f"{type(exc).__name__}: {exc}"
        failures += not record["ok"]
        report.add(record)
        print(f"connection {conn}: {'ok' if record['ok'] else record.get('error', record.get('status'))}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
