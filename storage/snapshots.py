"""The per-case state snapshot: recomputed on every audited change, rebuilt after a migration."""

from __future__ import annotations

from typing import cast

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from storage.models import CoreGroup
from storage.states import CASE_COLUMNS, encode, load_states


def refresh_snapshot(session: Session, case: CoreGroup) -> None:
    """Recompute `case.state_snapshot` from the tables (in the caller's transaction)."""
    session.flush()
    conn = session.connection()
    row = conn.execute(select(*CASE_COLUMNS).where(col(CoreGroup.id) == case.id)).one()
    case.state_snapshot = encode(next(load_states(conn, [row])).state)
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
