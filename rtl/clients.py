"""Register-level clients of the accelerators, driving an RtlBusDevice like firmware would.

Accesses go back to back (one per cycle), every offset and field comes from the
register map. Used by the tests, the cycle report and the `rtl sim` runner, so the
bus driver the co-simulation uses is the one they prove.
"""

import struct

from .busdev import RtlBusDevice
from .regmaps import AES_KEYLEN_CODES, GCM_OPS

WORD = 4


class BusClient:
    def __init__(self, dev: RtlBusDevice):
        self.dev = dev
        self.regmap = dev.regmap

    @property
    def cycle(self) -> int:
        """The cycle of the next access: right after the previous one."""
        return self.dev.cycle

    def write(self, name: str, value: int, index: int = 0) -> None:
        self.dev.write(self.cycle, self.regmap.offset(name, index), WORD, value)

    def read(self, name: str, index: int = 0) -> int:
        return self.dev.read(self.cycle, self.regmap.offset(name, index), WORD)

    def fields(self, name: str, **values: int) -> int:
        """A register value with the named fields set."""
        reg, word = self.regmap[name], 0
        for field_name, value in values.items():
            word = reg.field(field_name.upper()).insert(word, value)
        return word

    def field(self, name: str, field_name: str, word: int) -> int:
        return self.regmap[name].field(field_name).extract(word)

    def write_bytes(self, name: str, data: bytes) -> None:
        """Bytes in order into a byte-image register array (little-endian words)."""
        for i in range(0, len(data), WORD):
            self.write(name, int.from_bytes(data[i:i + WORD], "little"), i // WORD)

    def read_bytes(self, name: str, count: int) -> bytes:
        return b"".join(self.read(name, i).to_bytes(WORD, "little") for i in range(count // WORD))

    def start(self, **fields: int) -> int:
        """Write CTRL with START and `fields`; returns the cycle of that write."""
        cycle = self.cycle
        self.write("CTRL", self.fields("CTRL", start=1, **fields))
        return cycle

    def poll_done(self, limit: int = 10_000) -> int:
        """Read STATUS every cycle until DONE; returns the cycle of the read that saw it."""
        return self.poll("DONE", limit)

    def poll(self, flag: str, limit: int = 10_000) -> int:
        """Read STATUS every cycle until `flag` is 1; returns the cycle of the read that saw it."""
        for _ in range(limit):
            cycle = self.cycle
            if self.field("STATUS", flag, self.read("STATUS")):
                return cycle
        raise TimeoutError(f"{self.regmap.name}: {flag} not set within {limit} polls")

    def wait_idle(self, limit: int = 10_000) -> int:
        """Let the device run while busy (e.g. wiping after reset or CLEAR)."""
        self.dev.advance_while_busy(self.cycle + limit)
        if self.field("STATUS", "BUSY", self.read("STATUS")):
            raise TimeoutError(f"{self.regmap.name}: still busy after {limit} cycles")
        return self.cycle

    def clear(self) -> int:
        """Write CTRL.CLEAR (zeroize); returns the cycle of that write."""
        cycle = self.cycle
        self.write("CTRL", self.fields("CTRL", clear=1))
        return cycle

    def wait_done(self, limit: int = 10_000) -> int:
        """Let the device run while busy (no polling traffic), then check STATUS.DONE."""
        self.dev.advance_while_busy(self.cycle + limit)
        status = self.read("STATUS")
        if not self.field("STATUS", "DONE", status) or self.field("STATUS", "BUSY", status):
            raise TimeoutError(f"{self.regmap.name}: not done within {limit} cycles "
                               f"(STATUS {status:#x})")
        return self.cycle


class AesClient(BusClient):
    def __init__(self, dev: RtlBusDevice):
        super().__init__(dev)
        self.keylen = AES_KEYLEN_CODES[128]
        self.loaded_key: bytes | None = None

    def set_key(self, key: bytes) -> None:
        """Load `key` unless it is the one loaded last (as driver code keeping track of
        the loaded context would): rewriting it would only cost a new key expansion."""
        if len(key) * 8 not in AES_KEYLEN_CODES:
            raise ValueError(f"AES key of {len(key)} bytes")
        if key != self.loaded_key:
            self.write_bytes("KEY", key)
            self.loaded_key = key
        self.keylen = AES_KEYLEN_CODES[len(key) * 8]

    def start_block(self, block: bytes, decrypt: bool) -> int:
        self.write_bytes("DIN", block)
        return self.start(decrypt=int(decrypt), keylen=self.keylen)

    def crypt_block(self, block: bytes, decrypt: bool = False) -> bytes:
        self.start_block(block, decrypt)
        self.wait_done()
        return self.read_bytes("DOUT", len(block))

    def ecb(self, key: bytes, data: bytes, decrypt: bool = False) -> bytes:
        self.set_key(key)
        return b"".join(self.crypt_block(data[i:i + 16], decrypt) for i in range(0, len(data), 16))

    def stream(self, key: bytes, data: bytes, decrypt: bool = False) -> tuple[bytes, list[int]]:
        """ECB over `data` with two blocks in flight, as streaming firmware does it: one
        running, the next queued (AUTOSTART on DIN's last word). Block i + 2 is written
        only after result i was read, since its START releases DOUT. Returns the output
        and the cycle at which each result was found ready."""
        self.set_key(key)
        blocks = [data[i:i + 16] for i in range(0, len(data), 16)]
        self.write("CTRL", self.fields("CTRL", autostart=1, decrypt=int(decrypt), keylen=self.keylen))
        for block in blocks[:2]:
            self.poll("INPUT_READY")
            self.write_bytes("DIN", block)
        out, ready = [], []
        for i in range(len(blocks)):
            ready.append(self.poll("OUTPUT_VALID"))
            out.append(self.read_bytes("DOUT", 16))
            if i + 2 < len(blocks):
                self.poll("INPUT_READY")
                self.write_bytes("DIN", blocks[i + 2])
            else:                            # no START to come: release DOUT explicitly
                self.write("STATUS", self.fields("STATUS", output_valid=1))
        self.write("CTRL", self.fields("CTRL", decrypt=int(decrypt), keylen=self.keylen))
        return b"".join(out), ready


def sha256_padding(length: int) -> bytes:
    """FIPS 180-4 5.1.1 padding for a message of `length` bytes (done by software)."""
    return b"\x80" + b"\0" * ((55 - length) % 64) + struct.pack(">Q", 8 * length)


class Sha256Client(BusClient):
    def start_block(self, block: bytes, init: bool, sha224: bool = False) -> int:
        self.write_bytes("BLOCK", block)
        return self.start(init=int(init), sha224=int(sha224))

    def compress(self, block: bytes, init: bool = False, sha224: bool = False) -> None:
        self.start_block(block, init, sha224)
        self.wait_done()

    def state(self) -> list[int]:
        return [self.read("DIGEST", i) for i in range(self.regmap["DIGEST"].count)]

    def load_state(self, words: list[int]) -> None:
        for i, word in enumerate(words):
            self.write("DIGEST", word, i)

    def stream_blocks(self, blocks: list[bytes], init: bool, sha224: bool = False) -> list[int]:
        """Compress `blocks` with the next one written while the current one runs
        (AUTOSTART on BLOCK's last word); returns the cycle each block was written at."""
        written = []
        for i, block in enumerate(blocks):
            self.poll("INPUT_READY")
            if i < 2:                    # INIT for the first block only
                self.write("CTRL", self.fields("CTRL", autostart=1, init=int(init and i == 0),
                                               sha224=int(sha224)))
            written.append(self.cycle)
            self.write_bytes("BLOCK", block)
        self.wait_idle()
        self.write("CTRL", 0)
        return written

    def hash_streaming(self, message: bytes, sha224: bool = False) -> bytes:
        padded = message + sha256_padding(len(message))
        self.stream_blocks([padded[i:i + 64] for i in range(0, len(padded), 64)], True, sha224)
        return self.digest(sha224)

    def digest(self, sha224: bool = False) -> bytes:
        words = self.state()[:7 if sha224 else 8]
        return b"".join(w.to_bytes(WORD, "big") for w in words)

    def hash(self, message: bytes, sha224: bool = False) -> bytes:
        padded = message + sha256_padding(len(message))
        for i in range(0, len(padded), 64):
            self.compress(padded[i:i + 64], init=(i == 0), sha224=sha224)
        return self.digest(sha224)


class GcmClient(BusClient):
    """AES-GCM with 96-bit IVs, one block per operation (run to DONE before the next)."""

    def __init__(self, dev: RtlBusDevice):
        super().__init__(dev)
        self.slot = 0
        self.keylen = [AES_KEYLEN_CODES[128]] * 2
        self.loaded = [None, None]

    def set_key(self, slot: int, key: bytes) -> None:
        if len(key) * 8 not in AES_KEYLEN_CODES:
            raise ValueError(f"AES key of {len(key)} bytes")
        if key != self.loaded[slot]:
            self.write_bytes(f"KEY{slot}", key)
            self.loaded[slot] = key
        self.keylen[slot] = AES_KEYLEN_CODES[len(key) * 8]
        self.slot = slot

    def run(self, op: str, data: bytes = b"") -> None:
        """One operation on the selected slot, with `data` (up to 16 bytes) in DIN."""
        if data:
            self.write_bytes("DIN", data + bytes(-len(data) % WORD))
        self.start(op=GCM_OPS[op], slot=self.slot, keylen=self.keylen[self.slot],
                   bytes=len(data) % 16)
        self.wait_done()

    def begin(self, iv: bytes, aad: bytes = b"") -> None:
        if len(iv) != 12:
            raise ValueError(f"the GCM core takes 96-bit IVs, not {8 * len(iv)} bits")
        self.write_bytes("IV", iv)
        self.run("INIT")
        for i in range(0, len(aad), 16):
            self.run("AAD", aad[i:i + 16])

    def crypt(self, data: bytes, decrypt: bool = False) -> bytes:
        out = []
        for i in range(0, len(data), 16):
            chunk = data[i:i + 16]
            self.run("DECRYPT" if decrypt else "ENCRYPT", chunk)
            out.append(self.read_bytes("DOUT", 16)[:len(chunk)])
        return b"".join(out)

    def crypt_streaming(self, data: bytes, decrypt: bool = False) -> bytes:
        """Whole blocks with two in flight (AUTOSTART on DIN[3]), as `AesClient.stream`."""
        if len(data) % 16:
            raise ValueError("streaming takes whole blocks; the last partial one goes by `crypt`")
        op = "DECRYPT" if decrypt else "ENCRYPT"
        self.write("CTRL", self.fields("CTRL", autostart=1, op=GCM_OPS[op], slot=self.slot,
                                       keylen=self.keylen[self.slot]))
        blocks = [data[i:i + 16] for i in range(0, len(data), 16)]
        for block in blocks[:2]:
            self.poll("INPUT_READY")
            self.write_bytes("DIN", block)
        out = []
        for i in range(len(blocks)):
            self.poll("OUTPUT_VALID")
            out.append(self.read_bytes("DOUT", 16))
            if i + 2 < len(blocks):
                self.poll("INPUT_READY")
                self.write_bytes("DIN", blocks[i + 2])
            else:                            # no START to come: release DOUT explicitly
                self.write("STATUS", self.fields("STATUS", output_valid=1))
        self.wait_idle()
        self.write("CTRL", 0)
        return b"".join(out)

    def tag(self) -> bytes:
        self.run("TAG")
        return self.read_bytes("DOUT", 16)

    def encrypt(self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes = b"",
                slot: int = 0) -> tuple[bytes, bytes]:
        """(ciphertext, 16-byte tag)."""
        self.set_key(slot, key)
        self.begin(iv, aad)
        return self.crypt(plaintext), self.tag()

    def decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes = b"",
                slot: int = 0) -> tuple[bytes, bytes]:
        """(plaintext, 16-byte tag): the caller compares the tag it was given."""
        self.set_key(slot, key)
        self.begin(iv, aad)
        return self.crypt(ciphertext, decrypt=True), self.tag()
