"""`tlscosim test-suites --split N` and its progress lines, without a board: the .datax cut
by expected cost, the parts' outcomes and offload summaries merged, the UART lines
counted, the progress line throttled."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tlscosim.suites import catalog, generate, split
from tlscosim.suites.merge import merge_offload_summaries, merge_outcomes
from tlscosim.suites.outcome import SuiteOutcome
from tlscosim.suites.progress import CaseCounter, ProgressLine, elapsed_text

DATAX = ('first\ndepends_on:0\n1:hex:"00112233":int:4\n\n'
         'second\n2:exp:0:hex:"":hex:"0011"\n\n'
         'third\ndepends_on:0:1\n1:hex:"' + "ab" * 64 + '":int:128\n\n')


def test_datax_cases_keep_each_case_whole():
    assert split.datax_cases(DATAX) == ['first\ndepends_on:0\n1:hex:"00112233":int:4\n',
                                        'second\n2:exp:0:hex:"":hex:"0011"\n',
                                        'third\ndepends_on:0:1\n1:hex:"' + "ab" * 64 + '":int:128\n']


def test_case_cost_is_the_hex_digits_squared_beyond_a_base():
    costs = [split.case_cost(c) for c in split.datax_cases(DATAX)]
    assert costs == [(32 + 8) ** 2, (32 + 4) ** 2, (32 + 128) ** 2]


@pytest.mark.parametrize("costs, parts, starts", [
    ([1] * 10, 2, [0, 5]),
    ([1] * 10, 3, [0, 3, 7]),
    ([100, 1, 1, 1, 1], 2, [0, 1]),          # one heavy case is a part of its own
    ([1, 1, 1, 1, 100], 2, [0, 4]),
    ([1, 1, 1, 1, 100], 3, [0, 3, 4]),       # every part keeps at least one case
    ([5, 5], 4, [0, 1]),                     # no more parts than cases
    ([7], 1, [0]),
])
def test_cut_points_balance_the_cost(costs, parts, starts):
    assert split.cut_points(costs, parts) == starts


def test_write_parts_cuts_the_generated_datax_in_order():
    (suite,) = catalog.select(["aes.ecb"])
    generate.generate(suite)
    whole = split.datax_cases(generate.datax_path(suite).read_text())
    parts = split.write_parts(suite, 3)
    assert [(p.index, p.count, p.label) for p in parts] == [(0, 3, "part 1/3"), (1, 3, "part 2/3"),
                                                           (2, 3, "part 3/3")]
    assert [p.first for p in parts] == [0, parts[0].cases, parts[0].cases + parts[1].cases]
    assert sum(p.cases for p in parts) == len(whole) == 80
    assert [c for p in parts for c in split.datax_cases(p.datax.read_text())] == whole
    assert all(p.datax.parent == split.PARTS_DIR / suite.program for p in parts)


def _outcome(passed, failed, skipped, failures=(), reasons=None, exit_code=0, error=None, complete=True):
    return SuiteOutcome("s", passed, failed, skipped, Counter(reasons or {}), list(failures), complete,
                        exit_code, error)


def test_merged_outcome_sums_counts_and_keeps_the_order_of_failures():
    merged = merge_outcomes("s", [_outcome(3, 1, 1, ["a"], {"X is not set": 1}),
                                  _outcome(2, 0, 2, [], {"X is not set": 1, "Y is set": 1}),
                                  _outcome(0, 2, 0, ["b", "c"], exit_code=1)])
    assert (merged.suite, merged.passed, merged.failed, merged.skipped) == ("s", 5, 3, 3)
    assert merged.failures == ["a", "b", "c"]
    assert merged.skip_reasons == Counter({"X is not set": 2, "Y is set": 1})
    assert (merged.complete, merged.exit_code, merged.error) == (True, 1, None)


def test_merged_outcome_is_incomplete_with_the_first_error():
    merged = merge_outcomes("s", [_outcome(1, 0, 0), _outcome(0, 0, 0, exit_code=None, complete=False,
                                                               error="time-limit: stopped"),
                                  _outcome(0, 0, 0, exit_code=None, complete=False, error="cycle-limit: x")])
    assert (merged.complete, merged.exit_code, merged.error) == (False, None, "part 2/3: time-limit: stopped")


def _summary(aes, sha, checked, mismatches, first=None, aes_stats=None):
    return {"blocks": {"aes": aes, "sha256": sha}, "rtl_fault": None, "rtl_backend": "verilator",
            "rtl": {"aes": aes_stats, "sha256": None},
            "verify_offload": {"operations": checked, "checked": checked, "mismatches": mismatches,
                               "first_mismatch": first, "unverified_devices": []}}


def test_merged_offload_summary_sums_blocks_and_keeps_the_earliest_mismatch():
    stats = {"accesses": 10, "rtl_cycles": 100, "rtl_cycles_simulated": 50, "rtl_wall_s": 0.5,
             "simulated_cycles_per_s": 100}
    merged = merge_offload_summaries([_summary(3, None, 3, 0, aes_stats=stats),
                                      _summary(4, None, 4, 2, {"device": "aes", "cycle": 7}, aes_stats=stats),
                                      _summary(5, None, 5, 1, {"device": "aes", "cycle": 9})])
    assert merged["blocks"] == {"aes": 12, "sha256": None}
    assert merged["verify_offload"] == {"operations": 12, "checked": 12, "mismatches": 3,
                                        "first_mismatch": {"device": "aes", "cycle": 7}, "unverified_devices": []}
    assert merged["rtl"] == {"aes": {"accesses": 20, "rtl_cycles": 200, "rtl_cycles_simulated": 100,
                                     "rtl_wall_s": 1.0, "simulated_cycles_per_s": 100}, "sha256": None}
    assert (merged["rtl_fault"], merged["rtl_backend"]) == (None, "verilator")


def test_case_counter_counts_result_lines_from_uart_bytes():
    reports = []
    counter = CaseCounter(lambda done, failed: reports.append((done, failed)))
    text = (b"AES-128-ECB Encrypt #1 ........ PASS\r\n"
            b"AES-128-ECB Decrypt #1 ........ FAILED\r\n"
            b"  aes_crypt_ecb(...) == 0\r\n"
            b"AES-192 ....................... ----\r\n"
            b"   Unmet dependencies: 3 \r\n"
            b"\r\nPASSED (3 / 3 tests (1 skipped))\r\n")
    for byte in text:
        counter.on_uart("uart0", bytes([byte]))
    counter.on_uart("uart1", b"x PASS\n")          # only uart0 is the suite's
    counter.on_heartbeat({})
    assert reports == [(1, 0), (2, 1), (3, 1), (3, 1)]


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_line_at_most_every_period_and_never_before(capsys):
    clock = _Clock()
    line = ProgressLine("gcm.aes128_en [offloaded]", 352, every_s=30.0, clock=clock)
    for now, done in [(110.0, 10), (129.9, 20), (130.0, 30), (150.0, 40), (160.5, 50), (290.0, 120)]:
        clock.now = now
        line.update(done, 2)
    assert capsys.readouterr().err.splitlines() == [
        "gcm.aes128_en [offloaded]: 30/352 cases, 2 failed, 30s",
        "gcm.aes128_en [offloaded]: 50/352 cases, 2 failed, 1m00s",
        "gcm.aes128_en [offloaded]: 120/352 cases, 2 failed, 3m10s"]


@pytest.mark.parametrize("seconds, text", [(0.4, "0s"), (45.9, "45s"), (190, "3m10s"), (3723, "1h02m03s")])
def test_elapsed_text(seconds, text):
    assert elapsed_text(seconds) == text


def test_test_suites_prints_progress_on_stderr_only(monkeypatch, capsys):
    """With the period at 0 every finished case prints a progress line; stdout is untouched."""
    from tlscosim.cli import main
    from tlscosim.suites import progress

    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.0)
    assert main(["test-suites", "aes.ecb"]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(r"aes\.ecb: 80 passed, 0 failed, 0 skipped \([\d.]+ s\)\n1 suites: 80 passed, 0 failed, "
                        r"0 skipped\n", captured.out), captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("aes.ecb [software]: ")]
    counts = [int(re.fullmatch(r"aes\.ecb \[software\]: (\d+)/80 cases, 0 failed, \d+s", line).group(1))
              for line in lines]
    assert counts[:3] == [1, 2, 3] and counts[-1] == 80 and counts == sorted(counts)
