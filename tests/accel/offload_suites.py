"""Mbed TLS's test suites on the accelerators: the suites `tlscosim test-suites` generates
(tlscosim/suites), built a second time against libmbedtls-accel (their sources copied
next to a `uses-mbedtls-accel` marker) and run on the board with the RTL attached.
Test-only glue: `tlscosim test-suites` itself has no offload option yet."""

from __future__ import annotations

import shutil

from tlscosim.fw.build import build_firmware
from tlscosim.paths import BUILD_DIR
from tlscosim.sim.peripherals import accelerator_run
from tlscosim.sim.runner import load_simulation
from tlscosim.sim.semihosting import attach as attach_semihosting
from tlscosim.suites import catalog, generate, runner

ACCEL_SRC = BUILD_DIR / "suites" / "src-accel"


def build(names: list[str], board: str = "mps2-an386") -> tuple[dict, dict]:
    """(suite name -> plain ELF, suite name -> accelerated ELF)."""
    suites = catalog.select(names)
    plain = generate.build(suites, board)
    for suite in suites:
        dst = ACCEL_SRC / suite.program
        shutil.copytree(generate.suite_dir(suite), dst, dirs_exist_ok=True)
        (dst / "uses-mbedtls-accel").touch()
    result = build_firmware([s.program for s in suites], board=board, apps_dir=ACCEL_SRC,
                            out_dir=BUILD_DIR / "suites" / f"{board}-accel")
    return plain, {s.name: result.elfs[s.program] for s in suites}


def run(name: str, elf, board: str = "mps2-an386", backend: str | None = None,
        fault: str | None = None, verify: bool = False):
    """The suite's outcome (tlscosim.suites) and, with a back end, the offload summary."""
    suite = catalog.select([name])[0]
    sim = load_simulation(elf, board, max_cycles=runner.MAX_CYCLES, timeout_s=runner.TIMEOUT_S)
    attach_semihosting(sim, root=runner.ROOT, cwd=suite.mbedtls / "tests", args=runner.command_line(suite))
    offload = accelerator_run.attach(sim, backend, fault, verify) if backend else None
    result = sim.run()
    outcome = runner._parse(suite, result.uart_output)
    outcome.exit_code = result.exit_code
    summary = offload.summary() if offload else None
    if offload:
        offload.close()
    return outcome, summary
