"""Mbed TLS's own test suites on the accelerators: the same pass/fail/skip counts as the
software build, the hardware did blocks (every one verified), and a broken RTL makes
the suite fail and is named by --verify-offload."""

from __future__ import annotations

import re
import shutil

import pytest

import offload_suites
from tlscosim.suites import catalog, runner

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")


def _counts(outcome):
    return outcome.passed, outcome.failed, outcome.skipped


def _compare(name: str, device: str):
    plain, accel = offload_suites.build([name])
    software, sw_offload = offload_suites.run(name, plain[name], backend="verilator")
    offloaded, hw_offload = offload_suites.run(name, accel[name], backend="verilator", verify=True)
    assert software.complete and offloaded.complete
    assert _counts(offloaded) == _counts(software)
    assert software.failed == 0 and software.passed > 0
    assert {c: sw_offload["blocks"][c] for c in ("aes", "sha256")} == {"aes": 0, "sha256": 0}         # plain Mbed TLS: no hardware
    assert hw_offload["blocks"][device] > 0
    verify = hw_offload["verify_offload"]
    assert verify["operations"] == verify["checked"] == sum(n or 0 for n in hw_offload["blocks"].values())
    assert verify["mismatches"] == 0


@pytest.mark.parametrize("name, device", [("aes.ecb", "aes"), ("cipher.aes", "aes"), ("md", "sha256")])
def test_suite_on_the_accelerators(name, device):
    _compare(name, device)


@pytest.mark.parametrize("fault, suite", [("aes-sbox", "aes.ecb"), ("aes-final-round", "aes.ecb"),
                                          ("sha-k", "md"), ("sha-chain", "md")])
def test_a_suite_fails_on_each_broken_rtl(fault, suite):
    """Every deliberately broken variant: the suite on it has failures, and the verifier
    names the first wrong operation of that core."""
    _plain, accel = offload_suites.build([suite])
    outcome, offload = offload_suites.run(suite, accel[suite], backend="verilator", fault=fault, verify=True)
    assert outcome.complete and outcome.failed > 0
    first = offload["verify_offload"]["first_mismatch"]
    assert offload["verify_offload"]["mismatches"] > 0
    assert first["device"] == ("aes" if fault.startswith("aes") else "sha256")
    assert first["operation"].startswith("aes-" if fault.startswith("aes") else "sha-")
    assert first["function"] != "?" and first["operands"]


@pytest.mark.slow
@pytest.mark.parametrize("name, device", [("shax", "sha256"), ("ccm", "aes"), ("aes.cbc", "aes"),
                                          ("cipher.gcm", "aes")])     # its vectors' IVs are 128 bits: gcm.c on AES
def test_more_suites_on_the_accelerators(name, device):
    _compare(name, device)


@pytest.mark.slow
@pytest.mark.parametrize("name", [f"gcm.aes{bits}_{way}" for bits in (128, 192, 256) for way in ("en", "de")])
def test_nist_gcm_suites_on_the_accelerators(name):
    """NIST's GCM vectors (128-bit IVs: Mbed TLS's gcm.c on the AES core) split every message
    at every point: tens of millions of accelerator accesses, so the software counts come
    from QEMU and the operations are not recomputed (the other suites verify them)."""
    suite = catalog.select([name])[0]
    plain, accel = offload_suites.build([name])
    software = runner.run_on_qemu(suite, plain[name], "mps2-an386", timeout_s=3600)
    offloaded, summary = offload_suites.run(name, accel[name], backend="verilator", timeout_s=7200)
    assert software.complete and offloaded.complete
    assert _counts(offloaded) == _counts(software) and software.failed == 0 and software.passed > 300
    assert summary["blocks"]["aes"] > 1_000_000
    assert summary["blocks"]["gcm"] > 0           # its few 96-bit-IV cases run on the GCM core


def test_test_suites_offload_prints_both_counts_and_the_blocks(capsys):
    from tlscosim.cli import main

    assert main(["test-suites", "--offload", "aes.ecb"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^aes\.ecb: 80 passed, 0 failed, 0 skipped \([\d.]+ s\); offloaded 80 passed, 0 failed, "
                     r"0 skipped \([\d.]+ s on verilator: x[\d.]+; hardware blocks: aes 113; verified 113 of 113, "
                     r"0 mismatches\)$", out, re.M), out


def test_test_suites_offload_without_verification_prints_the_blocks_only(capsys):
    from tlscosim.cli import main

    assert main(["test-suites", "--offload", "--no-verify-offload", "aes.ecb"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^aes\.ecb: 80 passed, 0 failed, 0 skipped \([\d.]+ s\); offloaded 80 passed, 0 failed, "
                     r"0 skipped \([\d.]+ s on verilator: x[\d.]+; hardware blocks: aes 113\)$", out, re.M), out
