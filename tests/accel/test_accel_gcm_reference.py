"""The offload verifier's GCM reference (sim/offload_verify_gcm.py) against cryptography's
AESGCM: the state it advances per core operation gives AESGCM's ciphertext and tag."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from tlscosim.sim.offload_verify_gcm import GcmMessage, ghash_multiply


def _blocks(data: bytes):
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        yield chunk + bytes(16 - len(chunk)), len(chunk)


def _seal(key: bytes, iv: bytes, aad: bytes, text: bytes, decrypt: bool = False) -> tuple[bytes, bytes]:
    msg = GcmMessage()
    msg.init(key, iv)
    for block, count in _blocks(aad):
        msg.aad(key, block, count)
    out = b"".join(msg.crypt(key, block, count, decrypt)[:count] for block, count in _blocks(text))
    return out, msg.tag(key)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
       iv=st.binary(min_size=12, max_size=12), aad=st.binary(max_size=40), text=st.binary(max_size=70))
def test_reference_matches_aesgcm(key, iv, aad, text):
    sealed = AESGCM(key).encrypt(iv, text, aad)
    out, tag = _seal(key, iv, aad, text)
    assert out + tag == sealed
    plain, tag_again = _seal(key, iv, aad, out, decrypt=True)
    assert plain == text and tag_again == tag


def test_ghash_multiply_identity_and_nist_h():
    one = 1 << 127                      # the field's 1: bit x0 is the block's top bit
    h = 0x66E94BD4EF8A2C3B884CFA59CA342B2E   # E_K(0) for the all-zero AES-128 key (NIST test case 2)
    assert ghash_multiply(one, h) == h
    assert ghash_multiply(h, one) == h
    assert ghash_multiply(0, h) == 0
