"""SHA-256 accelerator protocol through the bus driver: the 66-cycle contract
(registered START), streaming at the core's 65-cycle period, chaining, locked writes,
reset in the middle of a block."""

import hashlib

import pytest

from tlscosim.rtl.clients import sha256_padding
from tlscosim.rtl.sha256_math import initial_values

ROUNDS = 64
CORE_PERIOD = ROUNDS + 1                  # round 0 in the first cycle, + the chaining add
BLOCK_CYCLES = CORE_PERIOD + 1            # + the cycle that registers START


def padded_blocks(message):
    data = message + sha256_padding(len(message))
    return [data[i:i + 64] for i in range(0, len(data), 64)]


def status(client, name):
    return client.field("STATUS", name, client.read("STATUS"))


@pytest.mark.parametrize("init, sha224", [(True, False), (True, True), (False, False)],
                         ids=["sha256-first", "sha224-first", "chained"])
def test_latency_contract(sha, init, sha224):
    start = sha.start_block(bytes(64), init=init, sha224=sha224)
    assert status(sha, "BUSY") == 1 and status(sha, "DONE") == 0
    assert sha.poll_done() - start == BLOCK_CYCLES
    assert status(sha, "BUSY") == 0


def test_back_to_back_blocks_chain(sha):
    message = bytes(range(256)) * 2
    for i, block in enumerate(padded_blocks(message)):
        start = sha.start_block(block, init=i == 0)
        assert sha.poll_done() - start == BLOCK_CYCLES
    assert sha.digest() == hashlib.sha256(message).digest()
    assert sha.read("BLOCKS") == len(padded_blocks(message))


@pytest.mark.parametrize("sha224", [False, True], ids=["sha256", "sha224"])
def test_streaming_reaches_the_core_period(sha, sha224):
    message = bytes(range(251)) * 5
    blocks = padded_blocks(message)
    written = sha.stream_blocks(blocks, init=True, sha224=sha224)
    reference = hashlib.sha224 if sha224 else hashlib.sha256
    assert sha.digest(sha224) == reference(message).digest()
    assert {b - a for a, b in zip(written[2:], written[3:])} == {CORE_PERIOD}
    assert status(sha, "WERR") == 0 and sha.read("BLOCKS") == len(blocks)


def test_streaming_period_on_verilator(sha_verilator):
    message = bytes(range(256)) * 8
    blocks = padded_blocks(message)
    written = sha_verilator.stream_blocks(blocks, init=True)
    assert sha_verilator.digest() == hashlib.sha256(message).digest()
    assert {b - a for a, b in zip(written[2:], written[3:])} == {CORE_PERIOD}


def test_autostart_and_input_ready(sha):
    block, = padded_blocks(b"abc")
    sha.write("CTRL", sha.fields("CTRL", autostart=1, init=1))
    sha.write_bytes("BLOCK", block[:60])
    assert status(sha, "BUSY") == 0 and status(sha, "INPUT_READY") == 1
    last = sha.cycle
    sha.write("BLOCK", int.from_bytes(block[60:], "little"), 15)
    assert status(sha, "INPUT_READY") == 0          # taken in the next cycle
    assert status(sha, "INPUT_READY") == 1 and status(sha, "BUSY") == 1
    assert sha.poll_done() - last == BLOCK_CYCLES
    assert sha.digest() == hashlib.sha256(b"abc").digest()


def test_digest_reads_while_busy_show_the_chaining_input(sha):
    blocks = padded_blocks(b"x" * 100)
    sha.compress(blocks[0], init=True)
    chaining = sha.state()
    start = sha.start_block(blocks[1], init=False)
    while sha.cycle < start + BLOCK_CYCLES:
        index = sha.cycle % 8
        assert sha.read("DIGEST", index) == chaining[index]
    assert status(sha, "DONE") == 1
    assert sha.digest() == hashlib.sha256(b"x" * 100).digest()


def test_init_shows_the_initial_values_while_busy(sha):
    sha.start_block(bytes(64), init=True, sha224=True)
    sha.read("STATUS")                              # the core begins in this cycle
    assert sha.state() == list(initial_values(sha224=True))


def test_locked_writes_are_discarded_and_flagged(sha):
    """DIGEST is locked while a block runs; BLOCK and CTRL while a START is pending."""
    first, second = padded_blocks(b"a" * 100)
    start = sha.start_block(first, init=True)
    sha.load_state([0] * 8)                         # discarded: the core runs
    assert status(sha, "WERR") == 1
    sha.write("STATUS", sha.fields("STATUS", werr=1))
    sha.start_block(second, init=False)             # accepted and queued
    sha.write_bytes("BLOCK", bytes(64))             # discarded: the queued START needs BLOCK
    sha.start(init=1, sha224=1)                     # discarded
    assert sha.cycle - 1 < start + BLOCK_CYCLES, "the writes must land while busy"
    assert status(sha, "WERR") == 1
    sha.wait_idle()
    assert sha.digest() == hashlib.sha256(b"a" * 100).digest()
    assert sha.read("BLOCKS") == 2


def test_block_is_write_only(sha):
    sha.write_bytes("BLOCK", bytes(range(1, 65)))
    assert all(sha.read("BLOCK", i) == 0 for i in range(16))


def test_reset_in_the_middle_of_a_block(sha):
    block, = padded_blocks(b"abc")
    start = sha.start_block(block, init=True)
    sha.dev.reset(start + 30)
    assert sha.read("STATUS") == sha.fields("STATUS", input_ready=1)
    assert sha.state() == [0] * 8 and sha.read("BLOCKS") == 0
    assert sha.hash(b"abc") == hashlib.sha256(b"abc").digest()
