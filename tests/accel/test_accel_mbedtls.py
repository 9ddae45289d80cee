"""Mbed TLS on the accelerators: its public APIs give the references' results, the
hardware did the blocks (BLOCKS counters, --verify-offload), the same ELF falls back to
Mbed TLS's software under QEMU with the same results, and the hardware-only build
links no software block code (symbols)."""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu

from conftest import run_on_board

RESULT = re.compile(r"^(ecb|cbc|gcm|ccm|sha256|sha224|hmac-sha256)( context=\d)? (.*)$")


@pytest.fixture(scope="module")
def elfs():
    return build_firmware(["accel_mbedtls", "accel_selftest", "accel_selftest_hwonly"]).elfs


@pytest.fixture(scope="module")
def board_run(elfs):
    return run_on_board(elfs["accel_mbedtls"])


def _results(uart: str) -> list[tuple[str, dict]]:
    found = []
    for line in uart.splitlines():
        m = RESULT.match(line)
        if m:
            found.append((m[1], dict(kv.split("=", 1) for kv in m[3].split())))
    return found


def _expected(kind: str, f: dict) -> dict:
    b = {k: bytes.fromhex(v) for k, v in f.items() if k not in ("roundtrip",)}
    if kind == "ecb":
        enc = Cipher(algorithms.AES(b["key"]), modes.ECB()).encryptor()
        return {"out": enc.update(b["in"]).hex()}
    if kind == "cbc":
        enc = Cipher(algorithms.AES(b["key"]), modes.CBC(b["iv"])).encryptor()
        return {"out": enc.update(b["in"]).hex(), "roundtrip": "1"}
    if kind == "gcm":
        sealed = AESGCM(b["key"]).encrypt(b["iv"], b["in"], b["aad"])
        return {"out": sealed[:-16].hex(), "tag": sealed[-16:].hex()}
    if kind == "ccm":
        sealed = AESCCM(b["key"], tag_length=16).encrypt(b["iv"], b["in"], b["aad"])
        return {"out": sealed[:-16].hex(), "tag": sealed[-16:].hex()}
    if kind == "hmac-sha256":
        return {"mac": hmac.new(b["key"], b["msg"], hashlib.sha256).hexdigest()}
    h = hashlib.sha224 if kind == "sha224" else hashlib.sha256
    return {"digest": h(b["msg"]).hexdigest()}


def _check_against_references(uart: str) -> int:
    results = _results(uart)
    for kind, fields in results:
        expected = _expected(kind, fields)
        assert {k: fields[k] for k in expected} == expected, (kind, fields)
    return len(results)


def test_mbedtls_on_the_accelerators_gives_the_references_results(board_run):
    assert board_run.result.exit_code == 0, board_run.uart
    assert _check_against_references(board_run.uart) == 6 + 1 + 2 + 5 + 3 + 1
    assert "passed: 0 failures" in board_run.uart


def test_the_hardware_did_the_work(board_run):
    printed = re.search(r"^blocks aes=(\d+) sha256=(\d+)$", board_run.uart, re.M)
    blocks = board_run.offload["blocks"]
    assert {c: blocks[c] for c in ("aes", "sha256")} == {"aes": int(printed[1]), "sha256": int(printed[2])}
    assert blocks["aes"] > 0 and blocks["sha256"] > 0
    # AES-GCM, 100 bytes with 20 of AAD: INIT, 2 AAD, 7 text blocks, TAG; all but INIT
    # and AAD have a result to check.
    assert blocks["gcm"] == 1 + 2 + 7 + 1
    verify = board_run.offload["verify_offload"]
    assert verify["operations"] == sum(blocks.values())
    assert verify["checked"] == blocks["aes"] + blocks["sha256"] + 7 + 1
    assert verify["mismatches"] == 0


def test_qemu_runs_the_software_fallback_with_the_same_results(elfs, board_run):
    result = run_qemu(elfs["accel_mbedtls"], timeout_s=60)
    uart = result.output.decode()
    assert result.exit_code == 0, uart
    assert _results(uart) == _results(board_run.uart)
    assert "blocks aes=0 sha256=0" in uart


BLOCK_FUNCTIONS = ("mbedtls_aes_setkey_enc", "mbedtls_aes_setkey_dec", "mbedtls_internal_aes_encrypt",
                   "mbedtls_internal_aes_decrypt", "mbedtls_internal_sha256_process")
