"""Malicious and broken TLS peers for negative tests of the board's TLS stack.

- garble_proxy: a TCP proxy between the board and a real server that truncates, shortens,
  flips bytes in or retypes one TLS record of the stream.
- broken_servers: a server that stalls (accepts and never answers) and one that vanishes
  mid-handshake (reads the ClientHello, then resets or closes the connection).
- client_hellos: malformed ClientHellos crafted with scapy, sent to a TLS server.

Each writes a JSON report of what it saw (records, the peer's alerts parsed with scapy's
TLS layer); `python -m tlscosim.tls.hostile ...` runs them as commands (--peer).
"""
