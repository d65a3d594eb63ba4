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
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_tree_keeps_its_layers() -> None:
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "KEPT" in r.stdout


def test_an_upward_import_fails_the_check(tmp_path: Path) -> None:
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "versions")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = tmp_path / "scheduling" / "london.py"
    planted.write_text(
        planted.read_text() + "\n\ndef _late() -> None:\n"
        "    from bot.settings import Settings  # noqa: F401\n"
    )
    r = _lint(tmp_path)
    assert r.returncode != 0
    assert "scheduling.london -> bot.settings" in r.stdout


def _private_imports() -> list[str]:
    import ast

    found = []
    for name in PACKAGES:
        for path in sorted((ROOT / name).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                    found += [
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{a.name}"
                        for a in node.names
                        # `_` alone is gettext's translate function (handlers.i18n), not private.
                        if a.name.startswith("_") and not a.name.startswith("__") and a.name != "_"
                    ]
    return found


def test_no_private_name_is_imported_across_modules() -> None:
    # A leading underscore says "only this module relies on it"; importing one elsewhere hides a
    # dependency the layer check and a reader would otherwise see.
    assert _private_imports() == []


def _cycles() -> list[list[str]]:
    """Strongly connected groups of modules (imports inside functions included)."""
    import grimp

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan; the graph is a few hundred modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycles() == []
