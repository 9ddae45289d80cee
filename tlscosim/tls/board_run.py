"""One `tlscosim handshake` configuration: the board (in this process, tls_client with
--resume 1) against tlscosim.tls.https_server in the run's TAP namespace, with the
profiler, the accelerators' options and an optional pcap. Collects what both ends saw;
judging it is checks.py's job."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .events import EventError, EventLog, parse_event_line

PORT = 4433
HOST = "tlscosim.test"
SERVER_READY_S = 30.0
# Events at which the simulator's accelerator BLOCKS counters are sampled, to compare
# the firmware's per-phase deltas with the hardware's own count.
SAMPLE_AT = ("connected", "handshake", "http")


@dataclass
class Configuration:
    tls: str
    accel: str                  # "on" | "off"
    rtl: str = "amaranth"
    rtl_fault: str | None = None
    verify_offload: bool = False
    suite: str | None = None
    group: str = "secp256r1"
    tls_debug: int = 0
    board: str = "mps2-an386"
    body_bytes: int = 1024
    timeout_s: float = 900.0
    profile: bool = True
    resume: bool = True          # a second connection resuming the first one's session

    @property
    def label(self) -> str:
        return f"TLS {self.tls} accel {self.accel}"

    def firmware_args(self) -> list[str]:
        args = ["--ca", "ca.crt", "--host", HOST, "--port", str(PORT), "--tls", self.tls,
                "--group", self.group, "--accel", self.accel, "--resume", "1" if self.resume else "0",
                "--path", "/"]
        if self.suite:
            args += ["--suite", self.suite]
        if self.tls_debug:
            args += ["--debug", str(self.tls_debug)]
        return args


@dataclass
class BoardRun:
    config: Configuration
    events: EventLog
    uart_text: str
    result: object                       # sim RunResult (None if the run raised)
    offload: dict                        # accelerator_run summary
    first_mismatch: str | None
    samples: dict = field(default_factory=dict)   # (event, conn) -> {device: blocks}
    profile: object = None               # ProfileReport
    server_report: dict | None = None
    server_output: str = ""
    wall_s: float = 0.0
    event_error: str | None = None
    error: str | None = None             # the run could not be made at all


class _EventSink:
    """UART0 bytes -> lines -> events; called in the simulation thread, so sampling the
    accelerators here sees their counters at the instant the firmware printed."""

    def __init__(self, progress):
        self.buffer = bytearray()
        self.text = bytearray()
        self.log = EventLog()
        self.samples: dict = {}
        self.error: str | None = None
        self.devices: list = []
        self.lineno = 0
        self._progress = progress

    def __call__(self, stream: str, data: bytes) -> None:
        if stream != "uart0":
            return
        self.text += data
        self.buffer += data
        while b"\n" in self.buffer:
            line, _, rest = self.buffer.partition(b"\n")
            self.buffer = bytearray(rest)
            self._line(line.decode(errors="replace"))

    def _line(self, line: str) -> None:
        self.lineno += 1
        try:
            event = parse_event_line(line, self.lineno)
        except EventError as exc:
            self.error = self.error or str(exc)
            return
        if event is None:
            if line.strip():
                self.log.other_lines.append(line)
            return
        self.log.events.append(event)
        if event["ev"] in SAMPLE_AT:
            self.samples[(event["ev"], event.get("conn"))] = {d.name: d.blocks() or 0 for d in self.devices}
        self._progress(event)


def server_command(python: str, config: Configuration, folder: Path, report: Path) -> str:
    cmd = [python, "-m", "tlscosim.tls.https_server", "--cert", str(folder / "server.crt"),
           "--key", str(folder / "server.key"), "--port", str(PORT), "--tls", config.tls,
           "--group", config.group, "--body-bytes", str(config.body_bytes), "--connections", "2" if config.resume else "1",
           "--report", str(report)]
    return "exec " + shlex.join(cmd)


def _start_server(namespace, command: str) -> subprocess.Popen:
    proc = subprocess.Popen(namespace.command(command), env=namespace.environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    ready = threading.Event()
    lines: list[str] = []

    def read():
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("listening on"):
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc.output_lines = lines           # read after the run
    proc.reader = reader
    if not ready.wait(SERVER_READY_S) or proc.poll() is not None:
        proc.kill()
        raise RuntimeError("the HTTPS server did not start: " + "".join(lines)[-1000:])
    return proc


def run_board(elf: Path, config: Configuration, folder: Path, *, pcap: Path | None = None,
              progress=lambda text: None) -> BoardRun:
    """Runs one configuration; `folder` holds the PKI (the semihosting root)."""
    from tlscosim.sim.board import semihosting
    from tlscosim.sim.board.net.session import Session
    from tlscosim.sim.board.peripherals import accelerator_run
    from tlscosim.sim.frontends.profiler import Profiler
    from tlscosim.sim.frontends.runner import load_simulation

    def on_event(event: dict) -> None:
        kind = event["ev"]
        if kind == "handshake":
            progress(f"{config.label}: handshake {event.get('conn')} "
                     f"{'ok' if event.get('ok') else 'FAILED'}, {event.get('cycles', 0):,} cycles")
        elif kind in ("http", "error", "done", "connected"):
            progress(f"{config.label}: {kind}" + (f" {event.get('conn')}" if "conn" in event else "")
                     + (f": {event.get('text')}" if kind == "error" else ""))

    sink = _EventSink(on_event)
    last = {"t": 0.0}

    def sim_progress(status: dict) -> None:
        if status["wall_s"] - last["t"] >= 5.0:
            last["t"] = status["wall_s"]
            progress(f"{config.label}: {status['simulated_s'] * 1e3:.0f} ms simulated, "
                     f"{status['cycles']:,} cycles, {status['wall_s']:.0f} s wall")

    started = time.perf_counter()
    report_path = folder / f"server-{config.tls}-{config.accel}.json"
    report_path.unlink(missing_ok=True)
    sim = load_simulation(elf, config.board, uart_sink=sink, timeout_s=config.timeout_s, progress=sim_progress)
    semihosting.attach(sim, root=folder, args=[Path(elf).name, *config.firmware_args()])
    offload = accelerator_run.attach(sim, config.rtl, config.rtl_fault, config.verify_offload)
    sink.devices = offload.accelerators
    profiler = Profiler.attach(sim) if config.profile else None
    session = Session(sim, net="tap", pcap=pcap)
    server = None
    result = error = None
    try:
        server = _start_server(session.namespace, server_command(sys.executable, config, folder, report_path))
        session.start()
        while session.running:
            time.sleep(0.1)
        result = session.stop()
    except Exception as exc:            # reported as the run's failure, never a traceback
        error = f"{type(exc).__name__}: {exc}"
        try:
            session.stop()
        except Exception:
            pass
    finally:
        session.net.close()
        if server is not None:
            if server.poll() is None:
                try:
                    server.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    server.terminate()
                    server.wait(timeout=5)
            server.reader.join(2)
    wall = time.perf_counter() - started
    server_report = None
    if report_path.exists():
        try:
            server_report = json.loads(report_path.read_text())
        except ValueError:
            server_report = None
    verifier = offload.verifier
    first = verifier.mismatches[0].format() if verifier is not None and verifier.mismatches else None
    report = profiler.report() if profiler is not None else None
    run = BoardRun(config=config, events=sink.log, uart_text=sink.text.decode(errors="replace"), result=result,
                   offload=offload.summary(), first_mismatch=first, samples=sink.samples, profile=report,
                   server_report=server_report,
                   server_output="".join(server.output_lines) if server is not None else "",
                   wall_s=wall, event_error=sink.error, error=error)
    if profiler is not None:
        profiler.detach()
    offload.close()
    return run
