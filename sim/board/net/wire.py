"""The `wire` link: the board's MAC connected to Python, no kernel in between. Tests put
frames on the wire (`send`) and wait for the board's (`expect`, `sniff`), the
equivalents of Renode's "wait for outgoing packet"."""

from __future__ import annotations

import threading
import time

from scapy.layers.l2 import Ether
from scapy.packet import Packet

from tlscosim.errors import UserError


class WireTimeout(AssertionError):
    """No frame matched within the timeout (an AssertionError: tests fail, not error)."""


def frame_predicate(match):
    """A scapy layer class (frames holding that layer), or a callable on the scapy frame."""
    if isinstance(match, type) and issubclass(match, Packet):
        return (lambda pkt: match in pkt), match.__name__
    if callable(match):
        return match, getattr(match, "__name__", repr(match))
    raise UserError(f"a frame match must be a scapy layer class or a callable taking the frame, not {match!r}")


class WireLink:
    paced = True

    def __init__(self, port, host, clock_hz: int, done=lambda: False):
        self._port = port
        self._host = host
        self._hz = clock_hz
        self._done = done
        self._lock = threading.Lock()
        self._frames: list[tuple[int, bytes]] = []      # (cycle, frame) the board sent
        self._mark = 0                                  # where the next expect looks first
        port.attach(self)

    # -- the board side (simulation thread) --------------------------------------------

    def to_host(self, frame: bytes, cycle: int) -> None:
        with self._lock:
            self._frames.append((cycle, frame))

    # -- the test side -----------------------------------------------------------------------

    @property
    def sent_by_board(self) -> int:
        return len(self._frames)

    def send(self, frame) -> None:
        """Puts a frame (scapy packet or bytes) on the wire towards the board; `expect`
        then looks at the board's frames from this point on."""
        with self._lock:
            self._mark = len(self._frames)
        self._port.deliver(bytes(frame))

    def send_many(self, frames) -> None:
        for frame in frames:
            self._port.deliver(bytes(frame))

    def expect(self, match, timeout_s: float = 5.0, simulated: bool = False) -> Ether:
        """The first frame from the board, since the last send (or the last match), that
        `match` accepts; `timeout_s` counts wall seconds, or simulated ones."""
        accept, what = frame_predicate(match)
        found: list[Ether] = []
        scan = [self._mark]
        deadline_cycle = self._host.cycle + int(timeout_s * self._hz) if simulated else None

        def ready() -> bool:
            with self._lock:
                frames = self._frames[scan[0]:]
            for offset, (_cycle, frame) in enumerate(frames):
                pkt = Ether(frame)
                if accept(pkt):
                    found.append(pkt)
                    self._mark = scan[0] + offset + 1
                    return True
            scan[0] += len(frames)
            return self._done() or (deadline_cycle is not None and self._host.cycle >= deadline_cycle)

        self._host.wait_for(ready, timeout_s if not simulated else max(60.0, 20 * timeout_s))
        if found:
            return found[0]
        clock = "simulated" if simulated else "wall"
        with self._lock:
            others = [Ether(f).summary() for _c, f in self._frames[self._mark:]]
        shown = "; last: " + " | ".join(others[-3:]) if others else ""
        raise WireTimeout(f"no frame matching {what} from the board within {timeout_s} s of {clock} time "
                          f"({len(others)} other frames{shown})" + (" (the run has ended)" if self._done() else ""))

    def sniff(self, timeout_s: float = 1.0, count: int | None = None, match=None,
              simulated: bool = False) -> list[Ether]:
        """The board's frames (those `match` accepts) during the next `timeout_s`, or until
        `count` of them arrived."""
        accept = frame_predicate(match)[0] if match is not None else (lambda pkt: True)
        start = len(self._frames)
        deadline_cycle = self._host.cycle + int(timeout_s * self._hz) if simulated else None
        picked: list[Ether] = []
        scan = [start]

        def ready() -> bool:
            with self._lock:
                frames = self._frames[scan[0]:]
            scan[0] += len(frames)
            picked.extend(p for p in (Ether(f) for _c, f in frames) if accept(p))
            if count is not None and len(picked) >= count:
                return True
            return self._done() or (deadline_cycle is not None and self._host.cycle >= deadline_cycle)

        began = time.monotonic()
        self._host.wait_for(ready, timeout_s if not simulated else max(60.0, 20 * timeout_s))
        if not simulated and count is None:
            time.sleep(max(0.0, timeout_s - (time.monotonic() - began)))
            ready()
        return picked[:count] if count is not None else picked

    def close(self) -> None:
        pass
