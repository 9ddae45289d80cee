"""The TLS records a pcap holds, read with scapy's TLS layer (an oracle independent of
both ends): per direction, the record types and handshake messages seen in clear."""

from __future__ import annotations

from pathlib import Path

RECORD_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}


def tls_records(path: str | Path, board_ip: str = "192.0.2.2") -> dict:
    from scapy.all import load_layer, rdpcap
    from scapy.layers.inet import IP, TCP
    load_layer("tls")
    from scapy.layers.tls.record import TLS
    from scapy.layers.tls.handshake import TLSServerHello
    from scapy.layers.tls.crypto.suites import _tls_cipher_suites

    packets = rdpcap(str(path))
    segments: dict[tuple, list] = {}
    for pkt in packets:
        if IP in pkt and TCP in pkt and bytes(pkt[TCP].payload):
            key = (pkt[IP].src, pkt[TCP].sport, pkt[IP].dst, pkt[TCP].dport)
            segments.setdefault(key, []).append((pkt[TCP].seq, bytes(pkt[TCP].payload)))
    streams = {key: _reassemble(parts) for key, parts in segments.items()}
    summary = {"frames": len(packets), "connections": []}
    for key, data in streams.items():
        src, sport, dst, dport = key
        direction = "board->host" if src == board_ip else "host->board"
        records, messages, suites = [], [], []
        offset = 0
        while offset + 5 <= len(data):
            length = int.from_bytes(data[offset + 3:offset + 5], "big")
            chunk = bytes(data[offset:offset + 5 + length])
            if len(chunk) < 5 + length:
                break
            rtype = chunk[0]
            records.append(RECORD_TYPES.get(rtype, str(rtype)))
            if rtype == 22:
                try:
                    rec = TLS(chunk)
                    for msg in getattr(rec, "msg", []):
                        messages.append(type(msg).__name__)
                        if isinstance(msg, TLSServerHello):
                            suites.append(_tls_cipher_suites.get(msg.cipher, f"{msg.cipher:#06x}"))
                except Exception:            # scapy cannot dissect it: count it as seen
                    messages.append("undissected")
            offset += 5 + length
        summary["connections"].append({"direction": direction, "src": f"{src}:{sport}", "dst": f"{dst}:{dport}",
                                       "bytes": len(data), "records": len(records),
                                       "record_types": {t: records.count(t) for t in dict.fromkeys(records)},
                                       "handshake_messages": messages, "server_hello_suites": suites,
                                       "trailing_bytes": len(data) - offset})
    return summary


def _reassemble(parts: list[tuple[int, bytes]]) -> bytes:
    """One direction's bytes in sequence order, retransmissions and overlaps dropped."""
    parts.sort(key=lambda p: p[0])
    data = bytearray()
    base = parts[0][0]
    for seq, payload in parts:
        have = base + len(data)
        if seq + len(payload) <= have:
            continue
        if seq > have:
            break                       # a gap: the capture missed a segment
        data += payload[have - seq:]
    return bytes(data)


def pcap_check(summary: dict, suite_iana: str | None) -> tuple[bool, str]:
    """The capture's view agrees with the run: two connections, handshake and application
    data records both ways, and every ServerHello naming the negotiated suite."""
    conns = summary["connections"]
    suites = [s for c in conns for s in c["server_hello_suites"]]
    both_ways = all(c["record_types"].get("handshake") and c["record_types"].get("application_data") for c in conns)
    ok = len(conns) == 4 and both_ways and len(suites) == 2 and all(s == suite_iana for s in suites)
    return ok, (f"{len(conns)} TCP directions, {sum(c['records'] for c in conns)} records, "
                f"ServerHello suites {suites}, negotiated {suite_iana}")
