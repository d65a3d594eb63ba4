"""The `coregroup` command line.

Each family of sub-commands lives in its own module (`bot/cli_*.py`) exposing
`register(subparsers)`; this file only assembles them and turns a `UsageError` into one line on
stderr and exit status 2 -- bad input never prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Modules that add sub-commands. A module that is missing (not built yet) is skipped.
COMMAND_MODULES = (
    "bot.cli_timeline",
    "bot.cli_storage",
    "bot.cli_chat",
    "bot.cli_sweep",
)


class UsageError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"coregroup: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="coregroup",
        description="Core group timescales, reminders and chat for UK child protection.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except UsageError as exc:
        sys.stderr.write(f"coregroup: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
