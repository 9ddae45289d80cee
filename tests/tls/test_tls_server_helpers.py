"""Shared by the tls_server and DTLS tests (no tests here): the firmware built once, a PKI
in a folder the board reads through semihosting, a board run on the TAP link with host
clients run one after another in its namespace, and the oracles' own clients (Python's
ssl, `openssl s_client`, `openssl s_server`)."""

from __future__ import annotations

import hashlib
import os
import shlex
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field

import pytest

import tlscosim
from tlscosim.fw.build import build_firmware
from tlscosim.tls.certs import make_pki
from tlscosim.tls.events import EventLog, parse_events

BOARD_IP = "192.0.2.2"
HOST_IP = "192.0.2.1"
PORT = 4433
HOST = "tlscosim.test"

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the TAP link needs root")


# Fixtures of both test files (imported there by name): the apps built once per session,
# one PKI per module.
@pytest.fixture(scope="session")
def server_elf():
    return build_app("tls_server")


@pytest.fixture(scope="session")
def client_elf():
    return build_app("tls_client")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return pki_folder(tmp_path_factory)


def body_bytes(n: int) -> bytes:
    """The server's response body (docs/tls-firmware.md): byte i is 'a' + i % 26."""
    return bytes(ord("a") + i % 26 for i in range(n))


def build_app(name: str):
    return build_firmware([name]).elfs[name]


def pki_folder(tmp_path_factory):
    """A PKI whose files the board opens by bare name (the folder is the semihosting root)."""
    folder = tmp_path_factory.mktemp("pki")
    return folder, make_pki(folder, host=HOST)


@dataclass
class BoardRun:
    log: EventLog
    result: object                      # the RunResult
    uart: str
    clients: list = field(default_factory=list)   # what each client step returned


def run_board(elf, root, fw_args: list[str], clients, *, ready=r'"ev":"listening"', wait_exit=True,
              timeout_s: float = 600, pcap=None) -> BoardRun:
    """Runs `elf` with `fw_args` on the TAP link; once the UART matches `ready`, calls each
    client step in turn with the session (a step is a callable taking the session), then
    waits for the firmware to exit (when wait_exit)."""
    outs = []
    with tlscosim.start(elf, net="tap", args=fw_args, semihosting_root=root, timeout_s=timeout_s,
                        pcap=pcap) as sim:
        sim.uart.expect(ready, timeout_s=180)
        for step in clients:
            outs.append(step(sim))
        if wait_exit:
            deadline = time.monotonic() + 120
            while sim.running and time.monotonic() < deadline:
                time.sleep(0.2)
        result = sim.stop()
        uart = sim.uart.text
    return BoardRun(parse_events(uart), result, uart, outs)


def in_namespace(sim, command: str, timeout_s: float = 240, stdin: str | None = None):
    """Runs a shell command in the run's namespace; its CompletedProcess."""
    return subprocess.run(sim.namespace.command(command), env=sim.namespace.environment(), input=stdin,
                          capture_output=True, text=True, timeout=timeout_s)


def s_client(root, *options: str, request: str = "GET / HTTP/1.0\r\n\r\n", dtls: bool = False,
             connect: str = f"{BOARD_IP}:{PORT}"):
    """A client step: `openssl s_client` against the board, verifying its certificate
    against the PKI's CA for HOST, sending `request`, reading until the server closes."""
    cmd = (["openssl", "s_client", "-connect", connect, "-CAfile", str(root / "ca.crt"),
            "-verify_hostname", HOST, "-verify_return_error", "-servername", HOST, "-ign_eof"]
           + (["-dtls1_2", "-mtu", "1400"] if dtls else []) + list(options))
    return lambda sim: in_namespace(sim, shlex.join(cmd), stdin=request)


