"""Mbed TLS's GCM test suites on the GCM accelerator (MBEDTLS_GCM_ALT, sw/mbedtls/gcm_alt.c):
the same pass/fail/skip counts as the software build, the core did the work, every result
read back is recomputed by --verify-offload, and under QEMU (no accelerator: ID 0) the
same ELF passes on Mbed TLS's own gcm.c."""

from __future__ import annotations

import random
import shutil

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import offload_suites
from tlscosim.sim.board.peripherals import accelerator_run
from tlscosim.sim.frontends.runner import load_simulation
from tlscosim.sim.board.semihosting import attach as attach_semihosting
from tlscosim.suites import catalog, generate, runner


pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")


def _counts(outcome):
    return outcome.passed, outcome.failed, outcome.skipped


def _compare(name: str):
    plain, accel = offload_suites.build([name])
    software, sw_offload = offload_suites.run(name, plain[name], backend="verilator")
    offloaded, hw_offload = offload_suites.run(name, accel[name], backend="verilator", verify=True)
    assert software.complete and offloaded.complete
    assert software.failed == 0 and software.passed > 0
    assert _counts(offloaded) == _counts(software)
    assert sw_offload["blocks"]["gcm"] == 0                  # plain Mbed TLS: no hardware
    assert hw_offload["blocks"]["gcm"] > 0
    verify = hw_offload["verify_offload"]
    assert verify["operations"] == sum(n or 0 for n in hw_offload["blocks"].values())
    assert 0 < verify["checked"] < verify["operations"]     # INIT and AAD have no result
    assert verify["mismatches"] == 0
    return accel[name]


def test_gcm_misc_suite_on_the_accelerator():
    """Parameter checks (invalid IV length, AAD and text lengths past the limits): the ALT
    code answers them as gcm.c does (the core is never started)."""
    plain, accel = offload_suites.build(["gcm.misc"])
    software, _ = offload_suites.run("gcm.misc", plain["gcm.misc"], backend="verilator")
    offloaded, _ = offload_suites.run("gcm.misc", accel["gcm.misc"], backend="verilator")
    assert software.complete and offloaded.complete and software.failed == 0
    assert _counts(offloaded) == _counts(software) == (4, 0, 0)


def _aesgcm_cases(suite, template: str) -> tuple[object, int]:
    """Cases of the suite's gcm_encrypt_and_tag with 96-bit IVs (Mbed TLS's NIST data has
    128-bit and longer IVs, which run in gcm.c), the expected output from cryptography's
    AESGCM. Mbed TLS's test function also runs each one split in two update() calls at
    every point, so short blocks meet the core's streaming."""
    head, call = template.splitlines()[1:3]          # the depends_on line, a call to copy
    function, cipher = call.split(":")[0], ":".join(call.split(":")[1:3])
    rng = random.Random(13)
    cases = []
    for n, (key_bytes, text, aad) in enumerate([(16, 0, 0), (16, 5, 13), (16, 16, 0), (16, 33, 20),
                                                 (32, 64, 16), (32, 47, 1), (24, 17, 40)]):
        key, iv = rng.randbytes(key_bytes), rng.randbytes(12)
        src, add = rng.randbytes(text), rng.randbytes(aad)
        sealed = AESGCM(key).encrypt(iv, src, add)
        args = [f'hex:"{b.hex()}"' for b in (key, src, iv, add, sealed[:-16])]
        cases.append(f"AES-GCM 96-bit IV (cryptography) #{n}\n{head}\n{function}:{cipher}:" + ":".join(args)
                     + f':int:128:hex:"{sealed[-16:].hex()}":int:0')
    datax = generate.suite_dir(suite) / f"{suite.program}.iv96.datax"
    datax.write_text("\n\n".join(cases) + "\n")
    return datax, len(cases)


