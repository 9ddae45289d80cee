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
                            suites.append(msg.cipher)
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
