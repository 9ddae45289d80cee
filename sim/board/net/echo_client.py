"""TCP echo client for the host end of the TAP link (run inside the namespace by
`tlscosim bench-net`): sends N pseudo-random bytes while reading the echo back, checks
them by SHA-256 and prints one JSON line with the byte count, the match and the wall time."""

import hashlib
import json
import random
import socket
import sys
import threading
import time


def main() -> int:
    host, size = sys.argv[1], int(sys.argv[2])
    data = random.Random(size).randbytes(size)
    sock = socket.create_connection((host, 7), timeout=60)
    received = bytearray()

    def read():
        while chunk := sock.recv(65536):
            received.extend(chunk)

    reader = threading.Thread(target=read)
    start = time.monotonic()
    reader.start()
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    reader.join()
    wall = time.monotonic() - start
    same = hashlib.sha256(received).digest() == hashlib.sha256(data).digest()
    print(json.dumps({"bytes": size, "received": len(received), "match": same, "wall_s": wall}))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
