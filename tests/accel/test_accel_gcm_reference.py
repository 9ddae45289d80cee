"""The offload verifier's GCM reference (sim/board/offload_verify_gcm.py) against cryptography's
AESGCM: the state it advances per core operation gives AESGCM's ciphertext and tag."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from tlscosim.sim.board.offload_verify_gcm import GcmMessage, ghash_multiply


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


# -- the verifier on a hand-made access trace -------------------------------------------------

from tlscosim.rtl.regmaps import GCM_OPS, register_map          # noqa: E402
from tlscosim.sim.board.offload_verify import Access, OffloadVerifier  # noqa: E402

MAP = register_map("gcm")


def _ctrl(op: str, count: int = 0) -> int:
    ctrl = MAP["CTRL"]
    word = ctrl.field("START").insert(0, 1)
    word = ctrl.field("OP").insert(word, GCM_OPS[op])
    return ctrl.field("BYTES").insert(word, count & 15)


def _trace(key: bytes, iv: bytes, text: bytes, corrupt_word: int | None = None):
    """A message as the driver makes it: key, IV, INIT, one ENCRYPT per block, TAG, every
    result read after STATUS shows OUTPUT_VALID (words as the RTL would answer)."""
    sealed = AESGCM(key).encrypt(iv, text, b"")
    cycle = 0

    def access(register, index, write, value):
        nonlocal cycle
        cycle += 10
        return Access("gcm", register, index, write, value, 0xFFFFFFFF, False, cycle, 0x100)

    def words(data):
        return [int.from_bytes(data[i:i + 4].ljust(4, b"\0"), "little") for i in range(0, 16, 4)]

    status_valid = MAP["STATUS"].field("OUTPUT_VALID").mask | MAP["STATUS"].field("DONE").mask
    trace = [access("KEY0", i, True, w) for i, w in enumerate(words(key))]
    trace += [access("IV", i, True, int.from_bytes(iv[4 * i:4 * i + 4], "little")) for i in range(3)]
    trace.append(access("CTRL", 0, True, _ctrl("INIT")))
    outputs = [sealed[i:min(i + 16, len(text))] for i in range(0, len(text), 16)] + [sealed[-16:]]
    for n, i in enumerate(range(0, len(text), 16)):
        block = text[i:i + 16]
        trace += [access("DIN", k, True, w) for k, w in enumerate(words(block))]
        trace.append(access("CTRL", 0, True, _ctrl("ENCRYPT", len(block))))
        trace.append(access("STATUS", 0, False, status_valid))
        trace += [access("DOUT", k, False, w) for k, w in enumerate(words(outputs[n]))]
    trace.append(access("CTRL", 0, True, _ctrl("TAG")))
    trace.append(access("STATUS", 0, False, status_valid))
    trace += [access("DOUT", k, False, w) for k, w in enumerate(words(outputs[-1]))]
    if corrupt_word is not None:
        reads = [j for j, a in enumerate(trace) if a.register == "DOUT"]
        a = trace[reads[corrupt_word]]
        trace[reads[corrupt_word]] = Access(a.device, a.register, a.index, a.write, a.value ^ 1, a.mask,
                                            a.busy, a.cycle, a.pc)
    return trace


def _verify(trace) -> OffloadVerifier:
    verifier = OffloadVerifier()
    verifier.attach("gcm", "gcm")
    for access in trace:
        verifier.observe(access)
    return verifier


def test_verifier_accepts_a_correct_gcm_message():
    verifier = _verify(_trace(bytes(range(16)), bytes(12), bytes(range(40))))
    assert verifier.started == 1 + 3 + 1 and verifier.checked == 3 + 1
    assert verifier.mismatches == []


def test_verifier_names_a_wrong_tag():
    trace = _trace(bytes(range(16)), bytes(12), bytes(range(40)), corrupt_word=-1)
    mismatch, = _verify(trace).mismatches
    assert mismatch.operation.kind == "gcm-128 tag" and mismatch.register == "DOUT" and mismatch.index == 3


def test_verifier_names_a_wrong_ciphertext_block():
    trace = _trace(bytes(range(16)), bytes(12), bytes(range(40)), corrupt_word=5)
    mismatch, = _verify(trace).mismatches
    assert mismatch.operation.kind == "gcm-128 encrypt" and mismatch.operation.operands["ctr"] == "3"
