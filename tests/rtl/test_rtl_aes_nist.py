"""AES against the complete NIST CAVP ECB sets (GFSbox, KeySbox, VarKey, VarTxt, MMT;
128/192/256-bit keys; both directions), through the bus interface on Amaranth's simulator.

The [ENCRYPT] and [DECRYPT] sections use the same keys, so their vectors are run
interleaved, alternating which direction comes first: a key is expanded once for both,
and the first block after each expansion is an encryption as often as a decryption.
"""

import itertools

import pytest

from rtl_vectors import AES_ECB_SETS, AES_KEY_BITS, aes_ecb_vectors


def _interleaved(test_set, bits):
    encrypt = [("encrypt", v) for v in aes_ecb_vectors(test_set, bits, "encrypt")]
    decrypt = [("decrypt", v) for v in aes_ecb_vectors(test_set, bits, "decrypt")]
    pairs = itertools.zip_longest(encrypt, decrypt)
    ordered = (pair if i % 2 == 0 else pair[::-1] for i, pair in enumerate(pairs))
    return [item for pair in ordered for item in pair if item is not None]


@pytest.mark.parametrize("bits", AES_KEY_BITS)
@pytest.mark.parametrize("test_set", AES_ECB_SETS)
def test_aes_ecb_nist(shared_aes, test_set, bits):
    vectors = _interleaved(test_set, bits)
    assert {d for d, _ in vectors} == {"encrypt", "decrypt"}, f"ECB{test_set}{bits}.rsp incomplete"
    failures = []
    for direction, v in vectors:
        decrypt = direction == "decrypt"
        data, want = (v.ciphertext, v.plaintext) if decrypt else (v.plaintext, v.ciphertext)
        got = shared_aes.ecb(v.key, data, decrypt)
        if got != want:
            failures.append(f"{direction} COUNT {v.count}: got {got.hex()}, want {want.hex()}")
    assert not failures, f"ECB{test_set}{bits}: {len(failures)}/{len(vectors)} wrong\n" + \
        "\n".join(failures[:5])
