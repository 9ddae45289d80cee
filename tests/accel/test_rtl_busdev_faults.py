"""RtlBusDevice(design=..., fault=...): the public way for tests and scripts to run a
chosen or deliberately broken accelerator design (references: `cryptography`)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tlscosim.rtl.aes_accel import AesAccelerator
from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient
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
