"""Mbed TLS's test suites on the accelerators for the tests: `tlscosim test-suites
--offload`'s own building and running (tlscosim.suites.offload)."""

from __future__ import annotations

from tlscosim.suites import catalog, generate, runner
from tlscosim.suites.offload import build_accelerated, run_with_rtl


def build(names: list[str], board: str = "mps2-an386") -> tuple[dict, dict]:
    """(suite name -> plain ELF, suite name -> accelerated ELF)."""
    suites = catalog.select(names)
    return generate.build(suites, board), build_accelerated(suites, board)


def run(name: str, elf, board: str = "mps2-an386", backend: str | None = None,
        fault: str | None = None, verify: bool = False, timeout_s: float = runner.TIMEOUT_S):
    """The suite's outcome and, with a back end, the offload summary (else None)."""
    suite = catalog.select([name])[0]
    if backend is None:
        return runner.run_on_tlscosim(suite, elf, board), None
    return run_with_rtl(suite, elf, board, backend=backend, fault=fault, verify=verify, timeout_s=timeout_s)
