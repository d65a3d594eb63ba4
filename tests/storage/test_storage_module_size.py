"""No module of the record grows back into one big room.

The repository was one 2,000-line module holding about ten aggregates; it is split by aggregate
(`storage/cases.py`, `storage/members.py`, …) behind the `storage/repository.py` facade. A module
over the limit is a sign a second aggregate has moved in: give it its own module instead.
"""

from __future__ import annotations

from pathlib import Path

STORAGE = Path(__file__).resolve().parents[2] / "storage"
LIMIT = 700


def _oversized(root: Path, limit: int) -> list[str]:
    return [
        f"{p.relative_to(root.parent)}: {n} lines"
        for p in sorted(root.rglob("*.py"))
        if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    ]


def test_no_storage_module_is_over_the_limit() -> None:
    assert _oversized(STORAGE, LIMIT) == []


def test_the_check_sees_an_oversized_module(tmp_path: Path) -> None:
    # A check that cannot fail checks nothing: a planted big module is named.
    root = tmp_path / "storage"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "small.py").write_text("x = 1\n" * LIMIT)
    (root / "big.py").write_text("x = 1\n" * (LIMIT + 1))
    (root / "migrations" / "versions" / "0001_big.py").write_text("x = 1\n" * (LIMIT + 1))
    assert _oversized(root, LIMIT) == [f"storage/big.py: {LIMIT + 1} lines"]
