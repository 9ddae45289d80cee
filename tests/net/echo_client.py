"""A TCP and UDP echo client for the host side of the link (run inside the namespace):
sends N pseudo-random bytes (seeded) over TCP while reading the echo, and checks by SHA-256
that every byte came back in order; then one UDP datagram. Exit status 0 when all match."""

import hashlib
import random
import socket
import sys
import threading
import time

host = sys.argv[1]
size = int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
data = random.Random(seed).randbytes(size)
sock = socket.create_connection((host, 7), timeout=30)
received = bytearray()


def read():
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        received.extend(chunk)


reader = threading.Thread(target=read)
reader.start()
start = time.monotonic()
sock.sendall(data)
sock.shutdown(socket.SHUT_WR)
reader.join()
elapsed = time.monotonic() - start
same = hashlib.sha256(received).digest() == hashlib.sha256(data).digest()
print(f"tcp: sent {size} received {len(received)} sha256 {'match' if same else 'MISMATCH'} in {elapsed:.3f} s")
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(5)
datagram = random.Random(seed + 1).randbytes(512)
udp.sendto(datagram, (host, 7))
echoed, _ = udp.recvfrom(2048)
print(f"udp: {'match' if echoed == datagram else 'MISMATCH'}")
sys.exit(0 if same and echoed == datagram else 1)
