"""Host I/O as a board service: the ports through which devices reach the host.

Host threads (a TAP reader, a Python test) never touch a device: they post actions into
an inbox, and the run loop carries them out at its stops (`poll`) and while the CPU
sleeps (`wait`). So every device change happens in the simulation thread, at a known
simulated cycle.

Time (docs/network.md): once a paced link is open, simulated time never runs ahead of wall
time while the CPU sleeps: a sleep to cycle C waits until the wall clock reaches C's time
(or host input arrives first, which wakes the board at the cycle matching its arrival).
A busy CPU is not slowed down; if it fell behind, the next sleep catches up at once.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

LINK_BITS_PER_S = 100_000_000        # the LAN9118's PHY: 100BASE-TX
ETH_MIN_FRAME = 60                    # shorter frames are padded on the wire
ETH_WIRE_OVERHEAD = 4 + 8 + 12        # FCS, preamble + start delimiter, inter-frame gap
POLLS_PER_SIMULATED_SECOND = 1000     # a busy CPU still sees host input within 1 ms
IDLE_WAIT_S = 0.05                    # longest wall wait before the loop looks at its limits


@dataclass(frozen=True)
class StopRequest:
    """A host-side reason to end the run (a host command exited, a test stopped it)."""
    reason: str
    message: str
    exit_code: int | None = None


class EthernetPort:
    """One MAC's connection to the host. The device calls `transmit` and is called back
    with received frames; a link (wire, TAP) attaches to the other side; observers (pcap,
    sniffers) see every frame both ways with its simulated cycle."""

    def __init__(self, host: "HostIO", name: str, receive: Callable[[bytes], None]):
        self.host = host
        self.name = name
        self._receive = receive
        self.link = None
        self.receiving = False          # the device accepts frames (the driver enabled RX)
        self._observers: list[Callable[[str, int, bytes], None]] = []
        self._on_ready: list[Callable[[], None]] = []
        self._wire_free_at = 0          # the cycle the incoming wire is free again

    # -- device side (simulation thread) ----------------------------------------------

    def transmit(self, frame: bytes, cycle: int) -> None:
        for observer in self._observers:
            observer("out", cycle, frame)
        if self.link is not None:
            self.link.to_host(frame, cycle)

    def set_receiving(self, on: bool) -> None:
        was, self.receiving = self.receiving, on
        if on and not was:
            for callback in self._on_ready:
                callback()

    # -- host side (any thread) ------------------------------------------------------------

    def attach(self, link) -> None:
        self.link = link

    def observe(self, observer: Callable[[str, int, bytes], None]) -> None:
        self._observers.append(observer)

    def on_ready(self, callback: Callable[[], None]) -> None:
        """`callback` runs (in the simulation thread) when the device starts receiving."""
        self._on_ready.append(callback)
        if self.receiving:
            callback()

    def deliver(self, frame: bytes) -> None:
        """A frame from the host. It is taken in at the run loop's next poll and reaches
        the device when its last bit would have arrived on a 100 Mbit/s link, after the
        frames queued before it: a burst from the host arrives spaced as on a real cable."""
        frame = bytes(frame)
        self.host.post(lambda cycle: self._on_wire(frame, cycle))

    def _on_wire(self, frame: bytes, cycle: int) -> None:
        start = max(cycle, self._wire_free_at)
        bits = (max(len(frame), ETH_MIN_FRAME) + ETH_WIRE_OVERHEAD) * 8
        self._wire_free_at = start + -(-bits * self.host.clock_hz // LINK_BITS_PER_S)
        self.host.scheduler.at(self._wire_free_at, lambda c: self._received(frame, c), f"{self.name} frame in")

    def _received(self, frame: bytes, cycle: int) -> None:
        for observer in self._observers:
            observer("in", cycle, frame)
        self._receive(frame)


class HostIO:
    def __init__(self, clock, scheduler):
        self._clock = clock
        self._scheduler = scheduler
        self._cond = threading.Condition()
        self._inbox: deque[Callable[[int], None]] = deque()
        self._stop: StopRequest | None = None
        self._ports: dict[str, EthernetPort] = {}
        self._links = 0
        self._watchers = 0      # host threads in wait_for
        self._anchor: tuple[float, int] | None = None     # (wall, cycle) when pacing began
        self._ticker = None
        self.cycle = 0          # simulated cycle at the latest poll (read by host threads)

    @property
    def clock_hz(self) -> int:
        return self._clock.hz

    @property
    def scheduler(self):
        return self._scheduler

    # -- devices ------------------------------------------------------------------------

    def ethernet_port(self, name: str, receive: Callable[[bytes], None]) -> EthernetPort:
        port = EthernetPort(self, name, receive)
        self._ports[name] = port
        return port

    @property
    def ports(self) -> dict[str, EthernetPort]:
        return dict(self._ports)

    # -- links ----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._links > 0

    @property
    def paced(self) -> bool:
        return self._anchor is not None

    def link_opened(self, paced: bool) -> None:
        """Called before the run starts, once per link."""
        self._links += 1
        if paced and self._anchor is None:
            self._anchor = (time.perf_counter(), self._clock.now())
        if self._ticker is None:
            self._schedule_tick(self._clock.now())

    def _schedule_tick(self, now: int) -> None:
        # A recurring event makes the run loop stop (and poll) while the CPU is busy.
        interval = max(1, self._clock.hz // POLLS_PER_SIMULATED_SECOND)
        self._ticker = self._scheduler.at(now + interval, self._schedule_tick, "host I/O poll")

    # -- host threads -------------------------------------------------------------------------

    def post(self, action: Callable[[int], None]) -> None:
        """Runs action(cycle) in the simulation thread at its next poll."""
        with self._cond:
            self._inbox.append(action)
            self._cond.notify_all()

    def request_stop(self, reason: str, message: str, exit_code: int | None = None) -> None:
        with self._cond:
            if self._stop is None:
                self._stop = StopRequest(reason, message, exit_code)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float | None) -> bool:
        """Blocks a host thread until predicate() (checked at each poll) or the timeout."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._cond:
            self._watchers += 1
            try:
                while not predicate():
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(min(remaining, IDLE_WAIT_S) if remaining is not None else IDLE_WAIT_S)
                return True
            finally:
                self._watchers -= 1

    def notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # -- the run loop (simulation thread) ---------------------------------------------------

    def poll(self, now: int) -> StopRequest | None:
        """Carries out what host threads posted; returns a stop request if there is one."""
        if not self._links and not self._watchers and not self._inbox and self._stop is None:
            self.cycle = now        # nobody on the host side: no lock, nothing to notify
            return None
        while True:
            with self._cond:
                self.cycle = now
                if not self._inbox:
                    self._cond.notify_all()
                    return self._stop
                action = self._inbox.popleft()
            action(now)

    def wait(self, now: int, target: int | None) -> int:
        """The CPU sleeps from `now` until `target` (None: nothing scheduled). Returns the
        cycle it may sleep to: `target`, or earlier when host input arrives first."""
        hz = self._clock.hz
        start = time.perf_counter()
        if target is None:
            deadline = start + IDLE_WAIT_S
        elif self._anchor is not None:
            wall0, cycle0 = self._anchor
            deadline = wall0 + (target - cycle0) / hz
        else:
            deadline = start     # not paced: only look for input already there
        with self._cond:
            while not self._inbox and self._stop is None:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            woken = bool(self._inbox) or self._stop is not None
        if not woken and target is not None:
            return target
        # Woken by the host, or nothing scheduled: wake at the cycle of this wall instant.
        if self._anchor is not None:
            wall0, cycle0 = self._anchor
            reached = cycle0 + int((time.perf_counter() - wall0) * hz)
        else:
            reached = now + (0 if woken else int((time.perf_counter() - start) * hz))
        reached = max(now, reached)
        return reached if target is None else min(target, reached)
