"""AES accelerator protocol through the bus driver: the timing contract, back-to-back
blocks, key changes, reads and writes while busy, reset in the middle of an operation."""

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NR = {128: 10, 192: 12, 256: 14}                    # FIPS-197 rounds per key size
KEYS = {bits: bytes(range(7, 7 + bits // 8)) for bits in NR}
BLOCK = bytes.fromhex("00112233445566778899aabbccddeeff")


def block_cycles(bits):
    return NR[bits] + 1                             # the START cycle + one per round


def expansion_cycles(bits):
    return 4 * (NR[bits] + 1) + 1                   # one per key word + one to prefetch


def reference(key, data, decrypt=False):
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    return (cipher.decryptor() if decrypt else cipher.encryptor()).update(data)


def status(client, name):
    return client.field("STATUS", name, client.read("STATUS"))


@pytest.mark.parametrize("decrypt", [False, True], ids=["encrypt", "decrypt"])
@pytest.mark.parametrize("bits", list(NR))
def test_latency_contract(aes, bits, decrypt):
    aes.set_key(KEYS[bits])
    start = aes.start_block(BLOCK, decrypt)           # the new key is expanded first
    assert aes.poll_done() - start == expansion_cycles(bits) + block_cycles(bits)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[bits], BLOCK, decrypt)

    start = aes.start_block(BLOCK, decrypt)
    assert aes.cycle == start + 1
    assert status(aes, "BUSY") == 1 and status(aes, "DONE") == 0    # cleared by START
    assert aes.poll_done() - start == block_cycles(bits)
    assert status(aes, "BUSY") == 0 and status(aes, "KEY_READY") == 1


def test_back_to_back_blocks(aes):
    aes.set_key(KEYS[128])
    blocks = [bytes([i]) * 16 for i in range(6)]
    outputs = []
    for i, block in enumerate(blocks):
        decrypt = i % 2 == 1
        start = aes.start_block(block, decrypt)
        done = aes.poll_done()
        assert done - start == (block_cycles(128) + (expansion_cycles(128) if i == 0 else 0))
        outputs.append(aes.read_bytes("DOUT", 16))
    assert outputs == [reference(KEYS[128], b, i % 2 == 1) for i, b in enumerate(blocks)]
    assert aes.read("BLOCKS") == len(blocks)


def test_start_in_the_cycle_done_appears(aes):
    """The core accepts START in the first cycle it is idle again."""
    aes.set_key(KEYS[192])
    aes.crypt_block(BLOCK)
    start = aes.start_block(BLOCK, decrypt=False)
    aes.dev.advance_to(start + block_cycles(192))
    restart = aes.start(decrypt=1, keylen=aes.keylen)   # same DIN, other direction
    assert restart == start + block_cycles(192)
    assert aes.poll_done() - restart == block_cycles(192)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[192], BLOCK, decrypt=True)


def test_key_change_between_blocks(aes):
    aes.set_key(KEYS[128])
    assert aes.crypt_block(BLOCK) == reference(KEYS[128], BLOCK)
    assert status(aes, "KEY_READY") == 1
    aes.write("KEY", 0xDEADBEEF, 2)                     # one word: the schedule is stale
    assert status(aes, "KEY_READY") == 0
    changed = bytearray(KEYS[128])
    changed[8:12] = (0xDEADBEEF).to_bytes(4, "little")
    start = aes.start_block(BLOCK, decrypt=True)
    assert aes.poll_done() - start == expansion_cycles(128) + block_cycles(128)
    assert aes.read_bytes("DOUT", 16) == reference(bytes(changed), BLOCK, decrypt=True)


def test_keylen_change_reexpands_the_same_key_registers(aes):
    key = KEYS[256]
    aes.set_key(key)
    assert aes.crypt_block(BLOCK) == reference(key, BLOCK)
    aes.keylen = 0                                      # KEYLEN 128: uses KEY[0..3]
    assert status(aes, "KEY_READY") == 1                # STATUS follows the stored KEYLEN ...
    start = aes.start(keylen=0)
    assert aes.poll_done() - start == expansion_cycles(128) + block_cycles(128)
    assert aes.read_bytes("DOUT", 16) == reference(key[:16], BLOCK)


def test_reads_while_busy_see_the_previous_result(aes):
    aes.set_key(KEYS[256])
    first = aes.crypt_block(BLOCK)
    old_words = [int.from_bytes(first[i:i + 4], "little") for i in range(0, 16, 4)]
    start = aes.start_block(bytes(16), decrypt=False)
    assert status(aes, "BUSY") == 1
    while aes.cycle < start + block_cycles(256):         # one DOUT word per busy cycle
        index = aes.cycle % 4
        assert aes.read("DOUT", index) == old_words[index]
    assert aes.read("STATUS") == aes.fields("STATUS", done=1, key_ready=1)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], bytes(16))


