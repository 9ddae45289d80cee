"""The offload verifier follows the RTL's streaming semantics (docs/rtl.md, "Registered
START, streaming"): writes taken while a block runs, AUTOSTART, a START queued behind a
running block, results read while the next block runs. The RTL is driven directly by
the RTL engineer's own streaming clients (tlscosim.rtl.clients), every access handed to
the verifier as the board's device would; references are `cryptography` and hashlib."""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient, Sha256Client
from tlscosim.sim.board.offload_verify import Access, OffloadVerifier


class ObservedDevice:
    """An RtlBusDevice whose accesses reach a verifier, as RtlAccelerator passes them."""

    def __init__(self, dev: RtlBusDevice, verifier: OffloadVerifier, name: str):
        self.dev, self.verifier, self.name = dev, verifier, name
        self.decode = {reg.offset_of(i): (reg.name, i) for reg in dev.regmap for i in range(reg.count)}
        verifier.attach(name, dev.core)

    def __getattr__(self, attr):
        return getattr(self.dev, attr)

    def _observe(self, offset, write, word, busy):
        register, index = self.decode[offset]
        self.verifier.observe(Access(self.name, register, index, write, word, 0xFFFFFFFF, busy,
                                     self.dev.cycle - 1, None))

    def read(self, cycle, offset, size=4):
        self.dev.advance_to(cycle)
        busy = self.dev.busy
        value = self.dev.read(cycle, offset, size)
        self._observe(offset, False, value, busy)
        return value

    def write(self, cycle, offset, size, value):
        self.dev.advance_to(cycle)
        busy = self.dev.busy
        self.dev.write(cycle, offset, size, value)
        self._observe(offset, True, value, busy)


def _ecb(key: bytes, data: bytes, decrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def test_streamed_aes_blocks_are_all_checked_without_mismatch():
    verifier = OffloadVerifier()
    key, data = os.urandom(16), os.urandom(16 * 12)
    with RtlBusDevice("aes") as dev:
        client = AesClient(ObservedDevice(dev, verifier, "aes"))
        out, _ready = client.stream(key, data)
        back, _ready = client.stream(key, out, decrypt=True)
    assert out == _ecb(key, data, False) and back == data
    assert (verifier.started, verifier.checked, len(verifier.mismatches)) == (24, 24, 0)


def test_streamed_sha256_blocks_chain_from_the_running_block():
    verifier = OffloadVerifier()
    message = os.urandom(300)
    with RtlBusDevice("sha256") as dev:
        client = Sha256Client(ObservedDevice(dev, verifier, "sha256"))
        digest = client.hash_streaming(message)
    assert digest == hashlib.sha256(message).digest()
    blocks = (len(message) + 9 + 63) // 64
    assert (verifier.started, verifier.checked, len(verifier.mismatches)) == (blocks, 1, 0)


def test_a_start_while_one_is_pending_is_discarded_as_the_rtl_does():
    """Back-to-back STARTs: the second comes while the first is pending and the RTL
    discards it (STATUS.WERR); a verifier counting it would expect a second result."""
    verifier = OffloadVerifier()
    key, block = os.urandom(16), os.urandom(16)
    with RtlBusDevice("aes") as dev:
        client = AesClient(ObservedDevice(dev, verifier, "aes"))
        client.set_key(key)
        client.write_bytes("DIN", block)
        ctrl = client.fields("CTRL", start=1, keylen=client.keylen)
        client.write("CTRL", ctrl)
        client.write("CTRL", ctrl | client.fields("CTRL", decrypt=1))    # pending: discarded
        client.wait_done()
        assert client.field("STATUS", "WERR", client.read("STATUS")) == 1
        assert client.read_bytes("DOUT", 16) == _ecb(key, block, False)
    assert (verifier.started, verifier.checked, len(verifier.mismatches)) == (1, 1, 0)


def test_a_wrong_streamed_result_is_caught_at_its_block():
    """The third block's result read back corrupted (a broken output path): the verifier
    names that block's operation and operands and the reference's value."""
    verifier = OffloadVerifier()
    key, data = os.urandom(16), os.urandom(16 * 6)

    class CorruptThirdResult(ObservedDevice):
        reads = 0

        def read(self, cycle, offset, size=4):
            self.dev.advance_to(cycle)
            busy = self.dev.busy
            value = self.dev.read(cycle, offset, size)
            register, index = self.decode[offset]
            if register == "DOUT":
                CorruptThirdResult.reads += 1
                if CorruptThirdResult.reads == 2 * 4 + 1:     # DOUT[0] of the third result
                    value ^= 0x1
            self._observe(offset, False, value, busy)
            return value

    with RtlBusDevice("aes") as dev:
        client = AesClient(CorruptThirdResult(dev, verifier, "aes"))
        out, _ready = client.stream(key, data)
    expected = _ecb(key, data, False)
    assert out[:32] == expected[:32] and out[32:48] != expected[32:48]
    assert len(verifier.mismatches) == 1
    m = verifier.mismatches[0]
    assert m.operation.operands == {"key": key.hex(), "in": data[32:48].hex()}
    assert (m.register, m.index) == ("DOUT", 0)
    assert m.expected == int.from_bytes(expected[32:36], "little")
    assert m.got == m.expected ^ 0x1
