"""A TCP proxy that passes a TLS session through and garbles one record of it.

It listens where the client expects the server, connects to the real server for every
client, forwards both directions, and in one direction (server to client by default)
applies a mutation to one record: the Nth record, or the Nth of one content type. Both
streams are split into records for the report, with the plaintext alerts each side sent
(scapy's TLS layer), so a test sees whether the victim answered with the right alert."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from .mutations import MUTATIONS
from .records import CONTENT_TYPES, RecordSplitter, handshake_messages, plaintext_alert

TO_CLIENT, TO_SERVER = "to-client", "to-server"
RECV_SIZE = 16384


@dataclass(frozen=True)
class Target:
    """The record to garble: the `index`th (1-based) record in `direction`, counting only
    records of `content_type` when that is given."""
    mutation: str
    index: int = 1
    content_type: int | None = None
    direction: str = TO_CLIENT

    def __post_init__(self):
        if self.mutation not in MUTATIONS:
            raise ValueError(f"unknown mutation {self.mutation!r}; choose from {', '.join(MUTATIONS)}")
        if self.index < 1:
            raise ValueError(f"the record index counts from 1, not {self.index}")
        if self.direction not in (TO_CLIENT, TO_SERVER):
            raise ValueError(f"direction must be {TO_CLIENT} or {TO_SERVER}, not {self.direction!r}")


@dataclass
class StreamLog:
    records: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    garbled: dict | None = None
    bytes: int = 0
    tail: int = 0              # bytes left over that never formed a whole record
    closed_by: str | None = None


def _close_quietly(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class GarbledConnection:
    """One client connection and its upstream connection, pumped by two threads."""

    def __init__(self, client: socket.socket, upstream: socket.socket, target: Target):
        self.client, self.upstream, self.target = client, upstream, target
        self.logs = {TO_CLIENT: StreamLog(), TO_SERVER: StreamLog()}
        self._ended = threading.Event()

    def run(self) -> dict:
        pumps = [threading.Thread(target=self._pump, args=(self.upstream, self.client, TO_CLIENT)),
                 threading.Thread(target=self._pump, args=(self.client, self.upstream, TO_SERVER))]
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        return self.report()

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str) -> None:
        log, splitter, seen = self.logs[direction], RecordSplitter(), 0
        garbling = self.target.direction == direction
        encrypted = False          # after this side's ChangeCipherSpec (TLS 1.2)
        try:
            while True:
                data = source.recv(RECV_SIZE)
                if not data:
                    log.closed_by = "eof"
                    break
                log.bytes += len(data)
                for record in splitter.feed(data):
                    summary = record.summary()
                    if record.type == CONTENT_TYPES["handshake"] and not encrypted:
                        summary["messages"] = handshake_messages(record)
                    encrypted = encrypted or record.type == CONTENT_TYPES["change_cipher_spec"]
                    log.records.append(summary)
                    alert = plaintext_alert(record)
                    if alert:
                        log.alerts.append(alert)
                    outcome = MUTATIONS["none"](record)
                    if garbling and log.garbled is None and self._is_target(record):
                        seen += 1
                        if seen == self.target.index and self.target.mutation != "none":
                            outcome = MUTATIONS[self.target.mutation](record)
                            log.garbled = {**summary, "record": len(log.records),
                                           "mutation": self.target.mutation,
                                           "sent_bytes": len(outcome.data)}
                    sink.sendall(outcome.data)
                    if outcome.close_after:
                        log.closed_by = "proxy"
                        return
        except OSError as exc:
            # Once the other direction has ended, its close is what broke this one.
            log.closed_by = "proxy" if self._ended.is_set() else f"error: {exc.strerror or exc}"
        finally:
            log.tail = len(splitter.pending)
            self._end()

    def _is_target(self, record) -> bool:
        return self.target.content_type is None or record.type == self.target.content_type

    def _end(self) -> None:
        """The first side to end ends both: a half-open proxy would hide the close."""
        if not self._ended.is_set():
            self._ended.set()
            _close_quietly(self.client)
            _close_quietly(self.upstream)

    def report(self) -> dict:
        return {direction: vars(log) for direction, log in self.logs.items()}


class GarbleProxy:
    def __init__(self, listener: socket.socket, upstream: tuple[str, int], target: Target,
                 connect_timeout_s: float = 10.0):
        self.listener, self.upstream, self.target = listener, upstream, target
        self.connect_timeout_s = connect_timeout_s
        self.connections: list[dict] = []

    def serve(self, count: int) -> list[dict]:
        """Proxies `count` client connections one after the other; returns their reports."""
        for _ in range(count):
            client, peer = self.listener.accept()
            try:
                upstream = socket.create_connection(self.upstream, timeout=self.connect_timeout_s)
            except OSError as exc:
                _close_quietly(client)
                self.connections.append({"peer": f"{peer[0]}:{peer[1]}",
                                         "error": f"upstream {self.upstream[0]}:{self.upstream[1]}: "
                                                  f"{exc.strerror or exc}"})
                continue
            upstream.settimeout(None)
            connection = GarbledConnection(client, upstream, self.target)
            # Listed before it runs: its logs are live, so a report written when the proxy
            # is stopped mid-connection shows what it saw so far.
            self.connections.append({"peer": f"{peer[0]}:{peer[1]}", **connection.report()})
            connection.run()
        return self.connections
