"""Zeroization: after CLEAR and after reset, every flip-flop and every memory row of an
accelerator holds what it holds in a device fresh from power-on, whatever keys and data
it processed before (read in simulation, all storage elements found by walking the
design, so none can be forgotten). Only non-secret bookkeeping may survive CLEAR."""

import os

import pytest

from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient, GcmClient, Sha256Client

CLIENTS = {"aes": AesClient, "sha256": Sha256Client, "gcm": GcmClient}

# What CLEAR keeps on purpose (reset clears it too): the interrupt enable and the
# block counter, neither derived from keys or data.
SURVIVES_CLEAR = {"top.dut.irq_enabled", "top.dut.blocks"}


def settled(client):
    client.wait_idle()
    client.dev.advance_to(client.cycle + 8)          # S-box outputs re-read their addresses
    return client.dev.storage()


def fresh_storage(core):
    with RtlBusDevice(core) as dev:
        return settled(CLIENTS[core](dev))


def use_aes(client):
    """Expand a random 256-bit key, stream blocks both ways, stop with two in flight."""
    key, data = os.urandom(32), os.urandom(64)
    client.stream(key, data, decrypt=False)
    client.stream(key, data, decrypt=True)
    client.write("IRQ_ENABLE", client.fields("IRQ_ENABLE", done=1))
    client.start_block(os.urandom(16), decrypt=False)
    client.poll("INPUT_READY")
    client.start_block(os.urandom(16), decrypt=True)
    assert client.field("STATUS", "BUSY", client.read("STATUS"))


def use_sha(client):
    client.stream_blocks([os.urandom(64) for _ in range(3)], init=True)
    client.write("IRQ_ENABLE", client.fields("IRQ_ENABLE", done=1))
    client.start_block(os.urandom(64), init=False)
    client.poll("INPUT_READY")
    client.write_bytes("BLOCK", os.urandom(64))
    assert client.field("STATUS", "BUSY", client.read("STATUS"))


def use_gcm(client):
    """Both key slots, a message with AAD, and a block running when the wipe comes."""
    client.encrypt(os.urandom(32), os.urandom(12), os.urandom(40), os.urandom(20), slot=1)
    client.encrypt(os.urandom(16), os.urandom(12), os.urandom(20), os.urandom(5), slot=0)
    client.write("IRQ_ENABLE", client.fields("IRQ_ENABLE", done=1))
    client.write_bytes("DIN", os.urandom(16))
    client.start(op=2, keylen=0)
    assert client.field("STATUS", "BUSY", client.read("STATUS"))


USE = {"aes": use_aes, "sha256": use_sha, "gcm": use_gcm}

# Storage that must hold key- or data-derived values while in use (so that the
# comparison after wiping is not vacuous).
SECRETS = {
    "aes": ("top.dut.key", "top.dut.din", "top.dut.core.round_keys", "top.dut.core.dout",
            "top.dut.core.sbox"),
    "sha256": ("top.dut.block", "top.dut.core.w", "top.dut.core.h", "top.dut.core.work"),
    "gcm": ("top.dut.key0", "top.dut.key1", "top.dut.iv", "top.dut.din", "top.dut.core.h0",
            "top.dut.core.h1", "top.dut.core.ej0", "top.dut.core.y", "top.dut.core.dout",
            "top.dut.core.aes.round_keys", "top.dut.core.aes.sbox", "top.dut.core.ghash"),
}


@pytest.mark.parametrize("event", ["clear", "reset"])
@pytest.mark.parametrize("core", ["aes", "sha256", "gcm"])
def test_every_storage_element_is_wiped(core, event):
    reference = fresh_storage(core)
    with RtlBusDevice(core) as dev:
        client = CLIENTS[core](dev)
        client.wait_idle()
        USE[core](client)
        dirty = dev.storage()
        for prefix in SECRETS[core]:
            assert any(v != reference[n] for n, v in dirty.items() if n.startswith(prefix)), prefix
        if event == "clear":
            client.clear()
            assert client.field("STATUS", "BUSY", client.read("STATUS"))
        else:
            dev.reset(client.cycle)
        wiped = settled(client)
    assert wiped.keys() == reference.keys()
    kept = SURVIVES_CLEAR if event == "clear" else set()
    differing = sorted(name for name in reference if wiped[name] != reference[name])
    assert differing == sorted(kept)


@pytest.mark.parametrize("core", ["aes", "sha256"])
def test_the_core_works_after_clear(core):
    import hashlib

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    with RtlBusDevice(core) as dev:
        if core == "aes":
            client = AesClient(dev)
            client.wait_idle()
            key = bytes(range(16))
            client.ecb(key, bytes(16))
            client.clear()
            client.wait_idle()
            assert client.read("STATUS") == client.fields("STATUS", input_ready=1)
            client.loaded_key = None                # KEY was wiped
            want = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(bytes(32))
            assert client.ecb(key, bytes(32)) == want
        else:
            client = Sha256Client(dev)
            client.hash(b"abc")
            client.clear()
            client.wait_idle()                      # BUSY in the cycle CLEAR takes effect
            assert client.state() == [0] * 8
            assert client.hash(b"abc") == hashlib.sha256(b"abc").digest()


def test_aes_clear_takes_the_wipe_time():
    """CLEAR is registered (one cycle), then the core wipes 16 round-key rows."""
    with RtlBusDevice("aes") as dev:
        client = AesClient(dev)
        client.wait_idle()
        written = client.clear()
        # the write, the registered CLEAR, 16 rows, then the STATUS read that saw it idle
        assert client.wait_idle() == written + 2 + 16 + 1
