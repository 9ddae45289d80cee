"""`tlscosim rtl sim CORE`: a known-answer run of one accelerator through its bus driver.

AES: the FIPS-197 Appendix C examples, both directions, every key size. SHA-256/224:
messages of 0, 3, 55, 56 and 200 bytes against hashlib. AES-GCM: messages and AAD of
several lengths, every key size, both slots, against `cryptography`'s AESGCM. Prints
each check with the cycles it took; returns the number of failures.
"""

import hashlib

from .busdev import RtlBusDevice
from .clients import AesClient, GcmClient, Sha256Client

FIPS197_PLAINTEXT = bytes.fromhex("00112233445566778899aabbccddeeff")
FIPS197_CIPHERTEXTS = {        # FIPS-197 Appendix C.1-C.3, key = 00 01 02 ... (16/24/32 bytes)
    128: bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a"),
    192: bytes.fromhex("dda97ca4864cdfe06eaf70a0ec0d7191"),
    256: bytes.fromhex("8ea2b7ca516745bfeafc49904b496089"),
}
HASH_LENGTHS = (0, 3, 55, 56, 200)


def _check(out, name: str, got: bytes, want: bytes, cycles: int) -> int:
    ok = got == want
    out(f"  {'ok  ' if ok else 'FAIL'} {name:22} {cycles:5d} cycles  {got.hex()}")
    return 0 if ok else 1


def run_aes(dev: RtlBusDevice, out=print) -> int:
    client, failures = AesClient(dev), 0
    for bits, ciphertext in FIPS197_CIPHERTEXTS.items():
        client.set_key(bytes(range(bits // 8)))
        for decrypt, data, want in ((False, FIPS197_PLAINTEXT, ciphertext),
                                    (True, ciphertext, FIPS197_PLAINTEXT)):
            start = client.cycle
            got = client.crypt_block(data, decrypt)
            name = f"AES-{bits} {'decrypt' if decrypt else 'encrypt'}"
            failures += _check(out, name, got, want, client.cycle - start)
    return failures


def run_sha256(dev: RtlBusDevice, out=print) -> int:
    client, failures = Sha256Client(dev), 0
    for length in HASH_LENGTHS:
        message = bytes(i & 0xFF for i in range(length))
        for sha224, reference in ((False, hashlib.sha256), (True, hashlib.sha224)):
            start = client.cycle
            got = client.hash(message, sha224)
            name = f"{'SHA-224' if sha224 else 'SHA-256'} {length} bytes"
            failures += _check(out, name, got, reference(message).digest(), client.cycle - start)
    return failures


GCM_CASES = ((16, 0, 0), (16, 16, 0), (24, 20, 13), (32, 60, 20))   # key, text, AAD bytes


def run_gcm(dev: RtlBusDevice, out=print) -> int:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    client, failures = GcmClient(dev), 0
    for slot, (key_bytes, text_bytes, aad_bytes) in enumerate(GCM_CASES):
        key, iv = bytes(range(key_bytes)), bytes(range(100, 112))
        text, aad = bytes(i & 0xFF for i in range(text_bytes)), bytes(range(aad_bytes))
        start = client.cycle
        ciphertext, tag = client.encrypt(key, iv, text, aad, slot=slot % 2)
        name = f"AES-{8 * key_bytes}-GCM {text_bytes}+{aad_bytes} bytes"
        failures += _check(out, name, ciphertext + tag, AESGCM(key).encrypt(iv, text, aad),
                           client.cycle - start)
    return failures


RUNNERS = {"aes": run_aes, "sha256": run_sha256, "gcm": run_gcm}
