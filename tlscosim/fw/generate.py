"""Writes the generated firmware inputs of a board into build/gen/<board>/.

A file is rewritten only when its content changes, so make's timestamps stay meaningful
and a build with nothing new to do compiles nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..boarddesc import BoardDescription
from ..paths import GEN_DIR
from .board_header import board_header
from .memory_script import memory_script


def gen_dir(board: str) -> Path:
    return GEN_DIR / board


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` unless the file already holds it; True when it was written."""
    if path.is_file() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


def generate_board_files(desc: BoardDescription) -> Path:
    """board.h and memory.ld for `desc`; returns the folder holding them."""
    out = gen_dir(desc.name)
    write_if_changed(out / "board.h", board_header(desc))
    write_if_changed(out / "memory.ld", memory_script(desc))
    return out
