"""The firmware's event lines: `@tls {json}` on UART0, one per event (docs/tls.md has the
keys). Other lines (Mbed TLS debug output, plain prints) are kept as text.

    log = parse_events(uart_text)
    log.first("handshake", conn=1)["cycles"]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

PREFIX = "@tls "

# Keys every event of a kind must carry (more may be present: the contract only adds keys).
REQUIRED_KEYS = {
    "boot": ("app", "mbedtls", "accel"),
    "config": ("role", "transport", "tls"),
    "listening": ("port",),
    "connected": ("conn", "cycles"),
    "accepted": ("conn",),
    "step": ("conn", "state", "cycles", "wait_cycles"),
    "handshake": ("conn", "ok", "cycles"),
    "verify": ("conn", "flags", "text"),
    "http": ("conn", "status", "body_bytes", "body_sha256"),
    "close": ("conn", "close_notify"),
    "error": ("where", "code", "text"),
    "done": ("ok", "connections"),
}


class EventError(ValueError):
    """A malformed event line; the message names the line."""


@dataclass
class EventLog:
    events: list[dict] = field(default_factory=list)
    other_lines: list[str] = field(default_factory=list)

    def of(self, kind: str, **match) -> list[dict]:
        return [e for e in self.events if e["ev"] == kind
                and all(e.get(k) == v for k, v in match.items())]

    def first(self, kind: str, **match) -> dict | None:
        found = self.of(kind, **match)
        return found[0] if found else None

    def errors(self) -> list[dict]:
        return self.of("error")

    def connections(self) -> list[int]:
        """Connection numbers in the order they first appear."""
        seen = []
        for e in self.events:
            if "conn" in e and e["conn"] not in seen:
                seen.append(e["conn"])
        return seen


def parse_event_line(line: str, lineno: int = 0) -> dict | None:
    """The event of one line, or None when the line is not an event line."""
    text = line.rstrip("\r\n")
    if not text.startswith(PREFIX):
        return None
    where = f"line {lineno}" if lineno else "event line"
    body = text[len(PREFIX):]
    try:
        event = json.loads(body)
    except json.JSONDecodeError as exc:
        raise EventError(f"{where}: not JSON after '@tls ' ({exc.msg} at column "
                         f"{exc.colno + len(PREFIX)}): {_clip(text)}") from None
    if not isinstance(event, dict):
        raise EventError(f"{where}: the JSON after '@tls ' is not an object: {_clip(text)}")
    kind = event.get("ev")
    if not isinstance(kind, str):
        raise EventError(f"{where}: the event has no \"ev\" name: {_clip(text)}")
    missing = [k for k in REQUIRED_KEYS.get(kind, ()) if k not in event]
    if missing:
        raise EventError(f"{where}: {kind} event without {', '.join(missing)}: {_clip(text)}")
    return event


def parse_events(text: str) -> EventLog:
    """All event lines of a UART transcript, in order. A malformed one raises EventError
    naming its line number (1-based, in `text`)."""
    log = EventLog()
    for lineno, line in enumerate(text.splitlines(), start=1):
        event = parse_event_line(line, lineno)
        if event is None:
            if line.strip():
                log.other_lines.append(line)
        else:
            log.events.append(event)
    return log


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