def test_writes_while_busy_are_discarded_and_flagged(aes):
    aes.set_key(KEYS[256])
    aes.crypt_block(BLOCK)
    start = aes.start_block(BLOCK, decrypt=False)
    assert status(aes, "WERR") == 0
    aes.write_bytes("DIN", bytes(16))                   # all discarded: the core is busy
    aes.write_bytes("KEY", bytes(32))
    aes.start(decrypt=1, keylen=0)
    assert aes.cycle - 1 < start + block_cycles(256), "the last write must land while busy"
    aes.poll_done()
    assert status(aes, "WERR") == 1
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], BLOCK)
    assert aes.read_bytes("DIN", 16) == BLOCK
    assert aes.read("BLOCKS") == 2                      # the START while busy started nothing
    assert aes.field("CTRL", "DECRYPT", aes.read("CTRL")) == 0
    assert status(aes, "KEY_READY") == 1                # the discarded KEY write changed nothing
    aes.write("STATUS", aes.fields("STATUS", werr=1))  # write 1 to clear
    assert status(aes, "WERR") == 0 and status(aes, "DONE") == 1
    start = aes.start_block(BLOCK, decrypt=False)
    assert aes.poll_done() - start == block_cycles(256)


@pytest.mark.parametrize("phase", ["expanding", "rounds"])
def test_reset_in_the_middle_of_an_operation(aes, phase):
    aes.set_key(KEYS[192])
    if phase == "rounds":
        aes.crypt_block(BLOCK)
    start = aes.start_block(BLOCK, decrypt=False)
    aes.dev.reset(start + 5)
    assert aes.read("STATUS") == 0                      # idle, not done, no key schedule
    assert aes.read("BLOCKS") == 0
    assert aes.read_bytes("DIN", 16) == bytes(16)
    aes.loaded_key = None                               # the KEY registers were cleared too
    aes.set_key(KEYS[192])
    start = aes.start_block(BLOCK, decrypt=True)
    assert aes.poll_done() - start == expansion_cycles(192) + block_cycles(192)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[192], BLOCK, decrypt=True)


def test_byte_and_halfword_accesses(aes):
    key = KEYS[128]
    offset = aes.regmap.offset
    for i, byte in enumerate(key):
        aes.dev.write(aes.cycle, offset("KEY") + i, 1, byte)
    for i in range(0, 16, 2):
        aes.dev.write(aes.cycle, offset("DIN") + i, 2, int.from_bytes(BLOCK[i:i + 2], "little"))
    aes.start(keylen=0)
    aes.wait_done()
    got = bytes(aes.dev.read(aes.cycle, offset("DOUT") + i, 1) for i in range(16))
    assert got == reference(key, BLOCK)
    halves = [aes.dev.read(aes.cycle, offset("DOUT") + i, 2) for i in range(0, 16, 2)]
    assert b"".join(h.to_bytes(2, "little") for h in halves) == got


def test_reserved_keylen_behaves_as_256(aes):
    aes.set_key(KEYS[256])
    aes.write_bytes("DIN", BLOCK)
    aes.start(keylen=3)
    aes.wait_done()
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], BLOCK)
