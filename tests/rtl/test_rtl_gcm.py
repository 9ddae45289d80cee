"""AES-GCM accelerator: NIST CAVP GCM vectors (encryption and decryption, every tag
length of the files, 96-bit IVs), hypothesis differential tests against `cryptography`,
the two key slots, the operation latencies and the streaming of blocks.

The full sets (15,750 vectors) run on the Verilator model under `slow`; the default run
takes one vector per (key size, lengths, tag length) combination of each file on the
Verilator model, and a few on Amaranth's simulator (that the back ends agree cycle for
cycle is tested on random traffic in test_rtl_busdev.py)."""

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtl_gcm_vectors import KEY_BITS, gcm_vectors

DIRECTIONS = ("encrypt", "decrypt")


def check(client, vector):
    """The core's result for one vector; a FAIL vector must not authenticate."""
    if vector.plaintext is not None and len(vector.ciphertext) == len(vector.plaintext) \
            and vector.name.startswith("encrypt"):
        ct, tag = client.encrypt(vector.key, vector.iv, vector.plaintext, vector.aad)
        return ct == vector.ciphertext and tag[:len(vector.tag)] == vector.tag
    pt, tag = client.decrypt(vector.key, vector.iv, vector.ciphertext, vector.aad)
    authentic = tag[:len(vector.tag)] == vector.tag
    if vector.plaintext is None:
        return not authentic
    return authentic and pt == vector.plaintext


def representatives(vectors):
    """The first vector of each parameter combination (lengths, tag length)."""
    seen, chosen = set(), []
    for v in vectors:
        kind = v.name.rsplit("-", 1)[0]
        if kind not in seen:
            seen.add(kind)
            chosen.append(v)
    return chosen


def failures(client, vectors):
    return [v.name for v in vectors if not check(client, v)]


@pytest.mark.parametrize("bits", KEY_BITS)
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_nist_gcm_representatives_verilator(gcm_verilator, direction, bits):
    vectors = representatives(gcm_vectors(direction, bits))
    assert len(vectors) == 5 * 5 * 7                 # PT and AAD lengths x tag lengths
    assert not failures(gcm_verilator, vectors)


@pytest.mark.parametrize("bits", KEY_BITS)
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_nist_gcm_samples_pysim(shared_gcm, direction, bits):
    vectors = representatives(gcm_vectors(direction, bits))
    longest = max(vectors, key=lambda v: (len(v.ciphertext), len(v.aad)))
    sample = [longest] + vectors[::40]
    if direction == "decrypt":                       # include a forgery
        sample.append(next(v for v in gcm_vectors(direction, bits) if v.plaintext is None))
    assert not failures(shared_gcm, sample)


@pytest.mark.slow
@pytest.mark.parametrize("bits", KEY_BITS)
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_nist_gcm_full_verilator(gcm_verilator, direction, bits):
    vectors = gcm_vectors(direction, bits)
    assert len(vectors) == 2625
    wrong = failures(gcm_verilator, vectors)
    assert not wrong, f"{len(wrong)} wrong: {wrong[:5]}"


@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
       iv=st.binary(min_size=12, max_size=12), plaintext=st.binary(max_size=70),
       aad=st.binary(max_size=40), slot=st.integers(0, 1))
def test_gcm_matches_cryptography(shared_gcm, key, iv, plaintext, aad, slot):
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    ct, tag = shared_gcm.encrypt(key, iv, plaintext, aad, slot=slot)
    assert ct + tag == sealed
    pt, tag2 = shared_gcm.decrypt(key, iv, ct, aad, slot=slot)
    assert pt == plaintext and tag2 == tag


def test_two_key_slots_switch_without_reexpansion(gcm):
    """Two traffic directions, one key each: after the first use of each, switching slots
    costs no key expansion and no H computation (INIT is one AES block)."""
    keys = (bytes(range(16)), bytes(range(100, 116)))
    iv = bytes(12)
    for slot, key in enumerate(keys):
        gcm.encrypt(key, iv, b"first", slot=slot)
    for _ in range(2):
        for slot, key in enumerate(keys):
            gcm.set_key(slot, key)
            gcm.write_bytes("IV", iv)
            start = gcm.start(op=0, slot=slot, keylen=0)
            assert gcm.poll_done() - start == INIT_KNOWN_H
            assert gcm.crypt(b"0123456789abcdef") == AESGCM(key).encrypt(iv, b"0123456789abcdef", b"")[:16]


# Latencies, START written to DONE read, AES-128 with its schedule and H known: the
# registered START, the cycle the core takes it, then per operation:
INIT_KNOWN_H = 1 + 1 + 1 + 11 + 1       # + H known?, E_K(J0) (11 cycles), store
AAD_CYCLES = 1 + 1 + 16 + 1             # + GHASH (16 cycles, 8 bits each), store
CRYPT_CYCLES = 1 + 1 + 11 + 16 + 1      # + AES, GHASH (from the output cycle on), store
TAG_CYCLES = AAD_CYCLES
STREAM_PERIOD = 1 + 11 + 16 + 1         # start, AES, GHASH, store: then the next block begins


def test_operation_latencies(gcm):
    key = bytes(range(16))
    gcm.encrypt(key, bytes(12), b"warm up")
    measured = {}
    gcm.write_bytes("IV", bytes(12))
    for op, data in (("INIT", b""), ("AAD", bytes(16)), ("ENCRYPT", bytes(16)), ("TAG", b"")):
        if data:
            gcm.write_bytes("DIN", data)
        start = gcm.start(op={"INIT": 0, "AAD": 1, "ENCRYPT": 2, "TAG": 4}[op], keylen=0)
        measured[op] = gcm.poll_done() - start
    assert measured == {"INIT": INIT_KNOWN_H, "AAD": AAD_CYCLES, "ENCRYPT": CRYPT_CYCLES,
                        "TAG": TAG_CYCLES}


def test_counter_register_increments_and_lengths_count(gcm):
    key, iv = bytes(range(32)), bytes(range(12))
    gcm.encrypt(key, iv, bytes(40), aad=bytes(20))
    assert gcm.read("CTR") == 2 + 3                  # INIT sets 2, three blocks
    assert gcm.read("AAD_BYTES") == 20 and gcm.read("TEXT_BYTES") == 40
    # CTR is writable: counter 3 is the second block's (the first one's is 2).
    gcm.begin(iv)
    gcm.write("CTR", 3)
    block = gcm.crypt(bytes(16))
    assert block == AESGCM(key).encrypt(iv, bytes(48), b"")[16:32]


@pytest.mark.parametrize("backend", ["pysim", "verilator"])
def test_streamed_encryption_with_autostart(backend):
    """Blocks queued while one runs (AUTOSTART on DIN[3]): the same ciphertext and tag,
    at the core's period (AES-128 then GHASH: 29 cycles per block)."""
    from tlscosim.rtl.busdev import RtlBusDevice
    from tlscosim.rtl.clients import GcmClient
    key, iv, plaintext = bytes(range(16)), bytes(range(12)), bytes(range(160))
    with RtlBusDevice("gcm", backend=backend) as dev:
        gcm = GcmClient(dev)
        gcm.set_key(0, key)
        gcm.begin(iv, b"header")
        start = gcm.cycle
        ciphertext = gcm.crypt_streaming(plaintext)
        cycles = gcm.cycle - start
        assert ciphertext + gcm.tag() == AESGCM(key).encrypt(iv, plaintext, b"header")
    assert cycles <= 10 * STREAM_PERIOD + 20
