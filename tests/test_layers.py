"""The layers point down — scheduling ← storage ← handlers ← bot — and CI fails when they don't.

`lint-imports` (import-linter, contracts in pyproject.toml) reads every import statement, those
inside functions included. The second test plants an upward import in a copy of the tree and
checks that the same command then fails and names it: a check that cannot fail checks nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("bot", "handlers", "scheduling", "storage")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_tree_keeps_its_layers() -> None:
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "KEPT" in r.stdout


def test_an_upward_import_fails_the_check(tmp_path: Path) -> None:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "versions"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = tmp_path / "scheduling" / "london.py"
    planted.write_text(planted.read_text() + "\n\ndef _late() -> None:\n"
                       "    from bot.settings import Settings  # noqa: F401\n")
    r = _lint(tmp_path)
    assert r.returncode != 0
    assert "scheduling.london -> bot.settings" in r.stdout
