"""`coregroup` starts without importing what its sub-command does not need.

`bot/cli.py` imports only the module behind the sub-command on the command line (`COMMANDS`), so
`coregroup timeline` never loads Slack, Graph or the database layer. Checked in a fresh interpreter
(`sys.modules` of this test process already holds everything). The `register(subparsers)` pattern
must keep working for modules `COMMANDS` does not know yet: they are loaded the slow way.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "case-suffolk.json"
#: Top-level packages that only `serve`, `console`, `sweep` and the database commands need.
HEAVY = (
    "slack_bolt",
    "slack_sdk",
    "msgraph",
    "azure",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg",
    "apscheduler",
    "uvicorn",
    "starlette",
    "handlers",
    "storage",
)


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running `code` in a fresh interpreter."""
    probe = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        sys.stderr.write(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
    """)
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stderr.splitlines()[-1]))


def test_import_bot_cli_loads_no_heavy_package() -> None:
    loaded = _loaded_after("import bot.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "pydantic" not in loaded  # not even the profile loader


@pytest.mark.parametrize(
    "argv",
    [
        ["profiles"],
        ["profile", "suffolk"],
        ["timeline", str(EXAMPLE), "--today", "2027-01-06", "--json"],
    ],
)
def test_engine_commands_load_no_chat_or_database_package(argv: list[str]) -> None:
    loaded = _loaded_after(f"""
        import contextlib, io
        from bot.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main({argv!r}) == 0
    """)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    """The sub-command names a parser knows."""
    return {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }


def test_every_module_still_registers_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """With no sub-command (or --help) every module is loaded, so help lists every command."""
    choices = _choices(cli.build_parser([]))
    present = {c for c, m in cli.COMMANDS.items() if cli._import(m) is not None}
    assert {"timeline", "profiles", "profile"} <= present <= choices
    assert cli.main([]) == 2
    assert "timeline" in capsys.readouterr().out


def test_each_listed_command_is_registered_by_its_module() -> None:
    for command, module in cli.COMMANDS.items():
        if cli._import(module) is None:
            continue  # a helper's module not built yet
        assert command in _choices(cli.build_parser([command])), command


FAKE = """
def register(subparsers):
    p = subparsers.add_parser("hello", help="say hello")
    p.set_defaults(func=lambda args: print("hello") or 0)
"""


def test_a_module_not_in_commands_still_works(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fake_cli_hello.py").write_text(FAKE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "fake_cli_hello"))
    assert cli.main(["hello"]) == 0
    assert capsys.readouterr().out == "hello\n"
    # and a stale COMMANDS entry (the module registers something else) falls back to loading all
    monkeypatch.setitem(cli.COMMANDS, "hello", "bot.cli_timeline")
    assert cli.main(["hello"]) == 0
    assert capsys.readouterr().out == "hello\n"


def test_a_missing_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "bot.cli_not_built_yet"))
    monkeypatch.setitem(cli.COMMANDS, "later", "bot.cli_not_built_yet")
    with pytest.raises(SystemExit) as exc:
        cli.main(["later"])
    assert exc.value.code == 2  # argparse: invalid choice, as for any unknown command
