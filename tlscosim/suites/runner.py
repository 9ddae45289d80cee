"""Runs a built suite on the simulated board or under QEMU. The firmware's command line is
`<program> -v <.datax, relative>`; its files are opened relative to Mbed TLS's tests/
folder (the data files name ../framework/data_files/...), confined to the checkout."""

from __future__ import annotations

from pathlib import Path

from ..paths import ROOT
from .catalog import Suite, configured_macros, dependency_names, unmet
from .generate import datax_path, relative
from .outcome import SuiteOutcome, parse

MAX_CYCLES = 200_000_000_000
TIMEOUT_S = 1800.0


def command_line(suite: Suite) -> list[str]:
    return [suite.program, "-v", relative(datax_path(suite), suite.mbedtls / "tests")]


def run_on_tlscosim(suite: Suite, elf: Path, board: str, timing: str = "cortex-m4",
                    timeout_s: float = TIMEOUT_S) -> SuiteOutcome:
    from ..sim.frontends.runner import load_simulation
    from ..sim.board.semihosting import attach

    sim = load_simulation(elf, board, max_cycles=MAX_CYCLES, timeout_s=timeout_s, timing=timing)
    attach(sim, root=ROOT, cwd=suite.mbedtls / "tests", args=command_line(suite))
    result = sim.run()
    outcome = _parse(suite, result.uart_output)
    outcome.exit_code = result.exit_code
    if result.stop_reason != "exit":
        outcome.error = f"{result.stop_reason}: {result.message}"
    return outcome


def run_on_qemu(suite: Suite, elf: Path, board: str, timeout_s: float = TIMEOUT_S) -> SuiteOutcome:
    from ..fw.qemu import run_qemu

    result = run_qemu(elf, board=board, timeout_s=timeout_s, semihosting_args=command_line(suite),
                      cwd=suite.mbedtls / "tests")
    outcome = _parse(suite, result.output)
    outcome.exit_code = result.exit_code
    if result.timed_out:
        outcome.error = f"QEMU did not finish within {timeout_s:g} s"
    return outcome


def _parse(suite: Suite, output: bytes) -> SuiteOutcome:
    names = dependency_names(suite, datax_path(suite))
    suite_unmet = unmet(suite.suite_dependencies(), configured_macros(suite.mbedtls))
    return parse(suite.name, output.decode(errors="replace"), names, suite.test_cases(),
                 suite.function_dependencies(), suite_unmet)
