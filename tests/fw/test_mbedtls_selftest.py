"""Mbed TLS 3.6.6 on the board: its self-tests, ECDSA P-256 (RFC 6979), ECDH P-256 and
X25519 (RFC 7748) pass on tlscosim and under QEMU with the same output, on both boards.
The published answers are checked in the firmware; the ECDSA signature it prints is also
recomputed here with `cryptography` (deterministic ECDSA, RFC 6979)."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu
from tlscosim.sim.frontends.runner import run_elf

APP = "mbedtls_selftest"
MAX_CYCLES = 8_000_000_000
# Every self-test that the project's configuration enables (sw/mbedtls/), plus the checks
# against published vectors.
EXPECTED_TESTS = [
    "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "aes", "gcm", "ccm", "cmac", "nist_kw",
    "chacha20", "poly1305", "chachapoly", "base64", "mpi", "rsa", "dhm", "ecp", "pkcs5", "entropy",
    "ctr_drbg", "hmac_drbg", "ecdsa_p256_public_key", "ecdsa_p256_sign_rfc6979", "ecdsa_p256_verify",
    "ecdh_p256_gen_public", "ecdh_p256_shared", "x25519_public", "x25519_shared_rfc7748",
]
RFC6979_PRIVATE_KEY = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721


def functional(output: bytes) -> list[str]:
    """UART output without the lines carrying cycle figures and the board's name."""
    lines = output.decode().splitlines()
    return [line for line in lines if "cycles=" not in line and not line.startswith("Mbed TLS ")]


def cycle_figures(output: bytes) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+) cycles=(\d+)$", output.decode(), re.M)}


@pytest.fixture(scope="module")
def elfs():
    return {board: build_firmware([APP], board=board).elfs[APP] for board in ("mps2-an386", "stm32f4-like")}


@pytest.fixture(scope="module")
def qemu_run(elfs):
    result = run_qemu(elfs["mps2-an386"], timeout_s=120)
    assert not result.timed_out
    return result


@pytest.fixture(scope="module")
def sim_run(elfs):
    return run_elf(elfs["mps2-an386"], max_cycles=MAX_CYCLES, timeout_s=300)


def test_all_pass_under_qemu(qemu_run):
    lines = functional(qemu_run.output)
    assert qemu_run.exit_code == 0
    assert lines[-1] == f"{len(EXPECTED_TESTS)} passed, 0 failed"
    results = [line for line in lines if re.fullmatch(r"\w+: (passed|FAILED.*)", line)]
    assert results == [f"{name}: passed" for name in EXPECTED_TESTS]


def test_tlscosim_output_equals_qemu(sim_run, qemu_run):
    assert sim_run.exit_code == 0, sim_run.stop_reason
    assert functional(sim_run.uart_output) == functional(qemu_run.output)


def test_ecdsa_signature_is_rfc6979s(qemu_run):
    printed = dict(re.findall(r"^  ([rs]) = ([0-9A-F]+)$", qemu_run.output.decode(), re.M))
    key = ec.derive_private_key(RFC6979_PRIVATE_KEY, ec.SECP256R1())
    der = key.sign(b"sample", ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    assert printed == {"r": f"{r:064X}", "s": f"{s:064X}"}


def test_cycle_figures_on_the_board_and_zero_under_qemu(sim_run, qemu_run):
    sim, qemu = cycle_figures(sim_run.uart_output), cycle_figures(qemu_run.output)
    assert list(sim) == list(qemu) == EXPECTED_TESTS
    assert set(qemu.values()) == {0}      # QEMU's DWT reads 0
    # Public-key work costs millions of cycles; a SHA-256 self-test far less than ECDSA verify.
    assert sim["ecdsa_p256_verify"] > 1_000_000 and sim["x25519_shared_rfc7748"] > 1_000_000
    assert 0 < sim["poly1305"] < sim["ecdsa_p256_verify"]


def test_stm32f4_like_flat_timing_same_output(elfs, qemu_run):
    run = run_elf(elfs["stm32f4-like"], board="stm32f4-like", timing="flat", max_cycles=MAX_CYCLES, timeout_s=300)
    assert run.exit_code == 0, run.stop_reason
    assert functional(run.uart_output) == functional(qemu_run.output)


@pytest.mark.slow
def test_stm32f4_like_cortex_m4_timing_same_output(elfs, qemu_run):
    run = run_elf(elfs["stm32f4-like"], board="stm32f4-like", timing="cortex-m4", max_cycles=MAX_CYCLES,
                  timeout_s=600)
    assert run.exit_code == 0, run.stop_reason
    assert functional(run.uart_output) == functional(qemu_run.output)
