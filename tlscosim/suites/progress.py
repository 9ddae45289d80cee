"""Progress of a long suite on stderr: the test cases are counted from the UART lines as
the firmware prints them (the outcome itself is still parsed from the whole UART text at
the end), and a line like `gcm.aes128_en [offloaded]: 120/352 cases, 2 failed, 3m10s` is
printed at most every PROGRESS_EVERY_S of wall time, never for a shorter run."""

from __future__ import annotations

import sys
import time
from typing import Callable

from .outcome import case_result

PROGRESS_EVERY_S = 30.0


def elapsed_text(seconds: float) -> str:
    """45s, 3m10s, 1h02m03s."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class ProgressLine:
    """Prints `<label>: done/total cases, N failed, elapsed` when update() is called and
    the last line (or the start) is at least `every_s` old."""

    def __init__(self, label: str, total: int, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.label, self.total, self.clock = label, total, clock
        self.every_s = PROGRESS_EVERY_S if every_s is None else every_s
        self.started = clock()
        self._next_at = self.started + self.every_s

    def update(self, done: int, failed: int) -> None:
        now = self.clock()
        if now < self._next_at:
            return
        self._next_at = now + self.every_s
        # sys.stderr looked up now: a test's capture may have replaced it since __init__.
        print(f"{self.label}: {done}/{self.total} cases, {failed} failed, {elapsed_text(now - self.started)}",
              file=sys.stderr, flush=True)


class CaseCounter:
    """A Simulation's uart_sink and heartbeat (RunOptions.progress) that counts finished
    test cases on uart0 and calls report(done, failed) after each one and at each
    heartbeat (so a single long test case still gets its progress lines)."""

    def __init__(self, report: Callable[[int, int], None]):
        self.report = report
        self.done = self.failed = 0
        self._line = bytearray()

    def on_uart(self, name: str, data: bytes) -> None:
        if name != "uart0":
            return
        for byte in data:           # the UART model hands over one byte at a time
            if byte != 0x0A:
                self._line.append(byte)
                continue
            result = case_result(self._line.decode(errors="replace").rstrip("\r"))
            self._line.clear()
            if result is not None:
                self.done += 1
                self.failed += result == "FAILED"
                self.report(self.done, self.failed)

    def on_heartbeat(self, _info: dict) -> None:
        self.report(self.done, self.failed)
