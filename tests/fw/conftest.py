"""Fixtures for the firmware tests: the board description and the apps, built once."""

from __future__ import annotations

import re

import pytest

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.build import BuildResult, build_firmware
from tlscosim.fw.generate import gen_dir

_DEFINE = re.compile(r"^#define (\w+) (0x[0-9A-Fa-f]+|\d+)u?$")


@pytest.fixture(scope="session")
def board() -> BoardDescription:
    return BoardDescription.load()


@pytest.fixture(scope="session")
def firmware() -> BuildResult:
    return build_firmware()


@pytest.fixture(scope="session")
def header_constants(board, firmware) -> dict[str, int]:
    """The integer macros of the generated board.h."""
    values = {}
    for line in (gen_dir(board.name) / "board.h").read_text().splitlines():
        m = _DEFINE.match(line)
        if m:
            values[m.group(1)] = int(m.group(2), 0)
    return values
