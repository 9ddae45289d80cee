"""What the garbling proxy does to the one record it targets.

Each mutation returns the bytes to send in place of the record and whether the proxy must
then end the connection (a truncated record is only truncated if nothing follows it)."""

from __future__ import annotations

from dataclasses import dataclass

from .records import Record

# A content type no TLS version assigns (RFC 8446 B.1 and the IANA registry stop at 24-26).
BOGUS_CONTENT_TYPE = 99


@dataclass(frozen=True)
class Outcome:
    data: bytes
    close_after: bool = False


def truncate(record: Record) -> Outcome:
    """The header as it was (claiming the whole body), half the body, then the connection
    ends: the receiver meets the end of the stream inside a record."""
    return Outcome(record.header + record.body[:len(record.body) // 2], close_after=True)


def shorten(record: Record) -> Outcome:
    """Half the body under a header that agrees: a well-framed record whose content is cut."""
    return Outcome(Record(record.type, record.version, record.body[:len(record.body) // 2]).raw())


def flip(record: Record) -> Outcome:
    """One byte in the middle of the body inverted: the MAC (or the message) no longer holds."""
    body = bytearray(record.body)
    if body:
        body[len(body) // 2] ^= 0xFF
    return Outcome(Record(record.type, record.version, bytes(body)).raw())


def retype(record: Record) -> Outcome:
    """The same bytes under a content type that does not exist."""
    return Outcome(Record(BOGUS_CONTENT_TYPE, record.version, record.body).raw())


def passthrough(record: Record) -> Outcome:
    return Outcome(record.raw())


MUTATIONS = {"truncate": truncate, "shorten": shorten, "flip": flip, "retype": retype,
             "none": passthrough}
