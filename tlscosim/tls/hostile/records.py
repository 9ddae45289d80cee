"""TLS records on a byte stream: framing, and the alerts in them (parsed with scapy).

The record header is 5 bytes (RFC 8446 5.1): content type, legacy version, 16-bit length.
The proxy only needs this framing to find record boundaries; what an alert means comes
from scapy's TLS layer, so the names are the registry's, not ours."""

from __future__ import annotations

from dataclasses import dataclass

# Imported up front: scapy's TLS layer takes about a second to load, which a peer must not
# spend in the middle of a connection (the run may stop it right after the victim's alert).
from scapy.layers.tls.record import TLS, TLSAlert

HEADER_LEN = 5
CONTENT_TYPES = {"change_cipher_spec": 20, "alert": 21, "handshake": 22, "application_data": 23,
                 "heartbeat": 24}
TYPE_NAMES = {v: k for k, v in CONTENT_TYPES.items()}


@dataclass
class Record:
    type: int
    version: int
    body: bytes

    @property
    def header(self) -> bytes:
        return bytes([self.type]) + self.version.to_bytes(2, "big") + len(self.body).to_bytes(2, "big")

    def raw(self) -> bytes:
        return self.header + self.body

    def summary(self) -> dict:
        return {"type": TYPE_NAMES.get(self.type, self.type), "length": len(self.body)}


class RecordSplitter:
    """Feeds on stream bytes, yields whole records; keeps an incomplete tail."""

    def __init__(self):
        self._buffer = b""

    def feed(self, data: bytes) -> list[Record]:
        self._buffer += data
        records = []
        while len(self._buffer) >= HEADER_LEN:
            length = int.from_bytes(self._buffer[3:5], "big")
            if len(self._buffer) < HEADER_LEN + length:
                break
            records.append(Record(self._buffer[0], int.from_bytes(self._buffer[1:3], "big"),
                                  self._buffer[HEADER_LEN:HEADER_LEN + length]))
            self._buffer = self._buffer[HEADER_LEN + length:]
        return records

    @property
    def pending(self) -> bytes:
        return self._buffer


def parse_content_type(text: str) -> int:
    """A content type by name (handshake, application_data, ...) or number."""
    if text in CONTENT_TYPES:
        return CONTENT_TYPES[text]
    try:
        value = int(text, 0)
    except ValueError:
        raise ValueError(f"unknown TLS content type {text!r}; use a number or one of "
                         f"{', '.join(CONTENT_TYPES)}") from None
    if not 0 <= value <= 255:
        raise ValueError(f"TLS content type {value} is not a byte (0-255)")
    return value


def plaintext_alert(record: Record) -> dict | None:
    """The alert a record carries in the clear, decoded by scapy, or None. An alert under
    encryption (TLS 1.3 after the ServerHello, 1.2 after ChangeCipherSpec) is not
    2 bytes long and cannot be read here."""
    if record.type != CONTENT_TYPES["alert"] or len(record.body) != 2:
        return None
    packet = TLS(record.raw())
    alert = packet.getlayer(TLSAlert)
    if alert is None:
        return None
    return {"level": alert.get_field("level").i2repr(alert, alert.level),
            "description": alert.get_field("descr").i2repr(alert, alert.descr),
            "code": alert.descr}


def handshake_messages(record: Record) -> list[str]:
    """The handshake messages in a plaintext handshake record, named by scapy
    ("ServerHello", "Certificate", ...). Only meaningful before the sender's
    ChangeCipherSpec: encrypted bytes would decode as nonsense."""
    if record.type != CONTENT_TYPES["handshake"]:
        return []
    try:
        messages = TLS(record.raw()).msg
    except Exception:            # scapy gives up on some garbage; the report says so
        return ["unparsable"]
    return [type(m).__name__.removeprefix("TLS") for m in messages]


def alerts_in(stream: bytes) -> list[dict]:
    """Every plaintext alert in a byte stream of records."""
    return [a for a in (plaintext_alert(r) for r in RecordSplitter().feed(stream)) if a]
