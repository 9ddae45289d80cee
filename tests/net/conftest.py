"""Fixtures of the network tests: the echo firmware built once, frames addressed the way
the host end of the link addresses them, and helpers for the TAP runs."""

from __future__ import annotations

import pytest

from tlscosim.fw.build import build_firmware


@pytest.fixture(scope="session")
def echo_elf():
    return build_firmware(["echo"]).elfs["echo"]
