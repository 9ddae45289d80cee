"""What a run's Ethernet controller is connected to: the link (`wire` or `tap`), the pcap
recorder and the host commands. Used by `tlscosim run --net` and by tlscosim.start()."""

from __future__ import annotations

from tlscosim.errors import UserError

from . import NETS
from .hostcmd import HostCommand, exit_status
from .pcap import PcapRecorder
from .wire import WireLink


class NetSetup:
    def __init__(self, sim, net: str | None, *, pcap=None, paced: bool = True,
                 peers: tuple[str, ...] = (), host_cmd: str | None = None, done=lambda: False):
        if net is not None and net not in NETS:
            raise UserError(f"net must be one of {', '.join(NETS)}, not {net!r}")
        if (peers or host_cmd) and net != "tap":
            raise UserError("--peer and --host-cmd run in the TAP link's network namespace: they need --net tap")
        self.host = sim.board.host
        ports = list(self.host.ports.values())
        if (net is not None or pcap is not None) and not ports:
            raise UserError(f"board {sim.board.desc.name} has no Ethernet controller to connect")
        self.port = ports[0] if ports else None
        self.device = sim.board.devices.get(self.port.name) if self.port else None
        self.hz = sim.board.desc.clock_hz
        self.wire = self.tap = self.pcap = None
        self.peers: list[HostCommand] = []
        self.host_cmd: HostCommand | None = None
        self._host_cmd_text = host_cmd
        try:
            if pcap is not None:
                self.pcap = PcapRecorder(pcap, self.hz)
                self.port.observe(self.pcap)
            if net == "wire":
                self.wire = WireLink(self.port, self.host, self.hz, done)
            elif net == "tap":
                from .tap import TapLink
                self.tap = TapLink(self.port)
                self.peers = [HostCommand(self.tap.namespace, cmd, "peer") for cmd in peers]
                if host_cmd:
                    self.port.on_ready(self._start_host_cmd)
            if net is not None:
                self.host.link_opened(paced=paced)
        except BaseException:
            self.close()
            raise

    @property
    def namespace(self):
        return self.tap.namespace if self.tap else None

    def _start_host_cmd(self) -> None:
        # Runs in the simulation thread when the board's MAC starts receiving.
        if self.host_cmd is not None:
            return
        self.host_cmd = HostCommand(self.tap.namespace, self._host_cmd_text, "host command")

        def exited(returncode: int) -> None:
            status = exit_status(returncode)
            self.host.request_stop("host-exit", f"the host command exited with status {status}", exit_code=status)

        self.host_cmd.watch(exited)

    def counters(self) -> dict[str, int]:
        return dict(self.device.counters) if self.device is not None else {}

    def close(self) -> None:
        for command in ([self.host_cmd] if self.host_cmd else []) + self.peers:
            command.stop()
        self.peers, self.host_cmd = [], None
        if self.tap is not None:
            self.tap.close()
            self.tap = None
        if self.pcap is not None:
            self.pcap.close()
            self.pcap = None
