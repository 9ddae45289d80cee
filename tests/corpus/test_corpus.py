"""The differential corpus against QEMU (corpus.py says what and why). The quick subset
runs by default; the whole corpus with `pytest -m corpus tests/corpus`."""

from __future__ import annotations

import pytest

import corpus as C
from tlscosim.fw.build import available_apps


def _params(names, quick):
    return [n if n in quick else pytest.param(n, marks=pytest.mark.corpus) for n in names]


def _check(results: dict, expected_exit: int | None, reads_time: bool, boards=C.BOARDS):
    """results: (board, timing or None for QEMU) -> Run."""
    oracle = results[(C.QEMU_BOARD, None)]
    if expected_exit is not None:
        assert oracle.exit_code == expected_exit
    for (board, timing), run in results.items():
        assert C.functional(run.output, board) == C.functional(oracle.output, C.QEMU_BOARD), (board, timing)
        assert run.exit_code == oracle.exit_code, (board, timing)
    if not reads_time:
        for board in boards:
            counts = {t: results[(board, t)].instructions for t in C.TIMINGS}
            assert len(set(counts.values())) == 1, (board, counts)


def test_every_app_is_in_the_corpus_or_excused():
    assert set(available_apps()) == {a.name for a in C.APPS} | set(C.NOT_IN_CORPUS)


@pytest.mark.parametrize("app", _params([a.name for a in C.APPS], C.QUICK_APPS))
def test_app(app):
    spec = next(a for a in C.APPS if a.name == app)
    results = {}
    for board in spec.boards:
        elf = C.app_elf(app, board)
        for timing in C.TIMINGS:
            results[(board, timing)] = C.run_app(elf, board, timing)
        if board == C.QEMU_BOARD:
            results[(board, None)] = C.run_app(elf, board, None)
    _check(results, spec.exit_code, spec.reads_time, spec.boards)


@pytest.mark.parametrize("suite", _params(C.SUITES, C.QUICK_SUITES))
def test_suite(suite):
    results = {}
    for board in C.BOARDS:
        elfs = C.suite_elfs(suite, board)
        for timing in C.TIMINGS:
            results[(board, timing)] = C.run_suite(suite, elfs, board, timing)
        if board == C.QEMU_BOARD:
            results[(board, None)] = C.run_suite(suite, elfs, board, None)
    _check(results, None, reads_time=suite not in C.TIME_INDEPENDENT_SUITES)
    assert b"FAILED" not in results[(C.QEMU_BOARD, None)].output
