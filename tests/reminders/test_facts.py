"""The bulk reminder facts: one query per table for a batch of cases, the same answers as the
records, and only what can be due."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event
from world import ACTOR, london, new_case

from storage import repository as repo
from storage.db import Store
from storage.facts import load_facts


def test_facts_of_a_batch_match_the_record(store: Store) -> None:
    now = london(date(2027, 1, 6), "10:00")
    a = new_case(store, now, reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    b = new_case(store, now, reference="CG-0002", profile="scotland", start=date(2027, 1, 5), prefix="B")
    quiet = new_case(store, now, reference="CG-0003", profile="wales", start=date(2027, 1, 5), prefix="C")
    with store.transaction() as s:
        near = repo.schedule_meeting(
            s,
            "CG-0001",
            actor=ACTOR,
            now=now,
            starts_at=london(date(2027, 1, 12), "10:00"),
            chair_member_id=a.members["lead"],
            minute_taker_member_id=a.members["teacher"],
        )
        repo.schedule_meeting(
            s, "CG-0002", actor=ACTOR, now=now, starts_at=london(date(2027, 3, 2), "10:00")
        )  # far off
        repo.record_attendance(
            s, "CG-0001", int(near.id or 0), actor=ACTOR, now=now, attended=[a.members["hv"]]
        )
        repo.set_away(
            s,
            "CG-0001",
            a.members["hv"],
            actor=ACTOR,
            now=now,
            away_from=date(2027, 1, 7),
            away_until=None,
            cover_member_id=a.members["lead"],
        )
        repo.add_action(s, "CG-0001", actor=ACTOR, now=now, text="one", due_on=date(2027, 1, 8))
        second = repo.add_action(
            s,
            "CG-0001",
            actor=ACTOR,
            now=now,
            text="two",
            owner_member_id=a.members["hv"],
            due_on=date(2027, 1, 9),
        )
        repo.achieve_action(s, "CG-0001", int(second.id or 0), actor=ACTOR, now=now)
        repo.raise_escalation(s, "CG-0002", actor=ACTOR, now=now, raised_by_member_id=b.members["teacher"])
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with store.read() as s:
        facts = load_facts(s.connection(), [a.id, b.id, quiet.id], date(2027, 1, 6))
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6  # meetings, members, attendance, reports, actions, escalations
    fa = facts[a.id]
    [m] = fa.plan.meetings
    assert m.subject == "meeting:2027-01-12:core_group" and m.date == date(2027, 1, 12)
    # Chair and minute-taker are not asked; email-only members (police, parent) are not either.
    assert set(m.members) == {str(a.members["hv"])}
    assert m.professionals == (str(a.members["hv"]),)
    assert m.attending == {str(a.members["hv"])}
    assert fa.lead_sw == a.members["lead"]
    assert fa.meetings[m.subject].chair == a.members["lead"]
    assert fa.meetings[m.subject].minute_taker == a.members["teacher"]
    hv = fa.people[a.members["hv"]]
    assert hv.away_on(date(2027, 1, 8)) and hv.cover == a.members["lead"]
    assert hv.address("slack") == "UAHV"
    assert fa.people[a.members["lead"]].manager_address("slack") == "UAMGR"
    assert [(x.number, x.owner, x.achieved) for x in fa.plan.actions] == [
        (1, None, False),
        (2, str(a.members["hv"]), True),
    ]
    fb = facts[b.id]
    assert fb.plan.meetings == ()  # seven weeks off: nothing about it can be due yet
    assert fb.raisers == {"escalation:2027-01-06:1": b.members["teacher"]}
    assert quiet.id not in facts  # nothing beyond the engine's state
    # Delivery asks for everyone of a case, meeting near or not.
    with store.read() as s:
        everyone = load_facts(s.connection(), [b.id], date(2027, 1, 6), all_people=True)
    assert set(everyone[b.id].people) == set(b.members.values())
