"""SHA-256 against the NIST CAVP ShortMsg and LongMsg sets (and SHA-224 ShortMsg for the
initial-value option), through the bus interface on Amaranth's simulator; padding is
done by software, as on the board.

The Monte Carlo test (100 x 1000 chained hashes, 200,000 blocks) would take about
45 minutes on Amaranth's simulator (~80 blocks/s measured), so it runs on the Verilator
model of the emitted Verilog, through the same bus driver; Amaranth's simulator checks
the first inner iterations that SHA256Monte.txt lists. The default run checks the first
Monte checkpoints and every LongMsg vector on Verilator (the two back ends are held to
each other cycle for cycle in test_rtl_busdev.py); all 100 checkpoints and LongMsg on
Amaranth's simulator are `slow` (about 20 minutes of CPU between them).
"""

import hashlib

import pytest

from rtl_vectors import monte_checkpoint, sha256_monte, sha256_monte_first_steps, sha_vectors

LONG_MSG_CHUNKS = 8
MONTE_CHUNKS = 4


def _check(client, vectors, sha224=False):
    failures = [f"{len(v.message)} bytes: got {got.hex()}" for v in vectors
                if (got := client.hash(v.message, sha224)) != v.digest]
    assert not failures, f"{len(failures)}/{len(vectors)} digests wrong\n" + "\n".join(failures[:5])


def test_sha256_short_msg(shared_sha):
    vectors = sha_vectors("SHA256ShortMsg")
    assert len(vectors) == 65
    _check(shared_sha, vectors)


def test_sha224_short_msg(shared_sha):
    vectors = sha_vectors("SHA224ShortMsg")
    assert len(vectors) == 65
    _check(shared_sha, vectors, sha224=True)


def test_sha224_long_msg_verilator(sha_verilator):
    vectors = sha_vectors("SHA224LongMsg")
    assert len(vectors) == 64
    _check(sha_verilator, vectors, sha224=True)


def test_sha224_monte_first_iterations_pysim(shared_sha):
    steps = sha256_monte_first_steps("SHA224Monte")
    assert steps
    for message, digest in steps:
        assert shared_sha.hash(message, sha224=True) == digest


def test_sha224_monte_first_checkpoint_verilator(sha_verilator):
    seed, checkpoints = sha256_monte("SHA224Monte")
    assert monte_checkpoint(lambda m: sha_verilator.hash(m, sha224=True), seed) == checkpoints[0]


@pytest.mark.slow
def test_sha224_monte_verilator(sha_verilator):
    """All 100 checkpoints of SHA224Monte (SHA-224 digests are 28 bytes: 3 of them are
    84 bytes, two blocks per hash)."""
    seed, checkpoints = sha256_monte("SHA224Monte")
    assert len(checkpoints) == 100
    for j, expected in enumerate(checkpoints):
        seed = monte_checkpoint(lambda m: sha_verilator.hash(m, sha224=True), seed)
        assert seed == expected, f"Monte checkpoint {j}"


def test_sha256_long_msg_verilator(sha_verilator):
    vectors = sha_vectors("SHA256LongMsg")
    assert len(vectors) == 64
    _check(sha_verilator, vectors)


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(LONG_MSG_CHUNKS))
def test_sha256_long_msg(shared_sha, chunk):
    vectors = sha_vectors("SHA256LongMsg")
    assert len(vectors) == 64
    _check(shared_sha, vectors[chunk::LONG_MSG_CHUNKS])


def test_sha256_monte_first_iterations_pysim(shared_sha):
    steps = sha256_monte_first_steps()
    assert steps
    for message, digest in steps:
        assert shared_sha.hash(message) == digest


def test_sha256_monte_first_checkpoint_verilator(sha_verilator):
    seed, checkpoints = sha256_monte()
    assert monte_checkpoint(sha_verilator.hash, seed) == checkpoints[0]


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(MONTE_CHUNKS))
def test_sha256_monte_verilator(sha_verilator, chunk):
    """Checkpoints [25k, 25k + 25): each starts from the previous checkpoint's digest."""
    seed, checkpoints = sha256_monte()
    assert len(checkpoints) == 100
    per_chunk = len(checkpoints) // MONTE_CHUNKS
    first = chunk * per_chunk
    if first:
        seed = checkpoints[first - 1]
    for j in range(first, first + per_chunk):
        seed = monte_checkpoint(sha_verilator.hash, seed)
        assert seed == checkpoints[j], f"Monte checkpoint {j}"


def test_monte_procedure_matches_the_file():
    """The Monte loop itself, on hashlib: a wrong loop would make the RTL test meaningless."""
    seed, checkpoints = sha256_monte()
    assert monte_checkpoint(lambda m: hashlib.sha256(m).digest(), seed) == checkpoints[0]
