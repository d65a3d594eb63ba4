"""`case_state` is exactly the engine's CaseState, and the sweep's bulk loader agrees with it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import col

from scheduling.case import (
    CaseState,
    Change,
    Escalation,
    Meeting,
    Resolution,
    Visit,
    case_from_dict,
    case_to_dict,
)
from storage import repository as repo
from storage import states
from storage.db import Store
from storage.models import CoreGroup

LONDON = ZoneInfo("Europe/London")
A = "cli"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def build_rich_case(store: Store) -> str:
    """A Welsh case with every kind of fact the engine reads, recorded as the bot would."""
    t0 = at(2027, 5, 20, 9)
    with store.transaction() as s:
        ref = repo.create_case(
            s,
            actor=A,
            now=t0,
            profile="cwm-taf-morgannwg",
            plan="cp",
            start=date(2027, 5, 20),
            registered=date(2027, 5, 21),
            lead_visit_every=10,
        ).reference
        lead = repo.add_member(s, ref, actor=A, now=t0, display_name="L", role="lead social worker")
        hv = repo.add_member(s, ref, actor=A, now=t0, display_name="H", role="health visitor")
        gp = repo.add_member(s, ref, actor=A, now=t0, display_name="G", role="gp")
        mum = repo.add_member(s, ref, actor=A, now=t0, display_name="M", role="parent", kind="family")
        cover = repo.add_member(s, ref, actor=A, now=t0, display_name="C", role="social worker")
    # First core group, held at 00:30 London on 1 July (23:30 UTC on 30 June): London date counts.
    with store.transaction() as s:
        m1 = repo.schedule_meeting(s, ref, actor=A, now=t0, starts_at=at(2027, 7, 1, 0, 30))
        rc = repo.schedule_meeting(
            s, ref, actor=A, now=t0, kind="review_conference", starts_at=at(2027, 8, 12)
        )
        gone = repo.schedule_meeting(
            s, ref, actor=A, now=t0, kind="review_conference", starts_at=at(2027, 8, 5)
        )
        repo.cancel_meeting(s, ref, gone.id, actor=A, now=t0)
    t1 = at(2027, 7, 1, 12)
    with store.transaction() as s:
        repo.record_attendance(
            s, ref, m1.id, actor=A, now=t1, attended=[lead.id, hv.id, mum.id], apologies=[gp.id]
        )
        repo.hold_meeting(s, ref, m1.id, actor=A, now=t1)
        repo.mark_minutes_circulated(s, ref, m1.id, actor=A, now=at(2027, 7, 6, 16))
        repo.mark_chair_update_sent(s, ref, m1.id, actor=A, now=at(2027, 7, 2, 9))
        # A core group the lead missed, covered by another social worker.
        m2 = repo.record_held_meeting(s, ref, actor=A, now=t1, starts_at=at(2027, 6, 20))
        repo.record_attendance(s, ref, m2.id, actor=A, now=t1, attended=[cover.id, hv.id, gp.id])
        # Held with no attendance recorded, social worker absent by say-so.
        repo.record_held_meeting(
            s,
            ref,
            actor=A,
            now=t1,
            starts_at=at(2027, 6, 25),
            kind="school_move_core_group",
            social_worker_present=False,
        )
        repo.record_visit(
            s,
            ref,
            actor=A,
            now=t1,
            on=date(2027, 6, 3),
            by="lead_social_worker",
            member_id=lead.id,
            seen_alone=True,
        )
        repo.record_visit(s, ref, actor=A, now=t1, on=date(2027, 6, 1), by="professional")
        repo.record_school_move(s, ref, actor=A, now=t1, on=date(2027, 6, 14))
        ch = repo.record_significant_change(s, ref, actor=A, now=t1, on=date(2027, 6, 28))
        repo.record_significant_change(
            s, ref, actor=A, now=t1, on=date(2027, 6, 10), reported_on=date(2027, 6, 11)
        )
        repo.mark_change_reported(s, ref, ch.id, actor=A, now=t1)
        esc = repo.raise_escalation(s, ref, actor=A, now=at(2027, 6, 7, 11))
        repo.advance_escalation(s, ref, esc.id, actor=A, now=at(2027, 6, 15, 11))
        repo.request_resolution(s, ref, actor=A, now=t1, on=date(2027, 6, 30))
    t2 = at(2027, 7, 2, 9)
    with store.transaction() as s:
        tier1 = repo.schedule_meeting(
            s, ref, actor=A, now=t2, kind="resolution_tier1", starts_at=at(2027, 7, 9)
        )
        repo.schedule_meeting(s, ref, actor=A, now=t2, kind="resolution_tier2", starts_at=at(2027, 9, 9))
        next_cg = repo.schedule_meeting(s, ref, actor=A, now=t2, starts_at=at(2027, 7, 20))
    t3 = at(2027, 7, 9, 15)
    with store.transaction() as s:
        repo.hold_meeting(s, ref, tier1.id, actor=A, now=t3)
        repo.set_significant_risk_reduction(s, ref, True, actor=A, now=t3)
        repo.record_attendance(s, ref, next_cg.id, actor=A, now=t3, apologies=[gp.id])
    assert rc.id
    return ref


EXPECTED = CaseState(
    profile="cwm-taf-morgannwg",
    plan="cp",
    start=date(2027, 5, 20),
    registered=date(2027, 5, 21),
    review_conferences=(date(2027, 8, 12),),
    meetings=(
        Meeting(
            date(2027, 6, 20),
            "core_group",
            "held",
            social_worker_present=True,
            professionals_present=3,
            lead_sw_present=False,
        ),
        Meeting(date(2027, 6, 25), "school_move_core_group", "held", social_worker_present=False),
        Meeting(
            date(2027, 7, 1),
            "core_group",
            "held",
            social_worker_present=True,
            minutes_circulated=date(2027, 7, 6),
            chair_update_sent=date(2027, 7, 2),
            professionals_present=2,
            lead_sw_present=True,
        ),
        Meeting(date(2027, 7, 9), "resolution_tier1", "held"),
        Meeting(date(2027, 7, 20), "core_group", "scheduled"),
        Meeting(date(2027, 9, 9), "resolution_tier2", "scheduled"),
    ),
    visits=(
        Visit(date(2027, 6, 1), "professional", False),
        Visit(date(2027, 6, 3), "lead_social_worker", True),
    ),
    school_moves=(date(2027, 6, 14),),
    significant_changes=(
        Change(date(2027, 6, 10), date(2027, 6, 11)),
        Change(date(2027, 6, 28), date(2027, 7, 1)),
    ),
    resolution=Resolution(
        requested=date(2027, 6, 30),
        tier1_meetings=(date(2027, 7, 9),),
        tier2_meetings=(),
        significant_risk_reduction=True,
    ),
    escalations=(Escalation(raised=date(2027, 6, 7), stage=2, stage_started=date(2027, 6, 15)),),
    lead_visit_every=10,
)


def test_case_state_is_the_engine_state(store: Store) -> None:
    ref = build_rich_case(store)
    with store.read() as s:
        state = repo.case_state(s, ref)
        from_tables = repo.case_state(s, ref, from_tables=True)
    assert isinstance(state, CaseState)
    assert state == from_tables == EXPECTED  # the snapshot every change rewrote, and the tables


def test_case_state_round_trips_through_case_json(store: Store) -> None:
    """What `coregroup timeline` reads from CASE.json is the same value the database gives."""
    ref = build_rich_case(store)
    with store.read() as s:
        state = repo.case_state(s, ref)
    assert case_from_dict(case_to_dict(state)) == state


def test_active_case_states_streams_in_batches_and_agrees(store: Store) -> None:
    t0 = at(2027, 1, 4, 9)
    refs = []
    with store.transaction() as s:
        for i in range(7):
            ref = repo.create_case(
                s, actor=A, now=t0, profile="suffolk", plan="cp", start=date(2026, 12, 1) + timedelta(days=i)
            ).reference
            refs.append(ref)
            repo.record_visit(s, ref, actor=A, now=t0, on=date(2027, 1, 1 + i % 3), by="professional")
            repo.record_held_meeting(s, ref, actor=A, now=t0, starts_at=at(2027, 1, 4, 8))
            if i % 2:
                repo.raise_escalation(s, ref, actor=A, now=t0)
        repo.close_case(s, refs[3], actor=A, now=t0)
        repo.link_channel(s, refs[0], actor=A, now=t0, kind="slack", channel_id="C0AAA")
    with store.read() as s:
        streamed = list(repo.active_case_states(s, batch_size=2))
        assert [a.reference for a in streamed] == [r for i, r in enumerate(refs) if i != 3]
        for a in streamed:
            assert a.state == repo.case_state(s, a.reference)
        assert repo.channel_of(s, streamed[0].reference, "slack") == "C0AAA"
        assert streamed[0].id == repo.get_case(s, refs[0]).id


def test_snapshot_encodes_the_same_state(store: Store) -> None:
    """The sweep's one-row-per-case snapshot decodes to exactly what the tables give."""
    ref = build_rich_case(store)
    assert states.Decoder().decode(states.encode(EXPECTED)) is not None
    with store.read() as s:
        case = repo.get_case(s, ref)
        facts = states.Decoder().decode(case.state_snapshot)
        assert facts is not None
        row = s.connection().execute(select(*states.CASE_COLUMNS).where(col(CoreGroup.id) == case.id)).one()
        assert states.assemble(row, facts).state == EXPECTED
        assert [a.state for a in repo.active_case_states(s)] == [EXPECTED]


