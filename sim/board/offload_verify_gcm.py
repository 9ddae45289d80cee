"""The AES-GCM accelerator's operations recomputed for `--verify-offload`.

The GCM core keeps a message's state between operations (J0, counter, GHASH
accumulator, lengths), so its shadow keeps the same state, advanced by every START the
RTL accepts, with a reference built from outside primitives: AES from `cryptography`,
GHASH as NIST SP 800-38D defines it (`ghash_multiply`; tests hold the whole reference to
`cryptography`'s AESGCM). Which writes the RTL takes and when a START is pending are
the common control model's (`sim.offload_verify._Shadow`).

Results: a GCM block writes DOUT before its GHASH ends, and streaming firmware reads it
then, before the operation completes. So ENCRYPT/DECRYPT/TAG results are queued in start
order; a STATUS read showing OUTPUT_VALID makes the oldest one what DOUT holds, and the
START that follows (or writing 1 to OUTPUT_VALID) releases it, as the RTL defines.
"""

from __future__ import annotations

from collections import deque

from tlscosim.rtl.regmaps import AES_KEYLEN_CODES, GCM_OPS

from .offload_verify import AES_RESERVED_KEY_BITS, Access, Operation, _Shadow, aes_block

R = 0xE1 << 120                  # the field polynomial's reduction, block order
AES_KEY_BITS = {code: bits for bits, code in AES_KEYLEN_CODES.items()}
OP_NAMES = {code: name for name, code in GCM_OPS.items()}
BLOCK = 16


def ghash_multiply(x: int, h: int) -> int:
    """X * H in GF(2^128), blocks as big-endian integers (SP 800-38D, Algorithm 1)."""
    z, v = 0, h
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ (R if v & 1 else 0)
    return z


def _value(block: bytes) -> int:
    return int.from_bytes(block, "big")


def _words(block: bytes) -> list[int]:
    return [int.from_bytes(block[4 * i:4 * i + 4], "little") for i in range(BLOCK // 4)]


class GcmMessage:
    """One message's state in the core, advanced operation by operation."""

    def __init__(self):
        self.iv = bytes(12)
        self.ej0 = self.y = 0
        self.ctr = 0
        self.aad_bytes = self.text_bytes = 0

    def init(self, key: bytes, iv: bytes) -> None:
        self.iv = iv
        self.ej0 = _value(aes_block(key, iv + (1).to_bytes(4, "big"), False))
        self.y, self.ctr, self.aad_bytes, self.text_bytes = 0, 2, 0, 0

    def aad(self, key: bytes, block: bytes, count: int) -> None:
        self.y = ghash_multiply(self.y ^ _value(block), _h(key))
        self.aad_bytes += count

    def crypt(self, key: bytes, block: bytes, count: int, decrypt: bool) -> bytes:
        stream = aes_block(key, self.iv + self.ctr.to_bytes(4, "big"), False)
        out = bytes(a ^ b for a, b in zip(block[:count], stream)) + bytes(BLOCK - count)
        self.y = ghash_multiply(self.y ^ _value(block if decrypt else out), _h(key))
        self.ctr = (self.ctr + 1) & 0xFFFFFFFF
        self.text_bytes += count
        return out

    def tag(self, key: bytes) -> bytes:
        lengths = ((8 * self.aad_bytes) << 64) | (8 * self.text_bytes)
        self.y = ghash_multiply(self.y ^ lengths, _h(key))
        return (self.y ^ self.ej0).to_bytes(BLOCK, "big")


def _h(key: bytes) -> int:
    return _value(aes_block(key, bytes(BLOCK), False))


class GcmShadow(_Shadow):
    OUTPUT = "DOUT"
    INPUT_BUFFER = "DIN"
    LOCKED_WHILE_BUSY = ("KEY0", "KEY1", "IV", "CTR")
    HOLDS_OUTPUT = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_setup_reset()

    def taken_setup_reset(self) -> None:
        self.message = GcmMessage()
        self.dout = bytes(BLOCK)
        self.results: deque[Operation] = deque()     # started, output not yet released
        self.visible: Operation | None = None        # the one DOUT shows, as the firmware saw

    def operand_written(self, register: str) -> None:
        if register == "CTR":
            self.message.ctr = self.values["CTR"][0]

    def write(self, access: Access) -> Operation | None:
        op = super().write(access)
        if access.register == "STATUS" and \
                access.value & access.mask & self.regmap["STATUS"].field("OUTPUT_VALID").mask:
            self._release()
        return op

    def _release(self) -> None:
        if self.visible is not None:
            self.results.popleft()
            self.visible = None

    def status_read(self, access: Access) -> None:
        super().status_read(access)
        if self.regmap["STATUS"].field("OUTPUT_VALID").extract(access.value) and self.results:
            self.visible = self.results[0]

    def observed_result(self) -> Operation | None:
        return self.visible

    def begin(self, access: Access) -> Operation:
        self._release()                              # a START releases DOUT
        slot = self.ctrl_field(access, "SLOT")
        bits = AES_KEY_BITS.get(self.ctrl_field(access, "KEYLEN"), AES_RESERVED_KEY_BITS)
        key = self.bytes_of(f"KEY{slot}", bits // 8)
        count = self.ctrl_field(access, "BYTES") or BLOCK
        din = self.bytes_of("DIN", BLOCK)
        block = din[:count] + bytes(BLOCK - count)
        name = OP_NAMES.get(self.ctrl_field(access, "OP"), "TAG")   # codes past TAG run as TAG
        msg = self.message
        operands = {"slot": str(slot), "key": key.hex()}
        produced = True
        if name == "INIT":
            msg.init(key, self.bytes_of("IV", 12))
            operands["iv"] = msg.iv.hex()
            produced = False
        elif name == "AAD":
            msg.aad(key, block, count)
            operands["aad"] = block[:count].hex()
            produced = False
        elif name in ("ENCRYPT", "DECRYPT"):
            operands |= {"ctr": str(msg.ctr), "in": block[:count].hex()}
            self.dout = msg.crypt(key, block, count, name == "DECRYPT")
        else:
            operands |= {"aad_bytes": str(msg.aad_bytes), "text_bytes": str(msg.text_bytes)}
            self.dout = msg.tag(key)
        self.values["CTR"][0] = msg.ctr
        op = Operation(self.device, f"gcm-{bits} {name.lower()}", operands, _words(self.dout),
                       access.cycle, access.pc)
        if produced:
            self.results.append(op)
        return op
