"""The engine's view of a case (`scheduling.case.CaseState`), built from the record.

How the record maps to the engine's `scheduling.case.CaseState` (`case_state`,
`active_case_states`):

- profile, plan, start, registered, lead_visit_every ← `CoreGroup` columns.
- meetings ← `Meeting` rows of kind core_group, school_move_core_group,
  resolution_review_core_group, resolution_tier1, resolution_tier2 (every status), ordered by
  start: date = Europe/London date of `starts_at`; status held / scheduled / cancelled passed
  explicitly; minutes_circulated / chair_update_sent = London dates of the `*_at` columns;
  professionals_present = professional members recorded as attended and lead_sw_present = the lead
  social worker recorded as attended (both only for held meetings with attendance recorded, else
  None); social_worker_present = what was said when it was held, else whether any social worker
  was recorded attending, else True.
- review_conferences ← dates of `review_conference` meetings that are not cancelled.
- resolution ← `CoreGroup.resolution_requested`, `.significant_risk_reduction`, and the dates of
  held resolution_tier1 / resolution_tier2 meetings.
- visits ← `Visit(visited_on, by, seen_alone)`; escalations ← `Escalation` (London dates of
  raised_at / stage_started_at / resolved_at); school_moves and significant_changes ← `CaseEvent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, select, text, update
from sqlmodel import Session, col

from scheduling.case import CaseState
from storage.common import load_case
from storage.models import REPLAN_NOW, CoreGroup
from storage.states import CASE_COLUMNS, ActiveCase, Decoder, Parsers, assemble, load_states

# --- the engine's view ---------------------------------------------------------------------------


def case_state(session: Session, reference: str, *, from_tables: bool = False) -> CaseState:
    """Exactly the engine's `CaseState` for a case (the same value CASE.json would give).

    Works for closed cases too (the record is still there); see the module docstring for the
    mapping from tables to fields. The child-table facts come from the case's snapshot, which
    every change rewrites in its own transaction (`storage.common.record_audit`), so a write
    and the summary after it do not re-read the case's whole history; `from_tables` (or a
    missing or old-format snapshot) reads the tables instead.
    """
    case = load_case(session, reference, writable=False)
    conn = session.connection()
    row = conn.execute(
        select(*CASE_COLUMNS, col(CoreGroup.state_snapshot)).where(col(CoreGroup.id) == case.id)
    ).one()
    if not from_tables:
        facts = _decoder().decode(cast(str | None, row[-1]))
        if facts is not None:
            return assemble(row, facts).state
    return next(load_states(conn, [row])).state


_shared: list[Decoder] = [Decoder()]


def _decoder() -> Decoder:
    """One decoder for the process (items recur across cases and writes), renewed when its
    caches have grown large."""
    if _shared[0].size() > _DECODER_LIMIT:
        _shared[0] = Decoder()
    return _shared[0]


_DECODER_LIMIT = 200_000


def active_case_states(
    session: Session, *, batch_size: int = 2000, due_by: datetime | None = None
) -> Iterator[ActiveCase]:
    """Every active case, in batches (never one query per case); with `due_by`, only those whose
    `replan_at` has come by then (the incremental sweep: `ix_core_group_replan`).

    Reads each case's snapshot (one row per case); a case without a current snapshot is computed
    from the tables with bulk queries. Streams: at most `batch_size` cases are in memory at once.
    Use a `Store.read()` session; the batches are read in one transaction.
    """
    conn = session.connection()
    decoder = Decoder()
    parsers = Parsers()
    columns = (
        *CASE_COLUMNS,
        col(CoreGroup.plan_revision),
        col(CoreGroup.replan_at),
        col(CoreGroup.state_snapshot),
    )
    due: list[int] | None = None
    if due_by is not None:
        # The ids alone, answered from the index (status, replan_at) without touching a case row:
        # with nothing due this is the whole sweep. Then the due cases in batches of ids.
        due = sorted(
            cast(int, cid)
            for cid in conn.execute(
                select(col(CoreGroup.id)).where(
                    col(CoreGroup.status) == "active", col(CoreGroup.replan_at) <= due_by
                )
            ).scalars()
        )
    last: int = 0
    while True:
        if due is not None:
            chunk, due = due[:batch_size], due[batch_size:]
            if not chunk:
                return
            stmt = select(*columns).where(col(CoreGroup.id).in_(chunk), col(CoreGroup.status) == "active")
        else:
            stmt = select(*columns).where(col(CoreGroup.status) == "active", col(CoreGroup.id) > last)
        rows = conn.execute(stmt.order_by(col(CoreGroup.id)).limit(batch_size)).all()
        if not rows:
            if due is not None:
                continue
            return
        decoded = [(row, decoder.decode(cast(str | None, row[-1]))) for row in rows]
        stale = [row for row, facts in decoded if facts is None]
        computed = {a.id: a for a in load_states(conn, stale, parsers)} if stale else {}
        for row, facts in decoded:
            a = assemble(row, facts) if facts is not None else computed[cast(int, row[0])]
            yield ActiveCase(a.id, a.reference, a.state, cast(int, row[-3]), cast(datetime, row[-2]))
        last = cast(int, rows[-1][0])


def set_replan(session: Session, moments: Iterable[tuple[int, int, datetime]]) -> int:
    """Write the sweep's (case id, revision read, next look) back; returns how many were written.

    A compare-and-set on `plan_revision`: a case changed while the sweep planned it keeps its
    "plan now", so the next sweep sees the change. In the caller's transaction: on PostgreSQL one
    UPDATE … FROM unnest(three arrays) (50,000 single-row UPDATEs cost a full sweep seconds of
    round trips and per-statement work); elsewhere one executemany (SQLite runs it in-process).
    """
    values = [{"case": cid, "rev": rev, "at": at} for cid, rev, at in moments]
    if not values:
        return 0
    table = CoreGroup.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        process = table.c.replan_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        converted: dict[datetime, object] = {}
        ats = []
        for _cid, _rev, at in ((v["case"], v["rev"], cast(datetime, v["at"])) for v in values):
            got = converted.get(at)
            if got is None:
                got = converted[at] = process(at) if process is not None else at
            ats.append(got)
        result = conn.execute(
            text(
                "UPDATE core_group AS c SET replan_at = v.at"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:revs AS bigint[]), CAST(:ats AS timestamp[]))"
                " AS v(id, rev, at)"
                " WHERE c.id = v.id AND c.plan_revision = v.rev"
            ),
            {"ids": [v["case"] for v in values], "revs": [v["rev"] for v in values], "ats": ats},
        )
        return int(getattr(result, "rowcount", 0) or 0)
    result = conn.execute(
        update(table)
        .where(table.c.id == bindparam("case"), table.c.plan_revision == bindparam("rev"))
        .values(replan_at=bindparam("at", type_=table.c.replan_at.type)),
        values,
    )
    return int(getattr(result, "rowcount", 0) or 0)


def replan_all(session: Session) -> int:
    """Mark every active case "plan at the next sweep" (after a profile or holiday change)."""
    table = CoreGroup.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        update(table).where(table.c.status == "active").values(replan_at=REPLAN_NOW)
    )
    return int(getattr(result, "rowcount", 0) or 0)
