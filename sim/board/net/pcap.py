"""Every frame of a port, both ways, into a pcap file time-stamped in simulated time
(nanosecond pcap, Ethernet link type), readable by tshark, Wireshark and scapy."""

from __future__ import annotations

from pathlib import Path

from scapy.utils import RawPcapWriter

from tlscosim.errors import UserError

LINKTYPE_ETHERNET = 1


class PcapRecorder:
    def __init__(self, path: str | Path, clock_hz: int):
        self._hz = clock_hz
        try:
            self._writer = RawPcapWriter(str(path), linktype=LINKTYPE_ETHERNET, nano=True, sync=True)
            self._writer._write_header(None)     # a capture with no frame is still a valid file
        except OSError as exc:
            raise UserError(f"cannot write the pcap file {path}: {exc.strerror}") from None
        self.frames = 0

    def __call__(self, direction: str, cycle: int, frame: bytes) -> None:
        seconds, rest = divmod(cycle, self._hz)
        self._writer.write_packet(frame, sec=seconds, usec=rest * 1_000_000_000 // self._hz)
        self.frames += 1

    def close(self) -> None:
        self._writer.close()
