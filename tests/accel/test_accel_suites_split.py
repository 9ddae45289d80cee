"""`tlscosim test-suites --split N`: a suite cut into parts, each run in its own process,
gives the unsplit run's outcome: the same counts, skip reasons and failures in the same
order, and with --offload the same hardware blocks and verify-offload figures."""

from __future__ import annotations

import re
import shutil

import pytest

import offload_suites
from tlscosim.suites import catalog, split
from tlscosim.suites.parallel import run_split

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator is not installed")

BOARD = "mps2-an386"


def _suite(name):
    return next(s for s in catalog.select([name]) if s.name == name)


def _same_outcome(merged, whole):
    assert merged.complete and whole.complete and merged.error is None
    assert (merged.passed, merged.failed, merged.skipped) == (whole.passed, whole.failed, whole.skipped)
    assert merged.failures == whole.failures
    assert merged.skip_reasons == whole.skip_reasons
    assert merged.exit_code == whole.exit_code


@pytest.fixture(scope="module")
def md():
    plain, _accel = offload_suites.build(["md"])
    whole, _ = offload_suites.run("md", plain["md"])
    assert (whole.passed, whole.failed, whole.skipped) == (220, 0, 96)
    return plain["md"], whole


@pytest.fixture(scope="module")
def aes_ecb_broken():
    """aes.ecb on an AES core with a wrong S-box: failures to merge, and mismatches."""
    _plain, accel = offload_suites.build(["aes.ecb"])
    whole, summary = offload_suites.run("aes.ecb", accel["aes.ecb"], backend="verilator", fault="aes-sbox",
                                        verify=True)
    assert whole.failed > 0 and summary["verify_offload"]["mismatches"] > 0
    return accel["aes.ecb"], whole, summary


@pytest.mark.parametrize("parts", [2, 3])
def test_split_software_suite_has_the_unsplit_outcome(md, parts):
    elf, whole = md
    merged, summary = run_split(_suite("md"), elf, BOARD, split.write_parts(_suite("md"), parts))
    assert summary is None
    _same_outcome(merged, whole)


# 3 parts on 2 CPUs take two rounds of process start-ups: kept for -m slow.
@pytest.mark.parametrize("parts", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_split_offloaded_suite_has_the_unsplit_outcome_and_blocks(aes_ecb_broken, parts):
    elf, whole, summary = aes_ecb_broken
    suite = _suite("aes.ecb")
    merged, merged_summary = run_split(suite, elf, BOARD, split.write_parts(suite, parts), backend="verilator",
                                       fault="aes-sbox")
    _same_outcome(merged, whole)
    assert merged.failures and merged.exit_code != 0
    assert merged_summary["blocks"] == summary["blocks"]
    verify, merged_verify = summary["verify_offload"], merged_summary["verify_offload"]
    assert {k: merged_verify[k] for k in ("operations", "checked", "mismatches")} == \
        {k: verify[k] for k in ("operations", "checked", "mismatches")}
    # Part 1 starts with the suite's first case: the same first wrong read, only some cycles
    # later or earlier (the part's .datax has another name on the command line).
    assert _timeless(merged_verify["first_mismatch"]) == _timeless(verify["first_mismatch"])


def _timeless(mismatch: dict) -> dict:
    return {k: v for k, v in mismatch.items() if k not in ("cycle", "read_cycle")}


@pytest.mark.slow
def test_test_suites_split_prints_the_parts(capsys):
    from tlscosim.cli import main

    assert main(["test-suites", "--offload", "--split", "2", "aes.ecb"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^aes\.ecb: 80 passed, 0 failed, 0 skipped \([\d.]+ s in 2 parts\); offloaded 80 passed, "
                     r"0 failed, 0 skipped \([\d.]+ s on verilator in 2 parts: x[\d.]+; hardware blocks: aes 113; "
                     r"verified 113 of 113, 0 mismatches\)$", out, re.M), out
