"""The per-case state snapshot: recomputed on every audited change, rebuilt after a migration."""

from __future__ import annotations

from bisect import insort
from typing import Final, cast

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from scheduling.case import Visit as CaseVisit
from storage.models import CoreGroup, Visit
from storage.states import CASE_COLUMNS, VISITS_PART, encode, is_current, load_states, visit_item

#: What an audited change may be about (`record_audit(entity=…)`) that no part of the engine's
#: `CaseState` is read from: the snapshot holds meetings, visits, case events and escalations
#: (`storage.states.load_states`), and the case's own columns are read from its row.
OUTSIDE_THE_STATE: Final = frozenset({"action", "member", "reminder", "report"})


def refresh_snapshot(
    session: Session, case: CoreGroup, *, entity: str | None = None, entity_id: int | None = None
) -> None:
    """Recompute `case.state_snapshot` (in the caller's transaction), at a cost that does not
    grow with the case's visits, its longest history (a write was ~1.8x dearer at 1,000 visits):

    - a visit just recorded (`entity="visit"`): its item is put in order into the visits part of
      the current snapshot, every other part recomputed from the tables;
    - any other change: everything but the visits from the tables, the visits part kept — only
      `storage.visits.record_visit` writes visits;
    - no current snapshot (missing, older format): all of it from the tables.

    - a change to a table the snapshot does not hold (`OUTSIDE_THE_STATE`: actions, members,
      reminders, reports) with a current snapshot: nothing to recompute.

    tests/reminders/test_incremental.py checks the result against the tables after every change.
    """
    if entity in OUTSIDE_THE_STATE and is_current(case.state_snapshot):
        return
    session.flush()
    conn = session.connection()
    row = conn.execute(select(*CASE_COLUMNS).where(col(CoreGroup.id) == case.id)).one()
    old = case.state_snapshot
    if not is_current(old):
        case.state_snapshot = encode(next(load_states(conn, [row])).state)
        session.flush()
        return
    assert old is not None
    parts = encode(next(load_states(conn, [row], visits=False)).state).split(";")
    kept = old.split(";")[VISITS_PART]
    if entity == "visit" and entity_id is not None:
        v = session.get(Visit, entity_id)
        if v is not None and v.case_id == case.id:
            items = kept.split(",") if kept else []
            insort(items, visit_item(CaseVisit(v.visited_on, v.by, bool(v.seen_alone))))
            kept = ",".join(items)
        else:  # not a visit of this case after all: read them
            kept = encode(next(load_states(conn, [row])).state).split(";")[VISITS_PART]
    parts[VISITS_PART] = kept
    case.state_snapshot = ";".join(parts)
    session.flush()


def rebuild_snapshots(session: Session, *, batch_size: int = 2000) -> int:
    """Rewrite every case's snapshot from the tables (after a migration); returns how many."""
    conn = session.connection()
    last, n = 0, 0
    while True:
        rows = conn.execute(
            select(*CASE_COLUMNS)
            .where(col(CoreGroup.id) > last)
            .order_by(col(CoreGroup.id))
            .limit(batch_size)
        ).all()
        if not rows:
            return n
        table = CoreGroup.__table__  # type: ignore[attr-defined]
        values = [{"case": a.id, "snapshot": encode(a.state)} for a in load_states(conn, rows)]
        conn.execute(
            update(table).where(table.c.id == bindparam("case")).values(state_snapshot=bindparam("snapshot")),
            values,
        )
        n += len(values)
        last = cast(int, rows[-1][0])
