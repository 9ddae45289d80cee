"""Host commands run in the TAP link's namespace: `--peer` servers, started before the
board boots and stopped when the run ends, and the `--host-cmd` client, started once the
board's MAC receives and whose exit ends the run with its status."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

STOP_GRACE_S = 3.0


class HostCommand:
    def __init__(self, namespace, command: str, role: str):
        self.command = command
        self.role = role
        self.proc = subprocess.Popen(namespace.command(command), env=namespace.environment(),
                                     start_new_session=True)     # its own group: stopped as one

    def watch(self, on_exit) -> None:
        """Calls on_exit(status) from a thread when the command ends."""
        def wait():
            on_exit(self.proc.wait())
        threading.Thread(target=wait, name=f"{self.role} {self.command}", daemon=True).start()

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass


def exit_status(returncode: int) -> int:
    """A shell-style status: 128 + N for a command killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode
