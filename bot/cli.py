"""The `coregroup` command line.

Each family of sub-commands lives in its own module (`bot/cli_*.py`) exposing
`register(subparsers)`; this file only assembles them and turns a `UsageError` into one line on
stderr and exit status 2 -- bad input never prints a traceback.

Start-up is lazy. Importing a sub-command module can pull in Slack, Graph, SQLAlchemy and pydantic
(a second or more), and `coregroup timeline` needs none of that, so `COMMANDS` names the module
behind each sub-command and only that module is imported. Anything else -- no command, `--help`,
a typo, or a command of a module not (yet) listed in `COMMANDS` -- imports every module in
`COMMAND_MODULES`, exactly as before, so a new `bot/cli_*.py` works as soon as it is in
`COMMAND_MODULES`; listing its commands in `COMMANDS` as well makes them start fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

#: Modules that add sub-commands. A module that is missing (not built yet) is skipped.
COMMAND_MODULES = (
    "bot.cli_timeline",
    "bot.cli_storage",
    "bot.cli_chat",
    "bot.cli_sweep",
    "bot.cli_teams",
)

#: Sub-command -> the module whose `register(subparsers)` adds it (and maybe others).
COMMANDS: dict[str, str] = {
    "timeline": "bot.cli_timeline",
    "profiles": "bot.cli_timeline",
    "profile": "bot.cli_timeline",
    "db": "bot.cli_storage",
    "audit": "bot.cli_storage",
    "export": "bot.cli_storage",
    "purge": "bot.cli_storage",
    "serve": "bot.cli_chat",
    "console": "bot.cli_chat",
    "sweep": "bot.cli_sweep",
    "teams-package": "bot.cli_teams",
}


class UsageError(Exception):
    """Bad input from the person at the terminal: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, like every other bad input (argparse's usage block can run to several)."""
        sys.stderr.write(f"{self.prog}: {message}. For example: {self.prog} --help\n")
        raise SystemExit(2)


def _import(name: str) -> ModuleType | None:
    """The module, or None when it does not exist (yet); a broken import still raises."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line: the first word that is not an option."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coregroup")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _new_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = _Parser(
        prog="coregroup",
        description="Core group timescales, reminders and chat for UK child protection.",
    )
    parser.add_argument("--version", action="version", version=f"coregroup {_version()}")
    return parser, parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: with only the module behind its sub-command when that is known."""
    command = _command_of(sys.argv[1:] if argv is None else argv)
    wanted = COMMANDS.get(command or "")
    module = _import(wanted) if wanted else None
    if module is not None:
        parser, sub = _new_parser()
        module.register(sub)
        if command in sub.choices:
            return parser
        # COMMANDS is out of date for this module: load everything into a fresh parser instead.
    parser, sub = _new_parser()
    for name in COMMAND_MODULES:  # the slow path: every sub-command of every module
        mod = _import(name)
        if mod is not None:
            mod.register(sub)
    return parser


#: A folder of a council's own profile files, loaded beside the built-in ones by every command
#: (the same name as `bot.settings.Settings.profile_dir`; read here so `timeline` stays light).
PROFILE_DIR_ENV = "COREGROUP_PROFILE_DIR"


def _use_profile_dir() -> None:
    folder = os.environ.get(PROFILE_DIR_ENV, "").strip()
    if folder:
        from scheduling.profiles import ProfileError, use_profile_dirs

        try:
            use_profile_dirs([Path(folder)])
        except ProfileError as exc:
            raise UsageError(f"{PROFILE_DIR_ENV}: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        _use_profile_dir()
        result = args.func(args)
    except UsageError as exc:
        from bot.logs import error_line

        sys.stderr.write(error_line(str(exc)))
        return 2
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
