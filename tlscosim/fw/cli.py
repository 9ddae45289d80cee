"""`tlscosim build`: the firmware apps of sw/apps/, for one board."""

from __future__ import annotations

import argparse

from ..argtypes import positive_int
from ..boarddesc import DEFAULT_BOARD


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build", help="build firmware apps (all when none is named)",
        description="Generate the board header and linker memories from platform/ and build "
                    "firmware apps into build/fw/<app>.elf (build/fw/<board>/ for other boards). "
                    "Incremental: only what changed is rebuilt.")
    p.add_argument("apps", nargs="*", metavar="APP", help="apps under sw/apps/ (default: all)")
    p.add_argument("--board", default=DEFAULT_BOARD, help=f"board name or TOML file (default: {DEFAULT_BOARD})")
    p.add_argument("-j", "--jobs", type=positive_int, default=None, metavar="N", help="parallel compile jobs (default: CPUs)")
    p.add_argument("--clean", action="store_true", help="remove the apps' previous outputs first")
    p.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from .build import build_firmware

    result = build_firmware(args.apps, board=args.board, jobs=args.jobs, clean=args.clean)
    if result.ran_tools:
        print(result.log, end="")
    else:
        print("firmware up to date")
    for elf in result.elfs.values():
        print(f"  {elf}")
    return 0
