"""`--verify-offload`: every accelerator operation recomputed from what the firmware
wrote to its registers, and compared with what the firmware then read back.

The verifier keeps a shadow of each accelerator's inputs (only the writes the RTL
accepts: `accepted`), computes the expected result of every START with a
reference implementation (AES: `cryptography`; SHA-256: the FIPS 180-4 compression
function below, tested against hashlib), and compares every output word the firmware
reads once the operation is done. A mismatch is reported with the operation's cycle,
PC and function, its operands, and the read that exposed it.

The SHA-256 compression needs a reference that can start from any chaining value (a
resumed context), which hashlib does not expose; `sha256_compress` is that reference,
and tests hold it to hashlib over padded messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt
from typing import Callable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tlscosim.rtl.regmaps import AES_KEYLEN_CODES, register_map

from .peripherals.accelerator_usage import WRITABLE_WHILE_BUSY

MASK32 = 0xFFFFFFFF
AES_KEY_BITS = {code: bits for bits, code in AES_KEYLEN_CODES.items()}
AES_RESERVED_KEY_BITS = 256      # KEYLEN 3 behaves as 256 (rtl/regmaps.py)


# -- SHA-256 reference (FIPS 180-4) ------------------------------------------------------

def _primes(count: int) -> list[int]:
    found, n = [], 2
    while len(found) < count:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
        n += 1
    return found


def _icbrt(n: int) -> int:
    x = int(round(n ** (1 / 3)))
    while x ** 3 > n:
        x -= 1
    while (x + 1) ** 3 <= n:
        x += 1
    return x


_PRIMES = _primes(64)
# First 32 bits of the fractional parts of the cube roots of the first 64 primes (K), of
# the square roots of the first 8 (SHA-256 IV), and the second 32 bits of those of the
# 9th to 16th (SHA-224 IV).
SHA256_K = [_icbrt(p << 96) & MASK32 for p in _PRIMES]
SHA256_IV = [isqrt(p << 64) & MASK32 for p in _PRIMES[:8]]
SHA224_IV = [isqrt(p << 128) & MASK32 for p in _PRIMES[8:16]]


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & MASK32


def sha256_compress(chain: list[int], block: bytes) -> list[int]:
    """One SHA-256 compression of a 64-byte block onto chaining value H0..H7."""
    w = [int.from_bytes(block[4 * i:4 * i + 4], "big") for i in range(16)]
    for t in range(16, 64):
        s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & MASK32)
    a, b, c, d, e, f, g, h = chain
    for t in range(64):
        t1 = (h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g))
              + SHA256_K[t] + w[t]) & MASK32
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & MASK32
        a, b, c, d, e, f, g, h = (t1 + t2) & MASK32, a, b, c, (d + t1) & MASK32, e, f, g
    return [(x + y) & MASK32 for x, y in zip(chain, (a, b, c, d, e, f, g, h))]


def aes_block(key: bytes, block: bytes, decrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(block) + op.finalize()


# -- what the verifier sees ----------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """One bus access to an accelerator, as the device performed it."""

    device: str
    register: str
    index: int
    write: bool
    value: int          # the 32-bit word lanes (shifted into place)
    mask: int           # the lanes accessed
    busy: bool          # the core was busy when the access was made
    cycle: int
    pc: int | None


@dataclass
class Operation:
    device: str
    kind: str                      # "aes-128 encrypt", "sha-256 block (init)", ...
    operands: dict[str, str]
    expected: list[int]            # the output words
    cycle: int
    pc: int | None
    checked: bool = False
    mismatched: bool = False
    done_seen: bool = False        # the firmware read STATUS.DONE after it started


@dataclass
class Mismatch:
    operation: Operation
    where: str                     # the operation's function
    register: str
    index: int
    expected: int
    got: int
    read_cycle: int
    read_where: str
    pc_of_read: int | None = None

    def format(self) -> str:
        op = self.operation
        operands = ", ".join(f"{k}={v}" for k, v in op.operands.items())
        return (f"{op.device}: {op.kind} started at cycle {op.cycle} by pc={_hex(op.pc)} ({self.where}) "
                f"with {operands}: {self.register}[{self.index}] read {self.got:#010x} at cycle "
                f"{self.read_cycle} ({self.read_where}), the reference gives {self.expected:#010x}")

    def to_dict(self) -> dict:
        op = self.operation
        return {"device": op.device, "operation": op.kind, "cycle": op.cycle, "pc": op.pc,
                "function": self.where, "operands": op.operands, "register": f"{self.register}[{self.index}]",
                "expected": self.expected, "got": self.got, "read_cycle": self.read_cycle,
                "read_function": self.read_where}


def _hex(value: int | None) -> str:
    return "?" if value is None else f"{value:#010x}"


class _Shadow:
    """The inputs of one accelerator as the RTL holds them, and its current operation."""

    OUTPUT = ""

    def __init__(self, device: str, regmap):
        self.device = device
        self.regmap = regmap
        self.values = {r.name: [0] * r.count for r in regmap}
        self.operation: Operation | None = None
        self._start = regmap["CTRL"].field("START")
        self._done = regmap["STATUS"].field("DONE")

    @property
    def done_mask(self) -> int:
        return self._done.mask

    def store(self, access: Access) -> None:
        words = self.values[access.register]
        words[access.index] = (words[access.index] & ~access.mask) | (access.value & access.mask)

    def bytes_of(self, register: str, count: int) -> bytes:
        return b"".join(w.to_bytes(4, "little") for w in self.values[register])[:count]

    def starts(self, access: Access) -> bool:
        return access.register == "CTRL" and bool(self._start.extract(access.value & access.mask))

    def ctrl_field(self, access: Access, name: str) -> int:
        return self.regmap["CTRL"].field(name).extract(access.value & access.mask)

    def begin(self, access: Access) -> Operation:
        raise NotImplementedError


class _AesShadow(_Shadow):
    OUTPUT = "DOUT"

    def begin(self, access: Access) -> Operation:
        bits = AES_KEY_BITS.get(self.ctrl_field(access, "KEYLEN"), AES_RESERVED_KEY_BITS)
        decrypt = bool(self.ctrl_field(access, "DECRYPT"))
        key, din = self.bytes_of("KEY", bits // 8), self.bytes_of("DIN", 16)
        out = aes_block(key, din, decrypt)
        return Operation(self.device, f"aes-{bits} {'decrypt' if decrypt else 'encrypt'}",
                         {"key": key.hex(), "in": din.hex()},
                         [int.from_bytes(out[4 * i:4 * i + 4], "little") for i in range(4)],
                         access.cycle, access.pc)


class _Sha256Shadow(_Shadow):
    OUTPUT = "DIGEST"

    def begin(self, access: Access) -> Operation:
        init, sha224 = self.ctrl_field(access, "INIT"), self.ctrl_field(access, "SHA224")
        chain = (SHA224_IV if sha224 else SHA256_IV) if init else list(self.values["DIGEST"])
        block = self.bytes_of("BLOCK", 64)
        result = sha256_compress(chain, block)
        self.values["DIGEST"] = list(result)      # the next block chains from it
        kind = f"sha-{224 if init and sha224 else 256} block" + (" (init)" if init else "")
        operands = {"block": block.hex()}
        if not init:
            operands["chain"] = "".join(f"{w:08x}" for w in chain)
        return Operation(self.device, kind, operands, result, access.cycle, access.pc)


SHADOWS = {"aes": _AesShadow, "sha256": _Sha256Shadow}


def accepted(access: Access) -> bool:
    """Whether the RTL takes this write (one place states the rule)."""
    return not access.busy or access.register in WRITABLE_WHILE_BUSY


@dataclass
class OffloadVerifier:
    """Receives every accelerator access (`observe`) and checks every operation."""

    describe: Callable[[int], str] = lambda pc: f"{pc:#010x}"
    started: int = 0              # operations started (only the current one is kept)
    checked: int = 0              # of which the firmware read a result
    mismatches: list[Mismatch] = field(default_factory=list)
    _shadows: dict[str, _Shadow] = field(default_factory=dict)

    def attach(self, device: str, core: str) -> None:
        self._shadows[device] = SHADOWS[core](device, register_map(core))

    def observe(self, access: Access) -> None:
        shadow = self._shadows[access.device]
        if access.write:
            if not accepted(access):
                return           # discarded by the RTL (STATUS.WERR)
            if access.register == "STATUS" and shadow.operation is not None and not access.busy \
                    and access.value & access.mask & shadow.done_mask:
                shadow.operation.done_seen = True     # acknowledging DONE (an interrupt handler)
            if shadow.starts(access):
                op = shadow.begin(access)
                shadow.operation = op
                self.started += 1
            elif access.register != "CTRL":
                shadow.store(access)
            return
        op = shadow.operation
        if op is None or access.busy:
            return
        if access.register == "STATUS" and access.value & access.mask & shadow.done_mask:
            op.done_seen = True
        # Results count once the firmware has seen DONE (a read before that is the
        # firmware's mistake, reported by the device as an early read, not the RTL's).
        if access.register != shadow.OUTPUT or not op.done_seen:
            return
        if not op.checked:
            op.checked = True
            self.checked += 1
        expected = op.expected[access.index] & access.mask
        got = access.value & access.mask
        if got != expected and not op.mismatched:
            op.mismatched = True
            self.mismatches.append(Mismatch(op, self._where(op.pc), access.register, access.index,
                                            expected, got, access.cycle, self._where(access.pc), access.pc))

    def _where(self, pc: int | None) -> str:
        return "?" if pc is None else self.describe(pc)

    def summary(self) -> dict:
        return {"operations": self.started, "checked": self.checked,
                "mismatches": len(self.mismatches),
                "first_mismatch": self.mismatches[0].to_dict() if self.mismatches else None}
