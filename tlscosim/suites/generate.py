"""Generates each suite's C code with Mbed TLS's framework/scripts/generate_test_code.py
(the host_test template: the runner reads the .datax file with fopen) and builds one ELF
per suite per board with the firmware build (the suites are apps of build/suites/src/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import UserError
from ..fw.build import build_firmware
from ..paths import BUILD_DIR, SW_DIR
from .catalog import Suite

SRC_DIR = BUILD_DIR / "suites" / "src"
MAIN_TEMPLATE = SW_DIR / "mbedtls" / "tests" / "suite_main.c"
MARKER = "uses-mbedtls-tests"


def suite_dir(suite: Suite) -> Path:
    return SRC_DIR / suite.program


def datax_path(suite: Suite) -> Path:
    return suite_dir(suite) / f"{suite.program}.datax"


def elf_dir(board: str) -> Path:
    return BUILD_DIR / "suites" / board


def _inputs(suite: Suite) -> list[Path]:
    suites = suite.suites_dir
    return [suite.function_file, suite.data_file, suites / "main_test.function", suites / "host_test.function",
            suites / "helpers.function", suite.mbedtls / "framework" / "scripts" / "generate_test_code.py",
            MAIN_TEMPLATE]


def generate(suite: Suite) -> bool:
    """Writes the suite's sources unless they are newer than every input; True if it did."""
    out = suite_dir(suite)
    outputs = [out / "suite.inc", datax_path(suite), out / "main.c", out / MARKER]
    if all(p.exists() for p in outputs):
        newest_input = max(p.stat().st_mtime for p in _inputs(suite))
        if min(p.stat().st_mtime for p in outputs) >= newest_input:
            return False
    suites = suite.suites_dir
    with tempfile.TemporaryDirectory(prefix="tlscosim-suite-") as tmp:
        cmd = [sys.executable, str(suite.mbedtls / "framework" / "scripts" / "generate_test_code.py"),
               "-f", str(suite.function_file), "-d", str(suite.data_file),
               "-t", str(suites / "main_test.function"), "-p", str(suites / "host_test.function"),
               "-s", str(suites), "--helpers-file", str(suites / "helpers.function"), "-o", tmp]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=suite.mbedtls / "tests")
        if proc.returncode != 0:
            raise UserError(f"generate_test_code.py failed for {suite.name} (exit {proc.returncode}):\n"
                            f"{(proc.stdout + proc.stderr).rstrip()}")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / f"{suite.program}.c", out / "suite.inc")
        shutil.copyfile(Path(tmp) / f"{suite.program}.datax", datax_path(suite))
    shutil.copyfile(MAIN_TEMPLATE, out / "main.c")
    (out / MARKER).touch()
    return True


def build(suites: list[Suite], board: str, jobs: int | None = None) -> dict[str, Path]:
    """Generates and builds the suites for a board; suite name -> ELF."""
    for suite in suites:
        generate(suite)
    result = build_firmware([s.program for s in suites], board=board, jobs=jobs, apps_dir=SRC_DIR,
                            out_dir=elf_dir(board))
    if result.ran_tools:
        print(result.log, end="", file=sys.stderr)
    return {s.name: result.elfs[s.program] for s in suites}


def relative(path: Path, start: Path) -> str:
    return os.path.relpath(path, start)
