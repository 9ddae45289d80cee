"""Fixtures of the FPU tests: the firmware of firmware/, built per board once."""

from __future__ import annotations

import pytest

from fpu_support import build


@pytest.fixture(scope="session")
def fpucheck_elf():
    """board -> the fpucheck ELF built for it (soft-float without an FPU, hard-float with)."""
    return lambda board: build("fpucheck", board)
