"""The habits in the tooling stay true: the pre-commit hooks and CI run the same checks, CI's last
line is the README's test command, the suites share one copy of the store and clock fixtures, and
no test edits `sys.path` (pytest's `pythonpath` in pyproject.toml does it once, for all of them)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
CI = ROOT / ".ci" / "run"


def _readme_test_command() -> str:
    """The README's second set-up command (tests/test_readme.py checks there are exactly two)."""
    setup = (ROOT / "README.md").read_text(encoding="utf-8").split("## Set up", 1)[1]
    return re.findall(r"```sh\n(.+?)\n```", setup.split("\n## ", 1)[0])[1]


def _hooks() -> tuple[list[str], list[str]]:
    """(entries of the active hooks, entries of the hooks commented out), in the file's order."""
    text = PRE_COMMIT.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    active = [h["entry"] for repo in config["repos"] for h in repo["hooks"]]
    off = [yaml.safe_load(m)["entry"] for m in re.findall(r"^\s*# - (\{.*\})$", text, re.M)]
    return active, off


def _ci_checks() -> tuple[list[str], list[str]]:
    """(check commands .ci/run runs, check commands it has commented out), in the file's order."""
    active, off = [], []
    for line in CI.read_text(encoding="utf-8").splitlines():
        if line.startswith(".venv/bin/"):
            active.append(line)
        elif line.startswith("# .venv/bin/"):
            off.append(line.removeprefix("# ").split("  #", 1)[0])
    return active, off


def test_pre_commit_and_ci_run_the_same_checks() -> None:
    hooks, ci = _hooks(), _ci_checks()
    assert hooks == ci
    active, off = ci
    assert [c.split()[0].rsplit("/", 1)[1] for c in active] == ["ruff", "ruff", "mypy", "lint-imports"]
    assert ".venv/bin/ruff format --check ." in active
    assert off == []


def test_the_tree_is_formatted() -> None:
    """`ruff format --check` is on (after the one-time reformat): CI fails on unformatted code."""
    ruff = Path(sys.executable).with_name("ruff")
    r = subprocess.run(
        [str(ruff), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_the_pre_commit_config_is_valid(tmp_path: Path) -> None:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    r = subprocess.run(
        [str(pre_commit), "validate-config", str(PRE_COMMIT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_ci_builds_checks_then_ends_with_the_readme_test_command() -> None:
    lines = [line for line in CI.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[-1] == _readme_test_command()
    build = lines.index(
        "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.lock"
        " && .venv/bin/pip install -q -e . --no-deps && .venv/bin/pip check"
    )
    checks = [i for i, line in enumerate(lines) if line.startswith(".venv/bin/")]
    assert checks and build < min(checks) and max(checks) < len(lines) - 1


def _python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_test_edits_sys_path() -> None:
    edits = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "path"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                edits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert edits == []


def _fixtures(path: Path) -> set[str]:
    def is_fixture(d: ast.expr) -> bool:
        d = d.func if isinstance(d, ast.Call) else d
        return isinstance(d, ast.Attribute) and d.attr == "fixture"

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and any(is_fixture(d) for d in n.decorator_list)
    }


def test_the_shared_fixtures_have_one_home() -> None:
    """`store`, `clock`, `sqlite_template`, `backend` and `empty_db_url` live in tests/conftest.py;
    only the storage suite opens `store` its own way (on either backend)."""
    shared = {"store", "clock", "sqlite_template", "backend", "empty_db_url"}
    assert shared <= _fixtures(TESTS / "conftest.py")
    copies = {
        str(p.relative_to(TESTS)): sorted(_fixtures(p) & shared)
        for p in _python_files()
        if p != TESTS / "conftest.py"
    }
    assert {k: v for k, v in copies.items() if v} == {"storage/conftest.py": ["store"]}
