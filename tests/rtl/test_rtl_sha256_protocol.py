"""SHA-256 accelerator protocol through the bus driver: the 65-cycle contract, chaining,
reads and writes while busy, reset in the middle of a block."""

import hashlib

import pytest

from tlscosim.rtl.clients import sha256_padding
from tlscosim.rtl.sha256_math import initial_values

ROUNDS = 64
BLOCK_CYCLES = ROUNDS + 1                 # round 0 in the START cycle, + the chaining add


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
    assert b"".join(w.to_bytes(4, "big") for w in sha.state()) == hashlib.sha256(message).digest()
    assert sha.read("BLOCKS") == len(padded_blocks(message))


def test_digest_reads_while_busy_show_the_chaining_input(sha):
    blocks = padded_blocks(b"x" * 100)
    sha.compress(blocks[0], init=True)
    chaining = sha.state()
    start = sha.start_block(blocks[1], init=False)
    while sha.cycle < start + BLOCK_CYCLES:
        index = sha.cycle % 8
        assert sha.read("DIGEST", index) == chaining[index]
    assert status(sha, "DONE") == 1
    assert b"".join(w.to_bytes(4, "big") for w in sha.state()) == hashlib.sha256(b"x" * 100).digest()


def test_init_shows_the_initial_values_while_busy(sha):
    sha.start_block(bytes(64), init=True, sha224=True)
    assert sha.state() == list(initial_values(sha224=True))


def test_writes_while_busy_are_discarded_and_flagged(sha):
    block, = padded_blocks(b"abc")
    start = sha.start_block(block, init=True)
    sha.write_bytes("BLOCK", bytes(64))
    sha.load_state([0] * 8)
    sha.start(init=1, sha224=1)
    assert sha.cycle - 1 < start + BLOCK_CYCLES, "the last write must land while busy"
    sha.poll_done()
    assert status(sha, "WERR") == 1
    assert b"".join(w.to_bytes(4, "big") for w in sha.state()) == hashlib.sha256(b"abc").digest()
    assert sha.read("BLOCKS") == 1


def test_block_is_write_only(sha):
    sha.write_bytes("BLOCK", bytes(range(1, 65)))
    assert all(sha.read("BLOCK", i) == 0 for i in range(16))


def test_reset_in_the_middle_of_a_block(sha):
    block, = padded_blocks(b"abc")
    start = sha.start_block(block, init=True)
    sha.dev.reset(start + 30)
    assert sha.read("STATUS") == 0
    assert sha.state() == [0] * 8 and sha.read("BLOCKS") == 0
    assert sha.hash(b"abc") == hashlib.sha256(b"abc").digest()
