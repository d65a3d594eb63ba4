"""The outbox is shared by two senders: the calendar worker claims only `calendar_invitation`
rows, the chat reminder delivery everything else (issue 6). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import col, select

from storage import outbox
from storage import repository as repo
from storage.db import Store

CALENDAR = "calendar_invitation"


def test_rules_and_exclude_rules_split_the_outbox(store: Store, now: datetime) -> None:
    with store.transaction() as s:
        case = repo.create_case(
            s,
            reference="CG-0001",
            actor="test",
            now=now,
            profile="suffolk",
            plan="cp",
            start=date(2027, 1, 4),
        )
        assert case.id is not None
        for rule, subject in (
            (CALENDAR, "meeting:1"),
            ("minutes_circulated", "meeting:1"),
            (CALENDAR, "meeting:2"),
            ("written_report", "meeting:1"),
        ):
            outbox.enqueue(
                s, case_id=case.id, rule=rule, subject=subject, stage="v0", recipient="r", due_at=now, now=now
            )
    with store.transaction() as s:
        chat = outbox.claim_due(s, now=now, limit=10, worker="delivery", exclude_rules=(CALENDAR,))
        assert sorted(r.rule for r in chat) == ["minutes_circulated", "written_report"]
    with store.transaction() as s:
        cal = outbox.claim_due(s, now=now, limit=10, worker="calendar", rules=(CALENDAR,))
        assert [(r.rule, r.subject) for r in cal] == [(CALENDAR, "meeting:1"), (CALENDAR, "meeting:2")]
    with store.transaction() as s:  # everything is leased now: nothing is claimed twice
        assert outbox.claim_due(s, now=now, limit=10, worker="other") == []


def test_raise_calendar_sequence_counts_up_and_is_audited(store: Store, now: datetime) -> None:
    from datetime import timedelta

    from storage.models import AuditEvent

    with store.transaction() as s:
        repo.create_case(
            s,
            reference="CG-0001",
            actor="test",
            now=now,
            profile="suffolk",
            plan="cp",
            start=date(2027, 1, 4),
        )
        m = repo.schedule_meeting(s, "CG-0001", actor="test", now=now, starts_at=now + timedelta(days=7))
        assert m.id is not None and m.calendar_sequence == 0
        assert repo.raise_calendar_sequence(s, "CG-0001", m.id, actor="test", now=now) == 1
        assert repo.raise_calendar_sequence(s, "CG-0001", m.id, actor="test", now=now) == 2
    with store.read() as s:
        assert repo.get_meeting(s, "CG-0001", m.id).calendar_sequence == 2
        events = s.exec(select(AuditEvent).where(col(AuditEvent.action) == "meeting.calendar_sequence")).all()
        assert [(json.loads(e.before or "{}"), json.loads(e.after or "{}")) for e in events] == [
            ({"calendar_sequence": 0}, {"calendar_sequence": 1}),
            ({"calendar_sequence": 1}, {"calendar_sequence": 2}),
        ]