def test_missing_or_old_snapshots_fall_back_to_the_tables(store: Store) -> None:
    ref = build_rich_case(store)
    t0 = at(2027, 7, 10, 9)
    with store.transaction() as s:
        other = repo.create_case(
            s, actor=A, now=t0, profile="suffolk", plan="cp", start=date(2027, 7, 1)
        ).reference
        repo.record_visit(s, other, actor=A, now=t0, on=date(2027, 7, 2), by="professional")
    with store.read() as s:
        want = {a.reference: a.state for a in repo.active_case_states(s)}
    with store.transaction() as s:
        s.execute(update(CoreGroup).where(col(CoreGroup.reference) == ref).values(state_snapshot=None))
        s.execute(
            update(CoreGroup).where(col(CoreGroup.reference) == other).values(state_snapshot="f0;old format")
        )
    with store.read() as s:
        assert {a.reference: a.state for a in repo.active_case_states(s)} == want
    with store.transaction() as s:
        assert repo.rebuild_snapshots(s) == 2
    with store.read() as s:
        assert all(states.Decoder().decode(c.state_snapshot) for c in repo.list_cases(s))
        assert {a.reference: a.state for a in repo.active_case_states(s)} == want


def test_a_write_does_not_read_the_case_history(store: Store) -> None:
    """A change rewrites the snapshot without reading the case's visits back (the history that
    grows), and the use case reads the state from the snapshot: a write's cost stays flat."""
    from sqlalchemy import event

    ref = build_rich_case(store)
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()))

    now = datetime(2027, 6, 20, 12, tzinfo=LONDON)
    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as s:
            repo.record_visit(s, ref, actor="test", now=now, on=date(2027, 6, 18), by="professional")
            repo.add_action(s, ref, actor="test", now=now, text="An action")
            state = repo.case_state(s, ref)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    history = [q for q in statements if "FROM visit" in q and "visit.case_id BETWEEN" in q]
    assert history == []
    with store.read() as s:
        assert state == repo.case_state(s, ref, from_tables=True)
        assert repo.get_case(s, ref).state_snapshot == states.encode(state)
    assert len(state.visits) == len(EXPECTED.visits) + 1
