"""NIST CAVP vectors from the installed `cryptography-vectors` package (never copied here)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cryptography_vectors

AES_ECB_SETS = ("GFSbox", "KeySbox", "VarKey", "VarTxt", "MMT")
AES_KEY_BITS = (128, 192, 256)


def read_vector_file(path: str) -> str:
    with cryptography_vectors.open_vector_file(path, "r") as f:
        return f.read()


@dataclass(frozen=True)
class AesVector:
    count: int
    key: bytes
    plaintext: bytes
    ciphertext: bytes


def aes_ecb_vectors(test_set: str, bits: int, direction: str) -> list[AesVector]:
    """The [ENCRYPT] or [DECRYPT] section of ECB<set><bits>.rsp."""
    text = read_vector_file(f"ciphers/AES/ECB/ECB{test_set}{bits}.rsp")
    section = text.split(f"[{direction.upper()}]")[1].split("[")[0]
    vectors = []
    for block in section.strip().split("\n\n"):
        fields = dict(re.findall(r"^(\w+) = (\w*)", block, re.M))
        vectors.append(AesVector(int(fields["COUNT"]), bytes.fromhex(fields["KEY"]),
                                 bytes.fromhex(fields["PLAINTEXT"]), bytes.fromhex(fields["CIPHERTEXT"])))
    return vectors


@dataclass(frozen=True)
class HashVector:
    message: bytes
    digest: bytes


def sha_vectors(name: str) -> list[HashVector]:
    """SHA256ShortMsg / SHA256LongMsg / SHA224ShortMsg ...: Len, Msg, MD triples."""
    text = read_vector_file(f"hashes/SHA2/{name}.rsp")
    vectors = []
    for length, msg, md in re.findall(r"Len = (\d+)\s+Msg = (\w+)\s+MD = (\w+)", text):
        message = bytes.fromhex(msg)[:int(length) // 8]     # Len = 0 comes with Msg = 00
        vectors.append(HashVector(message, bytes.fromhex(md)))
    return vectors


def sha256_monte(name: str = "SHA256Monte") -> tuple[bytes, list[bytes]]:
    """(seed, the 100 checkpoint digests) of SHA256Monte.rsp (or SHA224Monte.rsp)."""
    text = read_vector_file(f"hashes/SHA2/{name}.rsp")
    seed = bytes.fromhex(re.search(r"Seed = (\w+)", text).group(1))
    return seed, [bytes.fromhex(md) for md in re.findall(r"MD = (\w+)", text)]


def sha256_monte_first_steps(name: str = "SHA256Monte") -> list[tuple[bytes, bytes]]:
    """(M_i, MD_i) of the first checkpoint's inner iterations, from SHA256Monte.txt."""
    text = read_vector_file(f"hashes/SHA2/{name}.txt")
    first = text.split("COUNT = 1")[0]
    return [(bytes.fromhex(m), bytes.fromhex(md))
            for m, md in re.findall(r"M = (\w+)\s+MDi = (\w+)", first)]


def monte_checkpoint(hash_fn, seed: bytes) -> bytes:
    """One checkpoint of the SHAVS Monte Carlo test: 1000 chained hashes of 3 digests."""
    m0 = m1 = m2 = seed
    for _ in range(1000):
        m0, m1, m2 = m1, m2, hash_fn(m0 + m1 + m2)
    return m2
