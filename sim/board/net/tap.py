"""The `tap` link: the board's MAC on a TAP interface in a namespace made for the run
(sim/board/net/netns.py), so that the host's kernel (ping, TCP, TLS peers) talks to it."""

from __future__ import annotations

import fcntl
import os
import queue
import select
import struct
import threading

from tlscosim.errors import UserError

from .netns import Namespace

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
READ_SIZE = 65536
SELECT_S = 0.1


class TapLink:
    paced = True          # the kernel's timers run on wall time: the board must not run ahead

    def __init__(self, port):
        self._port = port
        self.namespace = Namespace()
        try:
            self._fd = self.namespace.run_inside(self._open_tap)
        except BaseException:
            self.namespace.delete()
            raise
        self.frames_in = self.frames_out = 0
        self._closing = threading.Event()
        port.attach(self)
        self._reader = threading.Thread(target=self._read_loop, name=f"tap {self.namespace.name}", daemon=True)
        self._reader.start()
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name=f"tap out {self.namespace.name}", daemon=True)
        self._writer.start()

    def _open_tap(self) -> int:
        fd = os.open("/dev/net/tun", os.O_RDWR)
        try:
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", self.namespace.tap.encode(), IFF_TAP | IFF_NO_PI))
        except OSError as exc:
            os.close(fd)
            raise UserError(f"cannot attach to TAP {self.namespace.tap} in {self.namespace.name}: {exc.strerror}") from None
        return fd

    # -- the board side (simulation thread) -------------------------------------------

    def to_host(self, frame: bytes, cycle: int) -> None:
        # Handed to a writer thread: a write into the kernel runs its network stack (and
        # wakes its readers) before returning, which the board need not wait for.
        self._outbox.put(frame)

    def _write_loop(self) -> None:
        while (frame := self._outbox.get()) is not None:
            try:
                os.write(self._fd, frame)
                self.frames_out += 1
            except OSError:
                pass       # the interface is going away: the frame is lost, as on a cable pulled out

    # -- the kernel side ---------------------------------------------------------------------

    def _read_loop(self) -> None:
        while not self._closing.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], SELECT_S)
                if ready:
                    frame = os.read(self._fd, READ_SIZE)
                    self.frames_in += 1
                    self._port.deliver(frame)
            except OSError:
                return

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._outbox.put(None)
        self._writer.join(1.0)
        self._reader.join(1.0)
        try:
            os.close(self._fd)
        except OSError:
            pass
        self.namespace.delete()
