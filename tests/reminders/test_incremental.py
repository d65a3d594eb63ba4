"""The incremental sweep queues exactly what full sweeps would, at the same send times.

Over simulated months of random changes to a few cases (visits, meetings booked, held, cancelled,
minutes, attendance, reports, plan actions, new cases), three sweeps a day. Before each sweep a
full, read-only plan of every active case says what a full sweep would queue (the first send time
of each key is the one the outbox keeps); then the real incremental sweep runs, and the outbox
must hold exactly those keys with exactly those send times. A case whose next moment were
computed too late would miss a row (or queue it a day late, a different send time); the test
also checks that the incremental sweeps did plan far fewer cases than full ones.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes.env import store_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from world import LONDON, new_case

from handlers.sweep import plan_cases, sweep
from storage import outbox, states
from storage import repository as repo
from storage.db import Store
from storage.errors import StorageError

ACTOR = "test:incremental"
PROFILES = ("suffolk", "newham", "scotland", "cwm-taf-morgannwg")
START = date(2027, 1, 4)
DAYS = 75
SWEEPS = ("07:30", "09:05", "16:40")


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=LONDON)


def change(store: Store, rnd: random.Random, refs: list[str], now: datetime) -> None:
    """One random change through the repository (a refused one changes nothing, as in life)."""
    today = now.astimezone(LONDON).date()
    ref = rnd.choice(refs)
    op = rnd.choice(
        ("visit", "visit", "book", "book", "hold", "minutes", "cancel", "attend", "report", "action", "done")
    )
    try:
        with store.transaction() as s:
            members = [m.id for m in repo.members(s, ref)]
            meetings = repo.meetings(s, ref)
            scheduled = [m for m in meetings if m.status == "scheduled"]
            if op == "visit":
                repo.record_visit(
                    s,
                    ref,
                    actor=ACTOR,
                    now=now,
                    on=today - timedelta(days=rnd.randrange(3)),
                    by=rnd.choice(("lead_social_worker", "professional")),
                    seen_alone=rnd.random() < 0.5,
                )
            elif op == "book":
                day = today + timedelta(days=rnd.randrange(2, 45))
                repo.schedule_meeting(
                    s, ref, actor=ACTOR, now=now, starts_at=at(day, "10:00"), chair_member_id=members[0]
                )
            elif op == "hold" and scheduled:
                repo.hold_meeting(s, ref, int(scheduled[0].id or 0), actor=ACTOR, now=now)
            elif op == "minutes":
                held = [m for m in meetings if m.status == "held" and m.minutes_circulated_at is None]
                if held:
                    repo.mark_minutes_circulated(s, ref, int(held[0].id or 0), actor=ACTOR, now=now)
            elif op == "cancel" and scheduled:
                repo.cancel_meeting(s, ref, int(scheduled[-1].id or 0), actor=ACTOR, now=now)
            elif op == "attend" and scheduled:
                repo.record_attendance(
                    s, ref, int(scheduled[0].id or 0), actor=ACTOR, now=now, attended=[rnd.choice(members)]
                )
            elif op == "report" and scheduled:
                repo.submit_report(
                    s, ref, int(scheduled[0].id or 0), rnd.choice(members[:3]), "In.", actor=ACTOR, now=now
                )
            elif op == "action":
                repo.add_action(
                    s,
                    ref,
                    actor=ACTOR,
                    now=now,
                    text="Plan action",
                    owner_member_id=rnd.choice(members[:3]),
                    due_on=today + timedelta(days=rnd.randrange(1, 25)),
                )
            elif op == "done":
                open_ = repo.actions(s, ref, status="open")
                if open_:
                    repo.achieve_action(s, ref, int(open_[0].id or 0), actor=ACTOR, now=now)
    except StorageError:
        pass


def snapshots_agree(store: Store, refs: list[str]) -> None:
    """Every change rewrote its case's snapshot (incrementally: storage/snapshots.py) to exactly
    what the tables say."""
    with store.read() as s:
        for ref in refs:
            assert repo.get_case(s, ref).state_snapshot == states.encode(
                repo.case_state(s, ref, from_tables=True)
            ), ref


def outbox_rows(store: Store) -> dict[tuple[int, str, str, str], datetime]:
    with store.read() as s:
        return {(r.case_id, r.rule, r.subject, r.stage): r.due_at for r in outbox.reminders(s)}


def simulate(store: Store, seed: int) -> tuple[int, int]:
    rnd = random.Random(seed)
    refs: list[str] = []
    for n in range(3):
        start = START - timedelta(days=rnd.randrange(0, 120))
        c = new_case(
            store,
            at(START, "08:00"),
            reference=f"CG-{n + 1:04d}",
            profile=PROFILES[n],
            start=start,
            prefix=f"I{n}",
        )
        refs.append(c.reference)
    expected: dict[tuple[int, str, str, str], datetime] = {}
    planned_incrementally = planned_fully = 0
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for hhmm in SWEEPS:
            now = at(day, hhmm)
            for _ in range(rnd.choice((0, 0, 1, 2))):
                change(store, rnd, refs, now - timedelta(minutes=20))
            if offset == 20 and hhmm == "09:05":
                c = new_case(
                    store,
                    now - timedelta(minutes=10),
                    reference="CG-0004",
                    profile="suffolk",
                    start=day,
                    prefix="I4",
                )
                refs.append(c.reference)
            snapshots_agree(store, refs)
            full = plan_cases(store, now, full=True)
            for o in full.planned:
                expected.setdefault(o.key, o.send_at)
            result = sweep(store, now)
            planned_fully += full.cases
            planned_incrementally += result.cases
            assert outbox_rows(store) == expected, f"seed {seed}, {now:%a %d %b %Y %H:%M}"
    return planned_incrementally, planned_fully


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_sweeps_queue_what_full_sweeps_would(
    sqlite_template: Path, tmp_path: Path, seed: int
) -> None:
    store = store_from(sqlite_template, tmp_path)
    try:
        incremental, full = simulate(store, seed)
    finally:
        store.dispose()
    # Most sweeps planned nothing: a case is planned when it changed, or once on a day one of its
    # reminders is due (an overdue item's daily repeat makes that every working day, and three
    # sweeps a day bound it at a third), never at every sweep.
    assert incremental < full / 2


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=3, max_value=2**31))
def test_incremental_agrees_with_full_for_any_history(sqlite_template: Path, seed: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = store_from(sqlite_template, Path(directory))
        try:
            incremental, full = simulate(store, seed)
        finally:
            store.dispose()
    assert incremental < full / 2  # as above: planned when changed or due, not at every sweep


def test_a_sweep_with_nothing_new_is_one_query(store: Store) -> None:
    now = at(START, "09:05")
    new_case(store, now - timedelta(hours=1), reference="CG-0001", profile="suffolk", start=START, prefix="Q")
    first = sweep(store, now)
    assert first.cases == 1 and first.moments
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        again = sweep(store, now + timedelta(minutes=5))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert (again.cases, again.planned, again.inserted) == (0, [], 0)
    queries = [q for q in statements if not q.startswith("BEGIN")]
    assert len(queries) == 1 and "replan_at <=" in queries[0]
    with store.read() as s:  # answered from the index, not by reading every case
        plan = s.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + queries[0], ("active", "2027-01-04 09:10:00.000000")
        )
        assert "ix_core_group_replan" in " ".join(str(row) for row in plan)


def test_a_change_made_while_the_sweep_plans_is_not_hidden(store: Store) -> None:
    """The sweep writes a case's next moment back only if the case did not change meanwhile."""
    now = at(START, "09:05")
    new_case(store, now - timedelta(hours=1), reference="CG-0001", profile="suffolk", start=START, prefix="R")
    planned = plan_cases(store, now, full=False)
    with store.transaction() as s:  # a visit recorded between the plan and its write-back
        repo.record_visit(s, "CG-0001", actor=ACTOR, now=now, on=START, by="professional")
    with store.transaction() as s:
        assert repo.set_replan(s, planned.moments) == 0
    assert sweep(store, now + timedelta(minutes=5)).cases == 1
    assert sweep(store, now + timedelta(minutes=10)).cases == 0


def test_a_full_replan_reads_every_case_and_replan_all_marks_them(store: Store) -> None:
    now = at(START, "09:05")
    for n in (1, 2):
        new_case(
            store,
            now - timedelta(hours=1),
            reference=f"CG-000{n}",
            profile="suffolk",
            start=START,
            prefix=f"F{n}",
        )
    assert sweep(store, now).cases == 2
    assert sweep(store, now).cases == 0
    assert sweep(store, now, full=True).cases == 2
    with store.transaction() as s:
        assert repo.replan_all(s) == 2
    assert sweep(store, now).cases == 2
