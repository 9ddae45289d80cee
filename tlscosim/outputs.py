"""Output files and folders of the commands: checked before any work is done, and never
lost after it (a write that fails anyway goes to a fallback folder, and the user is told
where).

The checks create and remove a probe rather than asking os.access(): as root, access()
says yes to folders root cannot write either (read-only mounts, /sys). Only devices and
pipes (/dev/null, /dev/stdout) are asked, since opening one to probe it could block.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .errors import OutputError


def check_output_file(path: str | Path, option: str) -> Path:
    """`path` can be created or overwritten (its folder must exist), or OutputError."""
    path = Path(path)
    try:
        return _check_output_file(path, f"{option} {path}")
    except OSError as exc:       # a name too long, a loop of links, ...
        raise OutputError(f"cannot write {option} {path}: {exc.strerror}") from None


def _check_output_file(path: Path, what: str) -> Path:
    if path.is_dir():
        raise OutputError(f"cannot write {what}: it is a folder")
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"cannot write {what}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {what}: {folder} is not a folder")
    if path.exists() and not path.is_file():
        # A device or a pipe (/dev/null, /dev/stdout): opening one to probe it could block.
        if not os.access(path, os.W_OK):
            raise OutputError(f"cannot write {what}: permission denied")
        return path
    existed = path.exists()
    with path.open("a"):          # the probe: fails as the real write would
        pass
    if not existed:
        path.unlink()
    return path


def check_output_folder(path: str | Path, option: str) -> Path:
    """`path` is a folder that can be written, or can be created (with its parents)."""
    path = Path(path)
    try:
        return _check_output_folder(path, f"{option} {path}")
    except OSError as exc:
        raise OutputError(f"cannot write {option} {path}: {exc.strerror}") from None


def _check_output_folder(path: Path, what: str) -> Path:
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {what}: {existing} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write {what}: {existing}: {exc.strerror}") from None
    return path


def write_or_keep(path: str | Path, write: Callable[[Path], None], option: str) -> None:
    """Runs write(path). If that fails, runs write() on a file of the same name in a new
    temporary folder and raises OutputError naming both, so the results survive."""
    path = Path(path)
    try:
        write(path)
        return
    except OSError as exc:
        reason = exc.strerror or str(exc)
    try:
        fallback = Path(tempfile.mkdtemp(prefix="tlscosim-")) / path.name
        write(fallback)
    except OSError as exc:
        raise OutputError(f"cannot write {option} {path} ({reason}), nor a copy in the temporary folder "
                          f"({exc.strerror or exc}): the results are lost") from None
    raise OutputError(f"cannot write {option} {path} ({reason}); it was written to {fallback} instead")


def write_text_or_keep(path: str | Path, text: str, option: str) -> None:
    write_or_keep(path, lambda p: p.write_text(text), option)