# What Mbed TLS's software AES and SHA-256 bring along: their tables (aes.c, sha256.c).
SOFTWARE_TABLES = {"FSb": "aes.c", "RSb": "aes.c", "FT0": "aes.c", "RT0": "aes.c", "K": "sha256.c"}


def _symbols(elf) -> dict[str, list[str]]:
    """name -> source files (arm-none-eabi-nm -l: from the debug line info)."""
    out = subprocess.run(["arm-none-eabi-nm", "-l", str(elf)], capture_output=True, text=True, check=True).stdout
    symbols: dict[str, list[str]] = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3:
            where = parts[3].split("\t")[-1] if len(parts) == 4 else ""
            name = parts[2].split("\t")[0]
            symbols.setdefault(name, []).append(where.rsplit("/", 1)[-1].split(":")[0])
    return symbols


def test_hardware_only_build_links_no_software_block_code(elfs):
    hw_only, fallback = _symbols(elfs["accel_selftest_hwonly"]), _symbols(elfs["accel_selftest"])
    for name in BLOCK_FUNCTIONS:
        assert hw_only[name] == ["accel_alt.c"], name
        assert fallback[name] == ["accel_alt.c"], name
        assert f"tlscosim_sw_{name.removeprefix('mbedtls_')}" not in hw_only
        assert f"tlscosim_sw_{name.removeprefix('mbedtls_')}" in fallback     # the check can see them
    for table, source in SOFTWARE_TABLES.items():
        assert source not in hw_only.get(table, []), table
        assert source in fallback[table], table


@pytest.mark.parametrize("fault", ["aes-sbox", "aes-final-round", "sha-k", "sha-chain"])
def test_a_broken_accelerator_breaks_mbedtls_and_is_caught(elfs, fault):
    run = run_on_board(elfs["accel_mbedtls"], fault=fault)
    wrong = 0
    for kind, fields in _results(run.uart):
        expected = _expected(kind, fields)
        wrong += {k: fields[k] for k in expected} != expected
    assert wrong > 0
    assert run.offload["verify_offload"]["mismatches"] > 0
    assert run.mismatches[0].operation.device == ("aes" if fault.startswith("aes") else "sha256")


def test_hardware_only_build_fails_without_the_accelerators(elfs):
    """Under QEMU (IDs read 0) the hardware-only self-tests have nothing to fall back on."""
    result = run_qemu(elfs["accel_selftest_hwonly"], timeout_s=120)
    uart = result.output.decode()
    assert result.exit_code != 0
    # -0x70 = -112: MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED, what accel_alt.c returns then.
    for name in ("aes", "gcm", "cmac", "sha224", "sha256"):
        assert re.search(rf"^{name}: FAILED \(-112\)$", uart, re.M), (name, uart)
    assert re.search(r"^md5: passed", uart, re.M)          # what is not offloaded still works


SELFTEST_MAX_CYCLES = 2_000_000_000


@pytest.mark.slow
def test_mbedtls_self_tests_pass_on_the_accelerators_as_in_software(elfs):
    """All Mbed TLS self-tests: the same lines as the software build (cycle figures
    aside), every accelerator operation verified. ~4 minutes on the Verilator model."""
    software = run_on_board(build_firmware(["mbedtls_selftest"]).elfs["mbedtls_selftest"], backend="verilator",
                            max_cycles=SELFTEST_MAX_CYCLES)
    offload = run_on_board(elfs["accel_selftest"], backend="verilator", max_cycles=SELFTEST_MAX_CYCLES)

    def lines(run):
        return [line for line in run.uart.splitlines() if " cycles=" not in line]
    assert offload.result.exit_code == software.result.exit_code == 0
    assert lines(offload) == lines(software)
    assert re.search(r"^(\d+) passed, 0 failed$", offload.uart, re.M)
    assert {c: software.offload["blocks"][c] for c in ("aes", "sha256")} == {"aes": 0, "sha256": 0}      # the RTL did no block
    assert offload.offload["blocks"]["aes"] > 100_000 and offload.offload["blocks"]["sha256"] > 30_000
    verify = offload.offload["verify_offload"]
    assert verify["mismatches"] == 0 and verify["checked"] == verify["operations"]
