"""A sweep counts what it really inserted, on SQLite and PostgreSQL: the second of two identical
sweeps inserts nothing and says so (psycopg's executemany rowcount counted every row it was given,
so PostgreSQL once reported every planned row as new)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from handlers.sweep import sweep
from storage import repository as repo
from storage.db import Store
from storage.models import Reminder

LONDON = ZoneInfo("Europe/London")


def test_a_repeated_sweep_inserts_nothing_and_says_so(store: Store) -> None:
    start = datetime(2027, 1, 4, 14, 0, tzinfo=LONDON)
    with store.transaction() as s:
        for n in range(1, 4):
            repo.create_case(
                s,
                actor="test",
                now=start,
                profile="suffolk",
                plan="cp",
                start=date(2027, 1, 4),
                reference=f"CG-{n:04d}",
            )
    at = datetime(2027, 1, 14, 9, 5, tzinfo=LONDON)
    first = sweep(store, at)
    assert first.planned and first.inserted == len(first.planned)
    second = sweep(store, at, full=True)  # a full re-plan: every row planned again, none new
    assert len(second.planned) == len(first.planned)
    assert second.inserted == 0
    third = sweep(store, at)  # incremental: nothing changed, nothing due, nothing planned
    assert (third.cases, third.planned, third.inserted) == (0, [], 0)
    with store.read() as s:
        assert s.exec(select(func.count()).select_from(Reminder)).one() == first.inserted
