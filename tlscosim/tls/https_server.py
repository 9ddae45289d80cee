"""An HTTPS server on Python's ssl, the board's peer (run it in the run's namespace):

    python -m tlscosim.tls.https_server --cert server.crt --key server.key --port 4433 \
        --tls 1.3 --body-bytes 1024 --connections 2 --report server.json

Each connection: handshake, read one HTTP request, answer 200 with a deterministic body
(tlscosim.tls.peer_common.http_body), then wait for the client's close_notify and send
ours. Session tickets (TLS 1.2 and 1.3) and the session-ID cache are on, so a client can
resume. The report holds, per connection, what this end saw (version, cipher, group,
session_reused, bytes, body hash, close_notify). "listening on PORT" on stdout means ready.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import sys
import time

from .peer_common import ReportFile, connection_view, http_body, pin_group, pin_version, sha256_hex

MAX_REQUEST = 16384


def make_context(args) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pin_version(context, args.tls)
    pin_group(context, args.group)
    context.load_cert_chain(args.cert, args.key)
    if args.ca:
        context.load_verify_locations(args.ca)
        context.verify_mode = ssl.CERT_REQUIRED     # mutual TLS
    context.options &= ~ssl.OP_NO_TICKET
    context.num_tickets = 2
    if args.keylog:
        context.keylog_filename = args.keylog
    return context


def read_request(tls: ssl.SSLSocket) -> bytes:
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = tls.recv(4096)
        if not chunk:
            break
        request += chunk
        if len(request) > MAX_REQUEST:
            break
    return request


def serve_one(tls: ssl.SSLSocket, body: bytes, record: dict) -> None:
    request = read_request(tls)
    record["request_bytes"] = len(request)
    record["request_line"] = request.split(b"\r\n", 1)[0].decode(errors="replace")
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    tls.sendall(head + body)
    record["body_bytes"] = len(body)
    record["body_sha256"] = sha256_hex(body)
    # The client's close_notify ends the connection; data after it or a bare TCP close
    # (a ragged EOF: suppress_ragged_eofs is off) is reported.
    try:
        extra = tls.recv(4096)
        while extra:
            record["bytes_after_response"] = record.get("bytes_after_response", 0) + len(extra)
            extra = tls.recv(4096)
        record["close_notify_received"] = True
    except ssl.SSLEOFError:
        record["close_notify_received"] = False
        return
    try:
        tls.unwrap()                 # our close_notify
        record["close_notify_sent"] = True
    except (OSError, ssl.SSLError) as exc:
        record["close_notify_sent"] = False
        record["unwrap_error"] = str(exc)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tlscosim.tls.https_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", help="require client certificates signed by this CA (mutual TLS)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    parser.add_argument("--port", type=int, default=4433)
    parser.add_argument("--tls", default="1.3", help="1.2 or 1.3 (min = max)")
    parser.add_argument("--group", help="the only key-exchange group offered (Mbed TLS name, e.g. secp256r1)")
    parser.add_argument("--body-bytes", type=int, default=1024)
    parser.add_argument("--connections", type=int, default=1, help="serve N connections then exit (0: forever)")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="per-connection socket timeout (wall)")
    parser.add_argument("--report", help="write the per-connection JSON report here")
    parser.add_argument("--keylog", help="write TLS secrets (NSS key log format) here")
    args = parser.parse_args(argv)
    if args.body_bytes < 0 or args.connections < 0:
        parser.error("--body-bytes and --connections must not be negative")
    try:
        context = make_context(args)
    except (OSError, ssl.SSLError) as exc:
        print(f"https_server: cannot load the certificate/key/CA: {exc}", file=sys.stderr)
        return 2
    report = ReportFile(args.report, "server")
    report.write()
    body = http_body(args.body_bytes)
    listener = socket.create_server((args.host, args.port), reuse_port=False)
    listener.settimeout(None)
    print(f"listening on {args.port}", flush=True)
    served = failures = 0
    while args.connections == 0 or served < args.connections:
        raw, peer = listener.accept()
        raw.settimeout(args.timeout_s)
        served += 1
        record = {"conn": served, "peer": f"{peer[0]}:{peer[1]}"}
        started = time.monotonic()
        try:
            with context.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False) as tls:
                record.update(connection_view(tls))
                record["group"] = args.group
                if args.ca:
                    record["client_cert"] = tls.getpeercert() is not None
                serve_one(tls, body, record)
            record["ok"] = True
        except (OSError, ssl.SSLError) as exc:
            record["ok"] = False
            record["error"] = f"{type(exc).__name__}: {exc}"
            failures += 1
        record["wall_s"] = round(time.monotonic() - started, 3)
        report.add(record)
        print(f"connection {served}: {'ok' if record['ok'] else record['error']}", flush=True)
    listener.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
