"""Builds firmware apps: generates the board's header and linker memories, then runs make
on sw/ (which tracks dependencies itself, so a build with nothing new runs no tool)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..boarddesc import DEFAULT_BOARD, BoardDescription, BoardDescriptionError
from ..errors import UserError
from ..paths import BUILD_DIR, FW_BUILD_DIR, SW_DIR
from .generate import generate_board_files
from .thirdparty import mbedtls_dir
from .thirdparty import require as require_third_party

CROSS_PREFIX = "arm-none-eabi-"
# The ABI per board: hard-float with the FPv4-SP unit on a SoC that has one (cpu.fpu).
FLOAT_ABI = {False: "-mfloat-abi=soft", True: "-mfloat-abi=hard -mfpu=fpv4-sp-d16"}
APPS_DIR = SW_DIR / "apps"


@dataclass(frozen=True)
class BuildResult:
    elfs: dict[str, Path]   # app -> ELF
    log: str                # what make printed
    ran_tools: bool         # False when everything was up to date


def available_apps(apps_dir: Path = APPS_DIR) -> list[str]:
    return sorted(d.name for d in apps_dir.iterdir() if d.is_dir() and any(d.glob("*.c")))


def output_dir(board: str = DEFAULT_BOARD) -> Path:
    """build/fw/ for the default board, build/fw/<board>/ for any other."""
    return FW_BUILD_DIR if board == DEFAULT_BOARD else FW_BUILD_DIR / board


def elf_path(app: str, board: str = DEFAULT_BOARD) -> Path:
    return output_dir(board) / f"{app}.elf"


def make_command(apps: list[str], desc: BoardDescription, *, out_dir: Path, apps_dir: Path = APPS_DIR,
                 jobs: int | None = None, goals: tuple[str, ...] = ("all",)) -> list[str]:
    gen = generate_board_files(desc)
    return ["make", "-C", str(SW_DIR), "--no-print-directory", f"-j{jobs or os.cpu_count() or 1}",
            f"BOARD={desc.name}", f"GEN_DIR={gen}", f"OUT_DIR={out_dir}",
            f"OBJ_DIR={out_dir / '.obj' / desc.name}", f"APPS_DIR={os.path.relpath(apps_dir, SW_DIR)}",
            f"APPS={' '.join(apps)}", f"CROSS={CROSS_PREFIX}", f"MBEDTLS_DIR={mbedtls_dir()}",
            f"FLOAT_ABI={FLOAT_ABI[desc.cpu.fpu]}", *goals]


def build_firmware(apps: list[str] | tuple[str, ...] = (), *, board: str = DEFAULT_BOARD,
                   jobs: int | None = None, clean: bool = False, apps_dir: Path = APPS_DIR,
                   out_dir: Path | None = None) -> BuildResult:
    """Build `apps` (all of them when empty) for `board`; UserError on any failure."""
    desc = _load_board(board)
    known = available_apps(apps_dir)
    unknown = [a for a in apps if a not in known]
    if unknown:
        raise UserError(f"unknown firmware app(s) {', '.join(unknown)}; known apps: {', '.join(known)}")
    apps = list(apps) or known
    if any(list((apps_dir / a).glob("uses-mbedtls*")) for a in apps):
        require_third_party("mbedtls")
    _check_tools()
    out = out_dir or output_dir(desc.name)
    with _build_lock():
        if clean:
            _run_make(make_command(apps, desc, out_dir=out, apps_dir=apps_dir, goals=("clean",)))
        log = _run_make(make_command(apps, desc, out_dir=out, apps_dir=apps_dir, jobs=jobs))
    ran = any(line.lstrip().startswith(("CC ", "LD ")) for line in log.splitlines())
    return BuildResult({a: out / f"{a}.elf" for a in apps}, log, ran)


def _load_board(board: str) -> BoardDescription:
    try:
        return BoardDescription.load(board)
    except BoardDescriptionError as exc:
        raise UserError(str(exc)) from None


def _check_tools() -> None:
    for tool in ("make", f"{CROSS_PREFIX}gcc"):
        if shutil.which(tool) is None:
            raise UserError(f"{tool} not found on PATH: the firmware needs make and the "
                            f"gcc-arm-none-eabi + libnewlib-arm-none-eabi toolchain (see setup.sh)")


@contextmanager
def _build_lock():
    """One build at a time per checkout (parallel test workers share build/)."""
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with open(BUILD_DIR / ".fw-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run_make(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise UserError(f"firmware build failed (make exited with {proc.returncode}):\n{proc.stdout.rstrip()}")
    return proc.stdout
