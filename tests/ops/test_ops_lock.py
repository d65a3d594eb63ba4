"""The lock file (issue 15, item 4): every dependency pyproject.toml names is pinned in
requirements.lock, with hashes, and CI and the README install from it.

Before: no lock at all, so a fresh install six months later was a different program. When this
fails after a dependency was added or changed, refresh the lock: `bash scripts/lock.sh`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
REFRESH = "run `bash scripts/lock.sh` and commit requirements.lock with pyproject.toml"


def _name(requirement: str) -> str:
    return (
        re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0]
        .lower()
        .replace("_", "-")
        .replace(".", "-")
    )


def locked() -> dict[str, str]:
    """Package name -> pinned version, from the lock."""
    out = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^ \\]+)", line)
        if m:
            out[_name(m.group(1))] = m.group(2)
    return out


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        names |= {_name(r) for r in extra}
    return names


def test_the_lock_covers_every_dependency_in_pyproject() -> None:
    assert LOCK.exists(), f"requirements.lock is missing: {REFRESH}"
    missing = sorted(declared() - set(locked()))
    assert not missing, f"pyproject.toml names {', '.join(missing)}, which requirements.lock lacks: {REFRESH}"


def test_every_pin_has_a_hash_and_no_local_index_is_named() -> None:
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1] if "\n\n" in text else text)
    pins = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert pins and all("--hash=sha256:" in b for b in pins), REFRESH
    assert "file://" not in text and "--index-url" not in text and "--find-links" not in text


def test_ci_and_the_readme_install_from_the_lock() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = ".venv/bin/pip install -q -r requirements.lock && .venv/bin/pip install -q -e . --no-deps"
    assert install in ci and install in readme
    assert ".venv/bin/pip check" in ci
    assert "bash scripts/lock.sh" in readme
