"""`tlscosim` command line. Each area registers its own subcommands; their modules
import nothing heavy at parser-building time so that `tlscosim --help` stays fast."""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import UserError

# Modules providing `add_commands(subparsers)`; handlers are set with set_defaults(func=...).
COMMAND_MODULES = (
    "tlscosim.fw.cli",       # build
    "tlscosim.sim.frontends.cli",      # run, bench
    "tlscosim.rtl.cli",      # rtl ...
    "tlscosim.sim.board.net.cli",  # bench-net
    "tlscosim.suites.cli",   # test-suites
    "tlscosim.tls.cli",      # handshake, bench-handshake
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tlscosim",
        description="Co-simulate a Cortex-M4 board, its firmware and RTL accelerators.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:   # an area not built yet
                continue
            raise
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # Words after `--` are the firmware's own command line (argparse cannot give a
    # positional list after an optional one), for the commands that take one.
    passthrough = None
    if "--" in argv:
        passthrough, argv = argv[argv.index("--") + 1:], argv[:argv.index("--")]
    args = parser.parse_args(argv)
    if passthrough is not None:
        if not hasattr(args, "firmware_args"):
            parser.error(f"`--` and what follows it go with `tlscosim run` only: {' '.join(passthrough)}")
        args.firmware_args = [*args.firmware_args, *passthrough]
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"tlscosim: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tlscosim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return 141


if __name__ == "__main__":
    sys.exit(main())
