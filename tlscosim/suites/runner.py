"""Runs a built suite on the simulated board or under QEMU. The firmware's command line is
`<program> -v <.datax, relative>`; its files are opened relative to Mbed TLS's tests/
folder (the data files name ../framework/data_files/...), confined to the checkout."""

from __future__ import annotations

from pathlib import Path

from ..paths import ROOT
from .catalog import Suite, configured_macros, dependency_names, unmet
from .generate import datax_path, relative
from .outcome import SuiteOutcome, parse
from .progress import CaseCounter
from .split import Part

MAX_CYCLES = 200_000_000_000
TIMEOUT_S = 1800.0


def command_line(suite: Suite, datax: Path | None = None) -> list[str]:
    """The firmware's argv: the whole suite's .datax, or a part's (split.Part.datax)."""
    return [suite.program, "-v", relative(datax or datax_path(suite), suite.mbedtls / "tests")]


def load_suite(suite: Suite, elf: Path, board: str, timing: str = "cortex-m4", timeout_s: float = TIMEOUT_S,
               part: Part | None = None, counter: CaseCounter | None = None):
    """The board with the suite (or one part of it) loaded and its semihosting attached;
    `counter` sees the UART and the heartbeats."""
    from ..sim.frontends.runner import load_simulation
    from ..sim.board.semihosting import attach

    watch = {"uart_sink": counter.on_uart, "progress": counter.on_heartbeat} if counter else {}
    sim = load_simulation(elf, board, max_cycles=MAX_CYCLES, timeout_s=timeout_s, timing=timing, **watch)
    attach(sim, root=ROOT, cwd=suite.mbedtls / "tests", args=command_line(suite, part.datax if part else None))
    return sim


def outcome_of(suite: Suite, result, part: Part | None = None) -> SuiteOutcome:
    """A finished simulation's RunResult read as the suite's (or the part's) outcome."""
    outcome = _parse(suite, result.uart_output, part)
    outcome.exit_code = result.exit_code
    if result.stop_reason != "exit":
        outcome.error = f"{result.stop_reason}: {result.message}"
    return outcome


def run_on_tlscosim(suite: Suite, elf: Path, board: str, timing: str = "cortex-m4",
                    timeout_s: float = TIMEOUT_S, part: Part | None = None,
                    counter: CaseCounter | None = None) -> SuiteOutcome:
    sim = load_suite(suite, elf, board, timing, timeout_s, part, counter)
    return outcome_of(suite, sim.run(), part)


def run_on_qemu(suite: Suite, elf: Path, board: str, timeout_s: float = TIMEOUT_S) -> SuiteOutcome:
    from ..fw.qemu import run_qemu

    result = run_qemu(elf, board=board, timeout_s=timeout_s, semihosting_args=command_line(suite),
                      cwd=suite.mbedtls / "tests")
    outcome = _parse(suite, result.output)
    outcome.exit_code = result.exit_code
    if result.timed_out:
        outcome.error = f"QEMU did not finish within {timeout_s:g} s"
    return outcome


def _parse(suite: Suite, output: bytes, part: Part | None = None) -> SuiteOutcome:
    # A part's .datax keeps the whole one's dependency numbers; its cases are a slice.
    names = dependency_names(suite, datax_path(suite))
    suite_unmet = unmet(suite.suite_dependencies(), configured_macros(suite.mbedtls))
    cases = suite.test_cases()
    if part is not None:
        cases = cases[part.first:part.first + part.cases]
    return parse(suite.name, output.decode(errors="replace"), names, cases,
                 suite.function_dependencies(), suite_unmet)
