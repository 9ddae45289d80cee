"""A board running in a thread with its host links, for tests and scripts:
`tlscosim.start(elf, net="wire")` (see tlscosim/api.py) returns one of these."""

from __future__ import annotations

import re
import threading

from .links import NetSetup


class UartTimeout(AssertionError):
    """The UART did not print what was expected in time."""


class UartMonitor:
    """What the firmware printed on UART0, with waiting for a line (Renode's "wait for
    line on UART")."""

    def __init__(self, host, done, device=None):
        self._host = host
        self._done = done
        self._device = device           # the UART model, for input
        self._lock = threading.Lock()
        self._text = bytearray()
        self._mark = 0

    def feed(self, data: bytes) -> None:
        with self._lock:
            self._text += data

    def send(self, data: bytes) -> None:
        """Bytes typed on the console: the UART receives them at the run loop's next poll."""
        if self._device is None:
            raise RuntimeError("the board has no uart0 to send to")
        data = bytes(data)
        self._host.post(lambda _cycle: self._device.feed(data))

    @property
    def text(self) -> str:
        return self._text.decode(errors="replace")

    def expect(self, pattern: str, timeout_s: float = 10.0) -> re.Match:
        """The first match of `pattern` after the previous match; raises UartTimeout."""
        regex = re.compile(pattern)
        found: list[re.Match] = []

        def ready() -> bool:
            with self._lock:
                text = self._text.decode(errors="replace")
            m = regex.search(text, self._mark)
            if m:
                found.append(m)
                self._mark = m.end()
                return True
            return self._done()

        self._host.wait_for(ready, timeout_s)
        if found:
            return found[0]
        raise UartTimeout(f"UART0 did not print a match of {pattern!r} within {timeout_s} s"
                          + (" (the run has ended)" if self._done() else "") + f"; it printed: {self.text[-500:]!r}")


class Session:
    def __init__(self, sim, *, net: str | None = None, pcap=None, paced: bool = True):
        self.sim = sim
        self.host = sim.board.host
        self.clock_hz = sim.board.desc.clock_hz
        self.result = None
        self._error: BaseException | None = None
        self._finished = threading.Event()
        self.uart = UartMonitor(self.host, self._finished.is_set, sim.board.devices.get("uart0"))
        self.net = NetSetup(sim, net, pcap=pcap, paced=paced, done=self._finished.is_set)
        self.wire = self.net.wire
        self._thread = threading.Thread(target=self._run, name="tlscosim-board", daemon=True)

    @property
    def namespace(self):
        """The TAP link's network namespace (net="tap"): run host programs in it."""
        return self.net.namespace

    def start(self) -> "Session":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = self.sim.run()
        except BaseException as exc:    # handed to the caller at stop()
            self._error = exc
        finally:
            self._finished.set()
            self.host.notify()

    # -- the test's side -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._finished.is_set()

    @property
    def cycle(self) -> int:
        return self.host.cycle

    @property
    def simulated_s(self) -> float:
        return self.host.cycle / self.clock_hz

    def run_for(self, cycles: int, timeout_s: float = 120.0) -> int:
        """Waits until the board has run `cycles` more cycles; returns the cycle reached."""
        target = self.host.cycle + int(cycles)
        if not self.host.wait_for(lambda: self.host.cycle >= target or not self.running, timeout_s):
            raise TimeoutError(f"the board did not run {cycles} cycles within {timeout_s} s of wall time")
        return self.host.cycle

    def mac_counters(self) -> dict[str, int]:
        return self.net.counters()

    def stop(self, timeout_s: float = 30.0):
        """Ends the run (if it is still going) and returns its RunResult."""
        if self.running:
            self.host.request_stop("stopped", "stopped by the host")
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise TimeoutError(f"the board did not stop within {timeout_s} s")
        self.net.close()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self.result

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.net.close()
