"""The host side of semihosting file I/O: a handle table over files confined to one
directory (the run's semihosting root), the console handles (":tt") and QEMU's
":semihosting-features" file. Errors are host errno values, as QEMU returns them."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

CONSOLE = ":tt"
FEATURES = ":semihosting-features"
# "SHFB" magic, then one feature byte: SYS_EXIT_EXTENDED (bit 0), stdout and stderr (bit 1).
FEATURE_BYTES = b"SHFB\x03"

# SYS_OPEN modes 0-11 are fopen's r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b.
_OPEN_FLAGS = (os.O_RDONLY, os.O_RDWR, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
               os.O_RDWR | os.O_CREAT | os.O_TRUNC, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
               os.O_RDWR | os.O_CREAT | os.O_APPEND)
FILE_MODE = 0o644


class HostError(Exception):
    """A failed operation: `errno` is what SYS_ERRNO then reports."""

    def __init__(self, err: int):
        super().__init__(os.strerror(err))
        self.errno = err


@dataclass
class _Handle:
    kind: str                  # "file", "stdin", "stdout", "stderr", "features"
    fd: int | None = None      # host file descriptor of a file
    position: int = 0          # read position in the features file
    data: bytes = field(default=b"", repr=False)


class HostFiles:
    """Handles as QEMU numbers them: the lowest free one, from 1."""

    def __init__(self, root: Path, cwd: Path | None = None, stdin: bytes = b""):
        self.root = Path(os.path.realpath(root))
        self.cwd = Path(os.path.realpath(cwd if cwd is not None else root))
        if not self._inside(self.cwd):
            raise ValueError(f"the semihosting working directory {cwd} is outside the root {root}")
        self._handles: dict[int, _Handle] = {}
        self._stdin = bytearray(stdin)

    # -- paths -------------------------------------------------------------------------------

    def _inside(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents

    def host_path(self, name: bytes) -> Path:
        """The host path of a guest file name; EACCES when it resolves outside the root."""
        if not name or b"\0" in name:
            raise HostError(errno.ENOENT)
        path = Path(os.path.realpath(self.cwd / os.fsdecode(name)))
        if not self._inside(path):
            raise HostError(errno.EACCES)
        return path

    # -- handles -----------------------------------------------------------------------------

    def _add(self, handle: _Handle) -> int:
        number = 1
        while number in self._handles:
            number += 1
        self._handles[number] = handle
        return number

    def _get(self, number: int) -> _Handle:
        try:
            return self._handles[number]
        except KeyError:
            raise HostError(errno.EBADF) from None

    def open(self, name: bytes, mode: int) -> int:
        if not 0 <= mode <= 11:
            raise HostError(errno.EINVAL)
        if name == CONSOLE.encode():
            return self._add(_Handle("stdin" if mode < 4 else "stdout" if mode < 8 else "stderr"))
        if name == FEATURES.encode():
            if mode > 1:
                raise HostError(errno.EACCES)
            return self._add(_Handle("features", data=FEATURE_BYTES))
        path = self.host_path(name)
        try:
            fd = os.open(path, _OPEN_FLAGS[mode // 2], FILE_MODE)
        except OSError as exc:
            raise HostError(exc.errno) from None
        return self._add(_Handle("file", fd))

    def close(self, number: int) -> None:
        handle = self._get(number)
        del self._handles[number]
        if handle.fd is not None:
            os.close(handle.fd)

    def close_all(self) -> None:
        for number in list(self._handles):
            self.close(number)

    def console_stream(self, number: int) -> str | None:
        """"stdout"/"stderr" for a console output handle, None for anything else."""
        kind = self._get(number).kind
        return kind if kind in ("stdout", "stderr") else None

    def write(self, number: int, data: bytes) -> int:
        handle = self._get(number)
        if handle.kind != "file":
            raise HostError(errno.EBADF)
        try:
            return os.write(handle.fd, data)
        except OSError as exc:
            raise HostError(exc.errno) from None

    def read(self, number: int, length: int) -> bytes:
        handle = self._get(number)
        if handle.kind == "stdin":
            return self.read_console(length)
        if handle.kind == "features":
            data = handle.data[handle.position:handle.position + length]
            handle.position += len(data)
            return data
        if handle.kind != "file":
            raise HostError(errno.EBADF)
        try:
            return os.read(handle.fd, length)
        except OSError as exc:
            raise HostError(exc.errno) from None

    def read_console(self, length: int) -> bytes:
        data = bytes(self._stdin[:length])
        del self._stdin[:length]
        return data

    def is_tty(self, number: int) -> bool:
        return self._get(number).kind in ("stdin", "stdout", "stderr")

    def seek(self, number: int, position: int) -> None:
        handle = self._get(number)
        if handle.kind == "features":
            handle.position = position
            return
        if handle.kind != "file":
            raise HostError(errno.ESPIPE)
        try:
            os.lseek(handle.fd, position, os.SEEK_SET)
        except OSError as exc:
            raise HostError(exc.errno) from None

    def length(self, number: int) -> int:
        handle = self._get(number)
        if handle.kind == "features":
            return len(handle.data)
        if handle.kind != "file":
            raise HostError(errno.EBADF)
        return os.fstat(handle.fd).st_size

    def remove(self, name: bytes) -> None:
        try:
            os.remove(self.host_path(name))
        except OSError as exc:
            raise HostError(exc.errno) from None

    def rename(self, old: bytes, new: bytes) -> None:
        try:
            os.rename(self.host_path(old), self.host_path(new))
        except OSError as exc:
            raise HostError(exc.errno) from None