def _run_datax(suite, elf, datax, backend=None, verify=False, fault=None):
    sim = load_simulation(elf, "mps2-an386", max_cycles=runner.MAX_CYCLES, timeout_s=runner.TIMEOUT_S)
    attach_semihosting(sim, root=runner.ROOT, cwd=suite.mbedtls / "tests",
                       args=[suite.program, "-v", generate.relative(datax, suite.mbedtls / "tests")])
    offload = accelerator_run.attach(sim, backend or "verilator", fault, verify)
    result = sim.run()
    outcome = runner._parse(suite, result.uart_output)
    summary = offload.summary()
    offload.close()
    return outcome, summary


def test_96_bit_iv_messages_through_mbedtls_on_the_accelerator():
    name = "gcm.aes128_en"
    plain, accel = offload_suites.build([name])
    suite = catalog.select([name])[0]
    first_case = generate.datax_path(suite).read_text().split("\n\n")[0]
    datax, cases = _aesgcm_cases(suite, first_case)
    software, _ = _run_datax(suite, plain[name], datax)
    offloaded, summary = _run_datax(suite, accel[name], datax, verify=True)
    assert software.complete and offloaded.complete
    assert _counts(software) == _counts(offloaded) == (cases, 0, 0)
    assert summary["blocks"]["gcm"] > 100 * cases           # every split is a message on the core
    verify = summary["verify_offload"]
    assert verify["mismatches"] == 0 and verify["checked"] > 50 * cases


# The 7 cases of `_aesgcm_cases` on a broken core, (passed, failed, skipped): with gcm-ghash
# only #0 passes (no AAD, no text: GHASH of an all-zero lengths block is 0 whatever the
# reduction); with gcm-counter the cases of at most one text block (#0, #1, #2) pass.
# The first wrong result: #1's tag, or #3's second block (counter 3).
BROKEN_CORE_COUNTS = {"gcm-ghash": ((1, 6, 0), "gcm-128 tag", "accel_gcm_tag", {"text_bytes": "5"}),
                      "gcm-counter": ((3, 4, 0), "gcm-128 encrypt", "accel_gcm_crypt_blocks", {"ctr": "3"})}


@pytest.mark.parametrize("fault", sorted(BROKEN_CORE_COUNTS))
def test_mbedtls_gcm_test_function_fails_on_each_broken_gcm_core(fault):
    """Mbed TLS's own gcm_encrypt_and_tag (the one-shot call, compared before any split)
    fails where the variant breaks AES-GCM, and the verifier names the first wrong result."""
    name = "gcm.aes128_en"
    _plain, accel = offload_suites.build([name])
    suite = catalog.select([name])[0]
    datax, _cases = _aesgcm_cases(suite, generate.datax_path(suite).read_text().split("\n\n")[0])
    outcome, summary = _run_datax(suite, accel[name], datax, verify=True, fault=fault)
    counts, kind, function, operands = BROKEN_CORE_COUNTS[fault]
    assert outcome.complete and _counts(outcome) == counts
    first = summary["verify_offload"]["first_mismatch"]
    assert (first["device"], first["operation"]) == ("gcm", kind)
    assert first["function"].split("+")[0] == function
    assert operands.items() <= first["operands"].items()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gcm.aes128_en", "gcm.aes128_de", "gcm.aes256_en", "gcm.aes256_de",
                                  "cipher.gcm"])
def test_gcm_suites_on_the_accelerator(name):
    _compare(name)


@pytest.mark.parametrize("name", ["gcm.misc", "gcm.aes128_de"])
def test_gcm_suites_fall_back_to_software_under_qemu(name):
    """The accelerated ELF under QEMU: the ID reads 0, every message runs in gcm.c."""
    plain, accel = offload_suites.build([name])
    suite = catalog.select([name])[0]
    software = runner.run_on_qemu(suite, plain[name], "mps2-an386")
    fallback = runner.run_on_qemu(suite, accel[name], "mps2-an386")
    assert fallback.complete and fallback.failed == 0 and fallback.passed > 0
    assert _counts(fallback) == _counts(software)
