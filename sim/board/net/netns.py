"""A network namespace made for one run, holding the TAP interface the board is on.

Host side 192.0.2.1/24 on the TAP, the board 192.0.2.2 (RFC 5737 documentation
addresses). The namespace has the loopback and the TAP only, no route and no other
interface: nothing sent in it can leave the machine. Its name carries the process id, so
parallel runs never collide, and namespaces left by a process that died are removed by
the next run.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import shutil
import subprocess
import threading

from tlscosim.errors import UserError

HOST_IP = "192.0.2.1"
BOARD_IP = "192.0.2.2"
PREFIX_LEN = 24
TAP_NAME = "tap0"
NAME_PREFIX = "tlscosim-"
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
_counter = itertools.count()
_NAME = re.compile(rf"^{NAME_PREFIX}(\d+)-\d+$")


def _ip(*args: str) -> None:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"`ip {' '.join(args)}` failed: {proc.stderr.strip() or proc.returncode} "
                        "(the TAP link needs root and the iproute2 tools)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale() -> list[str]:
    """Deletes the namespaces of tlscosim processes that no longer exist."""
    removed = []
    names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
    for name in names:
        m = _NAME.match(name)
        if m and not _alive(int(m.group(1))):
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
            removed.append(name)
    return removed


class Namespace:
    def __init__(self):
        if os.geteuid() != 0:
            raise UserError("the TAP link needs root (it creates a network namespace and a TAP interface)")
        if shutil.which("ip") is None:
            raise UserError("the TAP link needs the `ip` command (Debian package iproute2)")
        remove_stale()
        self.name = f"{NAME_PREFIX}{os.getpid()}-{next(_counter)}"
        self.tap = TAP_NAME
        _ip("netns", "add", self.name)
        self._open = True
        try:
            self._exec_ip("link", "set", "lo", "up")
            self._exec_ip("tuntap", "add", "dev", self.tap, "mode", "tap")
            self._exec_ip("addr", "add", f"{HOST_IP}/{PREFIX_LEN}", "dev", self.tap)
            self._exec_ip("link", "set", self.tap, "up")
        except BaseException:
            self.delete()
            raise

    def _exec_ip(self, *args: str) -> None:
        _ip("netns", "exec", self.name, "ip", *args)

    def command(self, shell_command: str) -> list[str]:
        """argv running `shell_command` inside the namespace."""
        return ["ip", "netns", "exec", self.name, "sh", "-c", shell_command]

    def environment(self) -> dict[str, str]:
        return {**os.environ, "TLSCOSIM_NETNS": self.name, "TLSCOSIM_BOARD_IP": BOARD_IP,
                "TLSCOSIM_HOST_IP": HOST_IP, "TLSCOSIM_TAP": self.tap}

    def run_inside(self, function):
        """Calls function() on a thread that has entered the namespace (a namespace is
        per thread), e.g. to open its TAP device; returns the result."""
        outcome: dict = {}

        def body():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
                try:
                    if libc.setns(fd, CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise UserError(f"cannot enter network namespace {self.name}: {os.strerror(err)}")
                finally:
                    os.close(fd)
                outcome["value"] = function()
            except BaseException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=body, name=f"enter {self.name}")
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def delete(self) -> None:
        if self._open:
            self._open = False
            subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)

    def __enter__(self) -> "Namespace":
        return self

    def __exit__(self, *exc) -> None:
        self.delete()
