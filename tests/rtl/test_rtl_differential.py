"""Hypothesis differential tests: the accelerators through the bus against the
`cryptography` package (AES) and hashlib (SHA-256/224). Derandomized and bounded, so CI
runs the same examples every time."""

import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COMMON = dict(derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])


def _reference_ecb(key: bytes, data: bytes, decrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(data) + ctx.finalize()


@settings(max_examples=60, **COMMON)
@given(key=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
       blocks=st.integers(1, 3).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n)),
       decrypt=st.booleans())
def test_aes_matches_cryptography(shared_aes, key, blocks, decrypt):
    assert shared_aes.ecb(key, blocks, decrypt) == _reference_ecb(key, blocks, decrypt)


@settings(max_examples=40, **COMMON)
@given(message=st.binary(max_size=300), sha224=st.booleans())
def test_sha_matches_hashlib(shared_sha, message, sha224):
    reference = hashlib.sha224 if sha224 else hashlib.sha256
    assert shared_sha.hash(message, sha224) == reference(message).digest()


@settings(max_examples=20, **COMMON)
@given(first=st.binary(max_size=150), second=st.binary(max_size=150),
       split=st.integers(0, 3))
def test_sha_contexts_interleave_via_digest(shared_sha, first, second, split):
    """Two hashes interleaved block by block, the state saved and restored through DIGEST
    (as TLS needs for its concurrent transcript and HMAC hashes)."""
    from tlscosim.rtl.clients import sha256_padding
    padded = [m + sha256_padding(len(m)) for m in (first, second)]
    blocks = [[p[i:i + 64] for i in range(0, len(p), 64)] for p in padded]
    states: list[list[int] | None] = [None, None]
    order = [(0, b) for b in blocks[0][:split]] + \
        [pair for pair in zip([1] * len(blocks[1]), blocks[1])] + [(0, b) for b in blocks[0][split:]]
    for which, block in order:
        if states[which] is not None:
            shared_sha.load_state(states[which])
        shared_sha.compress(block, init=states[which] is None)
        states[which] = shared_sha.state()
    for which, message in enumerate((first, second)):
        digest = b"".join(w.to_bytes(4, "big") for w in states[which])
        assert digest == hashlib.sha256(message).digest()
