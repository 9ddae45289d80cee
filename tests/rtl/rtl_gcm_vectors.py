"""NIST CAVP GCM vectors (gcmEncryptExtIV*.rsp, gcmDecrypt*.rsp) from `cryptography-vectors`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rtl_vectors import read_vector_file

KEY_BITS = (128, 192, 256)
IV_BITS = 96                  # what the core takes (the TLS case); other IV lengths skipped


@dataclass(frozen=True)
class GcmVector:
    name: str
    key: bytes
    iv: bytes
    plaintext: bytes | None   # None: the decryption must fail (FAIL in the file)
    aad: bytes
    ciphertext: bytes
    tag: bytes                # 4..16 bytes: compare the core's tag prefix


def gcm_vectors(direction: str, bits: int) -> list[GcmVector]:
    """Every 96-bit-IV vector of one file; `direction` is "encrypt" or "decrypt"."""
    path = (f"ciphers/AES/GCM/gcmEncryptExtIV{bits}.rsp" if direction == "encrypt"
            else f"ciphers/AES/GCM/gcmDecrypt{bits}.rsp")
    vectors = []
    for section in re.split(r"(?=^\[Keylen)", read_vector_file(path), flags=re.M)[1:]:
        params = dict(re.findall(r"^\[(\w+) = (\d+)\]", section, re.M))
        if int(params["IVlen"]) != IV_BITS:
            continue
        for block in section.split("\n\n"):
            fields = dict(re.findall(r"^(\w+) = ?(\w*)", block, re.M))
            if "Count" not in fields:
                continue
            failing = re.search(r"^FAIL", block, re.M) is not None
            name = (f"{direction}{bits}-pt{params['PTlen']}-aad{params['AADlen']}"
                    f"-tag{params['Taglen']}-{fields['Count']}")
            vectors.append(GcmVector(
                name, bytes.fromhex(fields["Key"]), bytes.fromhex(fields["IV"]),
                None if failing else bytes.fromhex(fields["PT"]), bytes.fromhex(fields["AAD"]),
                bytes.fromhex(fields["CT"]), bytes.fromhex(fields["Tag"])))
    return vectors
