"""RtlBusDevice(design=..., fault=...): the public way for tests and scripts to run a
chosen or deliberately broken accelerator design (references: `cryptography`)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tlscosim.rtl.aes_accel import AesAccelerator
from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient, GcmClient
from tlscosim.sim.board.peripherals.accelerator_faults import FAULTS

KEY, BLOCK = bytes(range(16)), bytes(16)    # an all-zero block meets S[0x00] at once


def _encrypt(dev) -> bytes:
    return AesClient(dev).ecb(KEY, BLOCK)


def _reference() -> bytes:
    enc = Cipher(algorithms.AES(KEY), modes.ECB()).encryptor()
    return enc.update(BLOCK) + enc.finalize()


def test_a_given_design_is_simulated():
    with RtlBusDevice("aes", design=AesAccelerator()) as dev:
        assert _encrypt(dev) == _reference()


@pytest.mark.parametrize("fault", ["aes-sbox", FAULTS["aes-sbox"]])
def test_a_fault_by_name_or_object_breaks_the_design(fault):
    with RtlBusDevice("aes", fault=fault) as dev:
        assert _encrypt(dev) != _reference()
    with RtlBusDevice("aes") as dev:          # the planting does not outlive the build
        assert _encrypt(dev) == _reference()


@pytest.mark.parametrize("kwargs, message", [
    ({"fault": "sha-k"}, "fault sha-k is a fault of the sha256 core, not of aes"),
    ({"design": object(), "backend": "verilator"}, "design= needs the pysim back end and no fault="),
    ({"design": object(), "fault": "aes-sbox"}, "design= needs the pysim back end and no fault="),
])
def test_bad_combinations_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RtlBusDevice("aes", **kwargs)


# -- the GCM core's variants against cryptography's AESGCM ------------------------------------

GCM_KEY, GCM_IV = bytes(range(32, 48)), bytes(range(100, 112))
GCM_AAD, GCM_TEXT = b"20 bytes of AAD here", bytes(range(50))   # 4 text blocks, the last short


def _gcm_seal(dev) -> tuple[bytes, bytes]:
    return GcmClient(dev).encrypt(GCM_KEY, GCM_IV, GCM_TEXT, GCM_AAD)


def _gcm_open(dev, ciphertext: bytes) -> tuple[bytes, bytes]:
    return GcmClient(dev).decrypt(GCM_KEY, GCM_IV, ciphertext, GCM_AAD)


def test_gcm_ghash_fault_breaks_every_tag_and_no_ciphertext():
    sealed = AESGCM(GCM_KEY).encrypt(GCM_IV, GCM_TEXT, GCM_AAD)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    with RtlBusDevice("gcm", fault="gcm-ghash") as dev:
        got_ct, got_tag = _gcm_seal(dev)
        plain, open_tag = _gcm_open(dev, ciphertext)
    assert got_ct == ciphertext and got_tag != tag          # the keystream is right
    assert plain == GCM_TEXT and open_tag != tag           # so a decryption fails to authenticate
    with RtlBusDevice("gcm") as dev:                        # the shipped design, built after it
        assert _gcm_seal(dev) == (ciphertext, tag)


def test_gcm_counter_fault_breaks_every_block_after_the_first():
    sealed = AESGCM(GCM_KEY).encrypt(GCM_IV, GCM_TEXT, GCM_AAD)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    with RtlBusDevice("gcm", fault="gcm-counter") as dev:
        got_ct, got_tag = _gcm_seal(dev)
        plain, open_tag = _gcm_open(dev, ciphertext)
    blocks = range(0, len(GCM_TEXT), 16)
    assert [got_ct[i:i + 16] == ciphertext[i:i + 16] for i in blocks] == [True, False, False, False]
    assert got_tag != tag
    # Block k takes counter 2k instead of k + 1 (J0 + 1 = counter 2): the reference's
    # keystream for counter 4 is what the core XORed into the second block.
    stream4 = AESGCM(GCM_KEY).encrypt(GCM_IV, bytes(48), b"")[32:48]
    assert bytes(a ^ b for a, b in zip(got_ct[16:32], GCM_TEXT[16:32])) == stream4
    # Decrypting hashes the ciphertext it is given, so the tag authenticates a wrong text.
    assert open_tag == tag and plain[:16] == GCM_TEXT[:16] and plain[16:] != GCM_TEXT[16:]
    with RtlBusDevice("gcm") as dev:
        assert _gcm_seal(dev) == (ciphertext, tag)
