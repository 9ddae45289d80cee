"""A suite run in parts (`tlscosim test-suites --split N`), each part in its own process,
their outcomes merged. The processes are spawned, not forked, and a worker serves one
part only: the board, the CPU engine and the RTL back ends (ctypes handles of a Verilator
model) are all created inside it, nothing is inherited. A worker reports its case counts
through a queue, so the progress line is the whole suite's."""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .catalog import Suite
from .merge import merge_offload_summaries, merge_outcomes
from .outcome import SuiteOutcome
from .progress import CaseCounter, ProgressLine
from .split import Part

_counts_queue = None      # in a worker: where its CaseCounter reports


def run_split(suite: Suite, elf: Path, board: str, parts: list[Part], *, timing: str = "cortex-m4",
              backend: str | None = None, fault: str | None = None, verify: bool = True,
              progress: ProgressLine | None = None,
              timeout_s: float | None = None) -> tuple[SuiteOutcome, dict | None]:
    """(the merged outcome, the merged offload summary or None): with `backend`, every part
    runs on the accelerators' build with that RTL back end (and RTL fault), every
    operation verified unless `verify` is False."""
    context = multiprocessing.get_context("spawn")
    counts = context.Queue()
    workers = min(len(parts), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(counts,),
                             max_tasks_per_child=1) as pool:
        futures = [pool.submit(_run_part, suite, elf, board, part, timing, backend, fault, verify, timeout_s) for part in parts]
        pending, latest = set(futures), {}
        while pending:
            _done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            _drain(counts, latest)
            if progress is not None:
                progress.update(sum(d for d, _f in latest.values()), sum(f for _d, f in latest.values()))
        results = [f.result() for f in futures]
    counts.close()
    outcome = merge_outcomes(suite.name, [o for o, _s in results])
    return outcome, (merge_offload_summaries([s for _o, s in results]) if backend else None)


def _drain(counts, latest: dict) -> None:
    while True:
        try:
            index, done, failed = counts.get_nowait()
        except queue_module.Empty:
            return
        latest[index] = (done, failed)


def _start_worker(counts) -> None:
    global _counts_queue
    _counts_queue = counts


def _run_part(suite: Suite, elf: Path, board: str, part: Part, timing: str, backend: str | None,
              fault: str | None, verify: bool, timeout_s: float | None):
    from . import offload, runner

    limit = {"timeout_s": timeout_s} if timeout_s is not None else {}
    counter = CaseCounter(lambda done, failed: _report(part.index, done, failed))
    if backend is None:
        return runner.run_on_tlscosim(suite, elf, board, timing=timing, part=part, counter=counter, **limit), None
    return offload.run_with_rtl(suite, elf, board, backend=backend, fault=fault, timing=timing, part=part,
                                counter=counter, verify=verify, **limit)


_last_reported: dict[int, tuple[int, int]] = {}


def _report(index: int, done: int, failed: int) -> None:
    # Heartbeats repeat the counts: only a change is worth a message.
    if _last_reported.get(index) != (done, failed):
        _last_reported[index] = (done, failed)
        _counts_queue.put((index, done, failed))