def python_https_get(root, *, tls: str = "1.3", path: str = "/", cert=None, timeout_s: float = 240):
    """A client step: Python's ssl as the client, inside the namespace. Returns a dict with
    the version, cipher, HTTP status line and body (or the exception)."""
    def step(sim):
        def fetch():
            context = ssl.create_default_context(cafile=str(root / "ca.crt"))
            version = ssl.TLSVersion.TLSv1_3 if tls == "1.3" else ssl.TLSVersion.TLSv1_2
            context.minimum_version = context.maximum_version = version
            if cert:
                context.load_cert_chain(*cert)
            try:
                with socket.create_connection((BOARD_IP, PORT), timeout=timeout_s) as raw:
                    with context.wrap_socket(raw, server_hostname=HOST) as s:
                        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
                        data = b""
                        while chunk := s.recv(65536):
                            data += chunk
                        head, _, body = data.partition(b"\r\n\r\n")
                        return {"version": s.version(), "cipher": s.cipher()[0], "head": head.decode(),
                                "body": body}
            except (OSError, ssl.SSLError) as exc:
                return {"error": exc}
        return sim.namespace.run_inside(fetch)
    return step


def raw_tcp(payload: bytes, timeout_s: float = 120):
    """A client step: a TCP connection that sends `payload` (not TLS) and waits for the
    server to end the connection; returns what came back."""
    def step(sim):
        def talk():
            with socket.create_connection((BOARD_IP, PORT), timeout=timeout_s) as s:
                s.sendall(payload)
                data = b""
                try:
                    while chunk := s.recv(4096):
                        data += chunk
                except ConnectionResetError:
                    pass
                return data
        return sim.namespace.run_inside(talk)
    return step


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def server_args(*extra: str, connections: int = 1, body: int = 1024) -> list[str]:
    return ["--cert", "server.crt", "--key", "server.key", "--connections", str(connections),
            "--body-bytes", str(body), *extra]


class UdpRelay:
    """A UDP relay in the run's namespace between the board and a peer on the namespace's
    loopback, dropping chosen datagrams of the board's: the lost flight a DTLS
    retransmission timer must recover from. `listen` is where the board sends (HOST_IP or,
    for a board server, a port the host client targets), `target` the other side."""

    def __init__(self, sim, listen: tuple[str, int], target: tuple[str, int], drop_from_board=(),
                 board_is_server: bool = False):
        import threading
        self.drop = set(drop_from_board)
        self.board_sent = 0          # datagrams the board sent (dropped ones included)
        self.dropped = 0
        self.target = target
        self.board_is_server = board_is_server
        self.sock = sim.namespace.run_inside(lambda: self._bind(listen))
        self.out = sim.namespace.run_inside(lambda: self._bind(("0.0.0.0", 0)))
        self.peer = None             # the address on the far side of `listen`
        self._stop = False
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    @staticmethod
    def _bind(addr):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(addr)
        s.settimeout(0.2)
        return s

    def _from_board(self, data: bytes, send) -> None:
        index = self.board_sent
        self.board_sent += 1
        if index in self.drop:
            self.dropped += 1
        else:
            send(data)

    def _pump(self) -> None:
        import select
        while not self._stop:
            ready, _, _ = select.select([self.sock, self.out], [], [], 0.2)
            for s in ready:
                data, addr = s.recvfrom(65536)
                if s is self.sock:
                    self.peer = addr
                    if self.board_is_server:
                        self.out.sendto(data, self.target)
                    else:
                        self._from_board(data, lambda d: self.out.sendto(d, self.target))
                elif self.peer is not None:
                    if self.board_is_server:
                        self._from_board(data, lambda d: self.sock.sendto(d, self.peer))
                    else:
                        self.sock.sendto(data, self.peer)

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()
        self.out.close()


class OpensslDtlsServer:
    """`openssl s_server -dtls1_2` in the run's namespace that answers the board's HTTP
    request (seen on its stdout) with a response written to its stdin: s_server has no
    HTTP mode for DTLS."""

    def __init__(self, sim, root, port: int, response: bytes, *extra: str):
        import threading
        cmd = ["openssl", "s_server", "-dtls1_2", "-accept", str(port), "-cert", str(root / "server.crt"),
               "-key", str(root / "server.key"), "-naccept", "1", *extra]
        self.proc = subprocess.Popen(sim.namespace.command(shlex.join(cmd)), env=sim.namespace.environment(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = b""
        self.response = response
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        answered = False
        for line in iter(self.proc.stdout.readline, b""):
            self.output += line
            if not answered and line.startswith(b"GET "):
                self.proc.stdin.write(self.response)
                self.proc.stdin.flush()
                answered = True

    def close(self) -> str:
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.thread.join(5)
        return self.output.decode(errors="replace")
