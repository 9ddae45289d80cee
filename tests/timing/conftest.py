"""Fixtures for the cycle-model tests: the microbenchmark and DWT firmware, built for a
board and run once per session (helpers in timing_support.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlscosim.paths import PLATFORM_DIR
from timing_support import (FLASH_BOARD, ZERO_WAIT_BOARD, BenchReport, DwtReport, build, parse_bench, run,
                            run_dwtcheck)


@pytest.fixture(scope="session")
def bench_elf_flash() -> Path:
    return build("tbench", FLASH_BOARD)


@pytest.fixture(scope="session")
def bench() -> BenchReport:
    """The microbenchmarks on the zero-wait-state board."""
    _sim, result = run(build("tbench", ZERO_WAIT_BOARD), ZERO_WAIT_BOARD)
    return parse_bench(result.uart_output)


@pytest.fixture(scope="session")
def bench_flash(bench_elf_flash) -> BenchReport:
    """The microbenchmarks on the board whose code runs from 5-wait-state flash."""
    _sim, result = run(bench_elf_flash, FLASH_BOARD)
    return parse_bench(result.uart_output)


@pytest.fixture(scope="session")
def flash_board_with_wait_states(tmp_path_factory):
    """Writes a copy of the flash board's TOML with other flash wait states: the board
    variant is expressed in the platform description alone."""

    def make(wait_states: int) -> Path:
        text = (PLATFORM_DIR / "boards" / f"{FLASH_BOARD}.toml").read_text()
        soc = (PLATFORM_DIR / "soc" / "cortex-m4.toml").resolve()
        text, n_include = re.subn(r'^include = ".*"$', f'include = "{soc}"', text, flags=re.M)
        text, n_ws = re.subn(r"^wait_states = 5$", f"wait_states = {wait_states}", text, flags=re.M)
        assert n_include == 1 and n_ws == 1, "the flash board description changed shape"
        path = tmp_path_factory.mktemp("boards") / f"flash-{wait_states}ws.toml"
        path.write_text(text)
        return path

    return make


@pytest.fixture(scope="session")
def dwt() -> DwtReport:
    return run_dwtcheck(ZERO_WAIT_BOARD)


@pytest.fixture(scope="session")
def dwt_flash() -> DwtReport:
    return run_dwtcheck(FLASH_BOARD)
