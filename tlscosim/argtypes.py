"""Argument types shared by the commands: a value out of range is an argparse error
(usage and one line naming the option, status 2), never a run with a nonsense limit."""

from __future__ import annotations

import argparse
import math

SEED_MAX = 2**64 - 1  # seeds are 64-bit unsigned integers


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number greater than 0, not {text!r}")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds greater than 0, not {text!r}")
    return value


def seed(text: str) -> int:
    """0..2**64-1, decimal or 0x hex."""
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be an integer in 0..{SEED_MAX} (2**64 - 1), not {text!r}")
    return value
