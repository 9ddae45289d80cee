"""Deliberately broken RTL: --verify-offload names the first wrong operation (cycle, PC,
function, operands) and the firmware's own results disagree with the references
(accel_check for the AES and SHA-256 cores, Mbed TLS's GCM in accel_mbedtls for the GCM core)."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from elftools.elf.elffile import ELFFile

from tlscosim.sim.board.offload_verify import aes_block, sha256_compress

from conftest import run_on_board

EXPECTED_OPERATION = {
    "aes-sbox": re.compile(r"aes-(128|192|256) (en|de)crypt"),
    "aes-final-round": re.compile(r"aes-(128|192|256) (en|de)crypt"),
    "sha-k": re.compile(r"sha-(224|256) block( \(init\))?"),
    "sha-chain": re.compile(r"sha-256 block"),      # a resumed context (no INIT)
}


@pytest.mark.parametrize("fault", sorted(EXPECTED_OPERATION))
def test_verify_offload_reports_the_first_mismatch(accel_check_elf, fault):
    run = run_on_board(accel_check_elf, fault=fault)
    verify = run.offload["verify_offload"]
    assert run.offload["rtl_fault"] == fault
    assert verify["mismatches"] >= 1
    first = run.mismatches[0]
    op = first.operation
    assert EXPECTED_OPERATION[fault].fullmatch(op.kind), op.kind
    assert first.where.split("+")[0] == _function_at(accel_check_elf, op.pc)
    assert first.read_where.split("+")[0] == _function_at(accel_check_elf, first.pc_of_read)
    assert op.cycle < first.read_cycle
    # The reported expectation is the reference's, recomputed here from the operands.
    if op.device == "aes":
        bits = int(op.kind[4:7])
        key, data = bytes.fromhex(op.operands["key"]), bytes.fromhex(op.operands["in"])
        assert len(key) * 8 == bits
        ref = aes_block(key, data, op.kind.endswith("decrypt"))
        assert first.expected == int.from_bytes(ref[4 * first.index:4 * first.index + 4], "little")
    else:
        block = bytes.fromhex(op.operands["block"])
        if "chain" in op.operands:
            chain = [int(op.operands["chain"][8 * i:8 * i + 8], 16) for i in range(8)]
            assert first.expected == sha256_compress(chain, block)[first.index]
    assert first.got != first.expected
    text = first.format()
    assert f"started at cycle {op.cycle} by pc={op.pc:#010x} ({first.where})" in text
    assert f"the reference gives {first.expected:#010x}" in text
    # And the firmware saw wrong results: the app's own AES/SHA lines disagree with the
    # references (the suites' view of it).
    assert _wrong_results(run.uart) > 0


def _function_at(elf, pc: int) -> str:
    """The ELF's function symbol whose range holds `pc` (read with pyelftools here)."""
    with open(elf, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        for sym in symtab.iter_symbols():
            start = sym["st_value"] & ~1
            if sym["st_info"]["type"] == "STT_FUNC" and start <= pc < start + sym["st_size"]:
                return sym.name
    raise AssertionError(f"no function holds {pc:#x}")


def _wrong_results(uart: str) -> int:
    from test_accel_check import _aes, _cases
    wrong = 0
    for kind, f in _cases(uart):
        if kind.startswith("aes"):
            good = _aes(bytes.fromhex(f["key"]), bytes.fromhex(f["in"]), kind.endswith("dec")).hex()
            wrong += f["out"] != good
        else:
            h = hashlib.sha224 if kind.startswith("sha224") else hashlib.sha256
            wrong += f["digest"] != h(bytes.fromhex(f["msg"])).hexdigest()
    return wrong


def test_mismatches_make_the_run_fail_with_their_own_status(accel_check_elf, capsys):
    """The firmware exits 0 (it cannot tell), the verifier found it wrong: status 123."""
    from tlscosim.cli import main
    from tlscosim.sim.board.peripherals.accelerator_run import EXIT_OFFLOAD_MISMATCH

    assert main(["run", str(accel_check_elf), "--rtl-fault", "aes-sbox", "--verify-offload"]) \
        == EXIT_OFFLOAD_MISMATCH == 123
    err = capsys.readouterr().err
    assert "tlscosim: exit (code 0)" in err
    found = re.search(r"^tlscosim: error: --verify-offload found (\d+) operation\(s\) whose result differs from "
                      r"the reference: exit status 123 unless the firmware's own is non-zero$", err, re.M)
    assert found and int(found[1]) >= 1, err
    # Without the verifier the same run passes: the status is the firmware's.
    assert main(["run", str(accel_check_elf), "--rtl-fault", "aes-sbox", "-q"]) == 0


# -- the GCM core's variants under Mbed TLS (MBEDTLS_GCM_ALT): accel_mbedtls seals one
# message, AES-128-GCM with 20 bytes of AAD and 100 of text (7 blocks, the last short).

GCM_LINE = re.compile(r"^gcm (.*)$", re.M)
# variant -> the first wrong operation, the function that started it, how many results the
# verifier finds wrong: only the tag (the keystream is right), or blocks 2..7 and the tag.
GCM_FIRST_MISMATCH = {
    "gcm-ghash": ("gcm-128 tag", "accel_gcm_tag", 1),
    "gcm-counter": ("gcm-128 encrypt", "accel_gcm_crypt_blocks", 6 + 1),
}


@pytest.fixture(scope="module")
def accel_mbedtls_elf():
    from tlscosim.fw.build import build_firmware
    return build_firmware(["accel_mbedtls"]).elfs["accel_mbedtls"]


@pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")
@pytest.mark.parametrize("fault", sorted(GCM_FIRST_MISMATCH))
def test_verify_offload_names_the_first_wrong_gcm_result(accel_mbedtls_elf, fault):
    run = run_on_board(accel_mbedtls_elf, backend="verilator", fault=fault)
    assert run.result.exit_code == 0                   # Mbed TLS cannot tell
    fields = dict(kv.split("=", 1) for kv in GCM_LINE.search(run.uart)[1].split())
    key, iv, aad, text = (bytes.fromhex(fields[k]) for k in ("key", "iv", "aad", "in"))
    out, tag = bytes.fromhex(fields["out"]), bytes.fromhex(fields["tag"])
    sealed = AESGCM(key).encrypt(iv, text, aad)
    ref_out, ref_tag = sealed[:-16], sealed[-16:]
    kind, function, wrong = GCM_FIRST_MISMATCH[fault]
    verify = run.offload["verify_offload"]
    assert run.offload["rtl_fault"] == fault and verify["mismatches"] == wrong
    first = run.mismatches[0]
    op = first.operation
    assert (op.device, op.kind) == ("gcm", kind)
    assert first.where.split("+")[0] == _function_at(accel_mbedtls_elf, op.pc) == function
    assert first.read_where.split("+")[0] == _function_at(accel_mbedtls_elf, first.pc_of_read) == function
    # Mbed TLS's result is wrong where the variant breaks it; the verifier's expectation
    # is cryptography's and what it read is what Mbed TLS got.
    assert tag != ref_tag
    if fault == "gcm-ghash":
        assert out == ref_out
        assert op.operands == {"slot": "0", "key": key.hex(), "aad_bytes": "20", "text_bytes": "100"}
        wrong_word, good_word = tag, ref_tag
    else:
        blocks = range(0, len(text), 16)
        assert [out[i:i + 16] == ref_out[i:i + 16] for i in blocks] == [True] + [False] * 6
        assert op.operands == {"slot": "0", "key": key.hex(), "ctr": "3", "in": text[16:32].hex()}
        wrong_word, good_word = out[16:32], ref_out[16:32]
    i = first.index
    assert first.register == "DOUT"
    assert first.expected == int.from_bytes(good_word[4 * i:4 * i + 4], "little") != first.got
    assert first.got == int.from_bytes(wrong_word[4 * i:4 * i + 4], "little")
    assert f"gcm: {kind} started at cycle {op.cycle} by pc={op.pc:#010x} ({first.where}) with slot=0, " \
           f"key={key.hex()}, " in first.format()
