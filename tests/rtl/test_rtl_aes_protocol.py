"""AES accelerator protocol through the bus driver: the timing contract (registered
START), streaming with two blocks in flight, key changes, locked writes, reset in the
middle of an operation."""

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NR = {128: 10, 192: 12, 256: 14}                    # FIPS-197 rounds per key size
KEYS = {bits: bytes(range(7, 7 + bits // 8)) for bits in NR}
BLOCK = bytes.fromhex("00112233445566778899aabbccddeeff")


def block_cycles(bits):
    return NR[bits] + 2                             # registered START, first cycle, one per round


def core_period(bits):
    return NR[bits] + 1                             # a queued block begins as the last one ends


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


def test_power_on_wipe_is_busy_but_takes_inputs():
    """After power-on (and reset) the core wipes its round-key RAM for 16 cycles; KEY
    and DIN may be written meanwhile and a START waits for the wipe to end."""
    from tlscosim.rtl.busdev import RtlBusDevice
    from tlscosim.rtl.clients import AesClient
    with RtlBusDevice("aes") as dev:
        aes = AesClient(dev)
        assert status(aes, "BUSY") == 1 and status(aes, "INPUT_READY") == 1
        aes.set_key(KEYS[128])
        start = aes.start_block(BLOCK, decrypt=False)
        assert start < 16
        done = aes.poll_done()                       # the core begins in cycle 16
        assert done == 16 + expansion_cycles(128) + block_cycles(128) - 1
        assert aes.read_bytes("DOUT", 16) == reference(KEYS[128], BLOCK)
        assert status(aes, "WERR") == 0


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


@pytest.mark.parametrize("decrypt", [False, True], ids=["encrypt", "decrypt"])
@pytest.mark.parametrize("bits", list(NR))
def test_streaming_reaches_the_core_period(aes, bits, decrypt):
    data = bytes(range(256)) * 2                     # 32 blocks
    aes.set_key(KEYS[bits])
    aes.crypt_block(BLOCK)                           # the schedule is expanded
    out, ready = aes.stream(KEYS[bits], data, decrypt)
    assert out == reference(KEYS[bits], data, decrypt)
    steady = [b - a for a, b in zip(ready[2:], ready[3:])]
    assert set(steady) == {core_period(bits)}
    assert status(aes, "WERR") == 0 and aes.read("BLOCKS") == 1 + len(data) // 16


@pytest.mark.parametrize("bits", list(NR))
def test_streaming_period_on_verilator(bits):
    """The same streamed period on the Verilator model of the emitted Verilog."""
    from tlscosim.rtl.busdev import RtlBusDevice
    from tlscosim.rtl.clients import AesClient
    with RtlBusDevice("aes", backend="verilator") as dev:
        client = AesClient(dev)
        client.wait_idle()
        data = bytes(range(256)) * 4
        out, ready = client.stream(KEYS[bits], data)
    assert out == reference(KEYS[bits], data)
    assert {b - a for a, b in zip(ready[2:], ready[3:])} == {core_period(bits)}


def test_autostart_starts_on_the_last_din_word(aes):
    aes.set_key(KEYS[256])
    aes.crypt_block(BLOCK)
    aes.write("CTRL", aes.fields("CTRL", autostart=1, keylen=2))
    for i in range(3):
        aes.write("DIN", int.from_bytes(BLOCK[4 * i:4 * i + 4], "little"), i)
        assert status(aes, "BUSY") == 0
    last = aes.cycle
    aes.write("DIN", int.from_bytes(BLOCK[12:], "little"), 3)
    assert aes.poll_done() - last == block_cycles(256)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], BLOCK)


def test_a_queued_block_waits_until_the_output_is_released(aes):
    """Two blocks in flight and no release: the second one waits before writing DOUT."""
    aes.set_key(KEYS[128])
    aes.crypt_block(BLOCK)
    first, second = bytes(16), bytes([0xA5]) * 16
    aes.start_block(first, decrypt=False)
    aes.poll("INPUT_READY")
    aes.start_block(second, decrypt=False)           # queued while the first one runs
    aes.poll("OUTPUT_VALID")
    aes.dev.advance_to(aes.cycle + 1_000)            # nobody releases DOUT
    assert status(aes, "BUSY") == 1 and not aes.dev.busy      # stalled: nothing changes
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[128], first)
    assert aes.read("BLOCKS") == 2
    released = aes.cycle
    aes.write("STATUS", aes.fields("STATUS", output_valid=1))
    assert aes.poll("OUTPUT_VALID") == released + 2  # the last round ends in the next cycle
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[128], second)
    assert status(aes, "BUSY") == 0 and aes.read("BLOCKS") == 3


def test_start_in_the_cycle_done_appears(aes):
    """A START written as DONE appears is taken in the next cycle."""
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
    assert aes.read("STATUS") == aes.fields("STATUS", done=1, key_ready=1, input_ready=1,
                                            output_valid=1)
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], bytes(16))


def test_locked_writes_are_discarded_and_flagged(aes):
    """While a block runs KEY is locked; while a START is pending DIN and CTRL are too."""
    aes.set_key(KEYS[256])
    aes.crypt_block(BLOCK)
    start = aes.start_block(BLOCK, decrypt=False)
    assert status(aes, "WERR") == 0
    aes.write("KEY", 0, 5)                              # discarded: the core runs
    assert status(aes, "WERR") == 1
    aes.write("STATUS", aes.fields("STATUS", werr=1))
    aes.write_bytes("DIN", bytes(16))                   # accepted: the next block's input
    aes.start(decrypt=1, keylen=2)                      # queued
    assert status(aes, "INPUT_READY") == 0
    aes.write("DIN", 0xFFFFFFFF, 2)                     # discarded: the queued START needs DIN
    aes.start(decrypt=0, keylen=0)                      # discarded: one START may wait
    assert aes.cycle - 1 < start + block_cycles(256), "the writes must land while busy"
    assert status(aes, "WERR") == 1
    aes.poll("OUTPUT_VALID")
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], BLOCK)
    aes.write("STATUS", aes.fields("STATUS", output_valid=1, werr=1))
    aes.poll("OUTPUT_VALID")
    assert aes.read_bytes("DOUT", 16) == reference(KEYS[256], bytes(16), decrypt=True)
    assert aes.read_bytes("DIN", 16) == bytes(16)
    assert aes.read("BLOCKS") == 3
    assert status(aes, "KEY_READY") == 1 and status(aes, "WERR") == 0


@pytest.mark.parametrize("phase", ["expanding", "rounds"])
def test_reset_in_the_middle_of_an_operation(aes, phase):
    aes.set_key(KEYS[192])
    if phase == "rounds":
        aes.crypt_block(BLOCK)
    start = aes.start_block(BLOCK, decrypt=False)
    aes.dev.reset(start + 5)
    assert aes.read("STATUS") == aes.fields("STATUS", busy=1, input_ready=1)   # wiping
    aes.wait_idle()
    assert aes.read("STATUS") == aes.fields("STATUS", input_ready=1)
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
