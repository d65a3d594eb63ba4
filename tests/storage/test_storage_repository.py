"""Repository functions against SQLite and PostgreSQL: changes, look-ups, and refusals that write
nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from storage import audit
from storage import repository as repo
from storage.db import Store
from storage.errors import (
    ActionsAreNeverDeleted,
    AlreadyExists,
    CaseClosed,
    ChildNameDisabled,
    InvalidState,
    InvalidValue,
    MeetingInPast,
    NotAMember,
    StorageError,
    UnknownCase,
    UnknownChannel,
    UnknownRecord,
)
from storage.models import (
    Attendance,
    AuditEvent,
    CoreGroup,
    Meeting,
    Member,
    PlanAction,
    Visit,
    WrittenReport,
)

ACTOR = "slack:U0LEAD"
COUNTED = (CoreGroup, Member, Meeting, Attendance, WrittenReport, Visit, PlanAction, AuditEvent)


def counts(store: Store) -> dict[str, int]:
    with store.read() as s:
        return {m.__name__: s.execute(select(func.count()).select_from(m)).scalar_one() for m in COUNTED}


@pytest.fixture
def case(store: Store, now: datetime) -> dict[str, Any]:
    """CG-0001 with a lead social worker, a health visitor, a parent and a scheduled meeting."""
    with store.transaction() as s:
        c = repo.create_case(s, actor=ACTOR, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18))
        lead = repo.add_member(
            s,
            c.reference,
            actor=ACTOR,
            now=now,
            display_name="Lead SW",
            role="Lead social worker",
            addresses={"slack": "U0LEAD"},
            email="lead@council.example",
            line_manager_name="Manager",
            line_manager_addresses={"slack": "U0MGR"},
        )
        hv = repo.add_member(
            s,
            c.reference,
            actor=ACTOR,
            now=now,
            display_name="Health Visitor",
            role="health visitor",
            agency="NHS",
            addresses={"slack": "U0HV"},
        )
        parent = repo.add_member(
            s,
            c.reference,
            actor=ACTOR,
            now=now,
            display_name="Parent",
            role="parent",
            kind="family",
            email="parent@mail.example",
        )
        meeting = repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=now,
            starts_at=now + timedelta(days=1, hours=1),
            venue="Family centre",
            chair_member_id=lead.id,
        )
    return {
        "ref": c.reference,
        "id": c.id,
        "lead": lead.id,
        "hv": hv.id,
        "parent": parent.id,
        "meeting": meeting.id,
    }


def test_create_case_assigns_references_and_audits(store: Store, now: datetime) -> None:
    with store.transaction() as s:
        a = repo.create_case(s, actor=ACTOR, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18))
        b = repo.create_case(
            s, actor=ACTOR, now=now, profile="newham", plan="cp", start=date(2026, 12, 1), reference="cg-0421"
        )
        c = repo.create_case(s, actor=ACTOR, now=now, profile="suffolk", plan="cin", start=date(2026, 12, 18))
    assert (a.reference, b.reference, c.reference) == ("CG-0001", "CG-0421", "CG-0003")
    with store.read() as s:
        assert repo.get_case(s, "cg-0421").profile == "newham"
        assert [c.reference for c in repo.list_cases(s)] == ["CG-0001", "CG-0421", "CG-0003"]
        events = audit.history(s, "CG-0001")
        assert [e.action for e in events] == ["case.created"]
        assert events[0].actor == ACTOR


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"profile": "atlantis"}, InvalidValue, "profile"),
        ({"plan": "xyz"}, InvalidValue, "plan"),
        ({"reference": "not a ref"}, InvalidValue, "reference"),
        ({"registered": date(2026, 1, 1)}, InvalidValue, "registered"),
        ({"lead_visit_every": 0}, InvalidValue, "lead_visit_every"),
    ],
)
def test_create_case_refuses_bad_input(
    store: Store, now: datetime, kwargs: dict[str, Any], error: type[StorageError], field: str
) -> None:
    args: dict[str, Any] = {"profile": "suffolk", "plan": "cp", "start": date(2026, 12, 18)}
    args.update(kwargs)
    before = counts(store)
    with pytest.raises(error) as err, store.transaction() as s:
        repo.create_case(s, actor=ACTOR, now=now, **args)
    assert getattr(err.value, "field", None) == field
    assert err.value.example
    assert counts(store) == before


def test_duplicate_reference_is_already_exists(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with pytest.raises(AlreadyExists), store.transaction() as s:
        repo.create_case(
            s,
            actor=ACTOR,
            now=now,
            profile="suffolk",
            plan="cp",
            start=date(2026, 12, 18),
            reference=case["ref"],
        )


def test_naive_now_is_refused(store: Store) -> None:
    with pytest.raises(InvalidValue) as err, store.transaction() as s:
        repo.create_case(
            s,
            actor=ACTOR,
            now=datetime(2027, 1, 4, 9),
            profile="suffolk",
            plan="cp",
            start=date(2026, 12, 18),
        )
    assert err.value.field == "now"


def test_unknown_case_everywhere(store: Store, now: datetime) -> None:
    calls: list[Callable[[Session], object]] = [
        lambda s: repo.get_case(s, "CG-9999"),
        lambda s: repo.add_member(s, "CG-9999", actor=ACTOR, now=now, display_name="X", role="police"),
        lambda s: repo.schedule_meeting(
            s, "CG-9999", actor=ACTOR, now=now, starts_at=now + timedelta(days=2)
        ),
        lambda s: repo.record_visit(s, "CG-9999", actor=ACTOR, now=now, on=now.date(), by="professional"),
        lambda s: repo.add_action(s, "CG-9999", actor=ACTOR, now=now, text="x"),
        lambda s: repo.raise_escalation(s, "CG-9999", actor=ACTOR, now=now),
        lambda s: repo.case_state(s, "CG-9999"),
    ]
    for call in calls:
        with pytest.raises(UnknownCase) as err, store.transaction() as s:
            call(s)
        assert err.value.kind == "unknown_case"
        assert "CG-9999" in err.value.message
    assert counts(store)["AuditEvent"] == 0


def test_channels_link_and_look_up(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        repo.link_channel(s, case["ref"], actor=ACTOR, now=now, kind="slack", channel_id="C0CASE1")
        repo.link_channel(
            s, case["ref"], actor=ACTOR, now=now, kind="teams", channel_id="19:abc@thread.tacv2"
        )
        other = repo.create_case(
            s, actor=ACTOR, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
        )
    with store.read() as s:
        assert repo.case_by_channel(s, "C0CASE1").reference == case["ref"]
        assert repo.case_by_channel(s, "19:abc@thread.tacv2").reference == case["ref"]
        with pytest.raises(UnknownChannel):
            repo.case_by_channel(s, "C0NOPE")
    with pytest.raises(AlreadyExists), store.transaction() as s:
        repo.link_channel(s, other.reference, actor=ACTOR, now=now, kind="slack", channel_id="C0CASE1")


def test_members_by_chat_user_and_my_cases(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.read() as s:
        m = repo.member_by_address(s, case["ref"], "slack", "U0HV")
        assert (m.id, m.role, m.agency) == (case["hv"], "health_visitor", "NHS")
        with pytest.raises(NotAMember):
            repo.member_by_address(s, case["ref"], "slack", "U0STRANGER")
        assert [c.reference for c in repo.cases_for_address(s, "slack", "U0HV")] == [case["ref"]]
        assert repo.cases_for_address(s, "slack", "U0STRANGER") == []
        assert [m.id for m in repo.members(s, case["ref"])] == [case["lead"], case["hv"], case["parent"]]


def test_member_duplicates_and_bad_values(store: Store, now: datetime, case: dict[str, Any]) -> None:
    before = counts(store)
    bad: list[tuple[dict[str, Any], type[StorageError]]] = [
        ({"display_name": "Again", "role": "police", "addresses": {"slack": "U0HV"}}, AlreadyExists),
        ({"display_name": "Again", "role": "police", "email": "LEAD@council.example"}, AlreadyExists),
        ({"display_name": "", "role": "police"}, InvalidValue),
        ({"display_name": "X", "role": "police", "email": "not-an-email"}, InvalidValue),
        ({"display_name": "X", "role": "police", "kind": "stranger"}, InvalidValue),
        ({"display_name": "X", "role": "!!"}, InvalidValue),
    ]
    for kwargs, error in bad:
        with pytest.raises(error), store.transaction() as s:
            repo.add_member(s, case["ref"], actor=ACTOR, now=now, **kwargs)
    assert counts(store) == before


def test_remove_member_keeps_history_and_clears_cover(
    store: Store, now: datetime, case: dict[str, Any]
) -> None:
    with store.transaction() as s:
        repo.set_away(
            s,
            case["ref"],
            case["lead"],
            actor=ACTOR,
            now=now,
            away_from=date(2027, 1, 4),
            away_until=date(2027, 1, 15),
            cover_member_id=case["hv"],
        )
        assert repo.cover_for(s, case["ref"], case["lead"], date(2027, 1, 5)).id == case["hv"]
        assert repo.cover_for(s, case["ref"], case["lead"], date(2027, 1, 20)).id == case["lead"]
        repo.remove_member(s, case["ref"], case["hv"], actor=ACTOR, now=now)
    with store.read() as s:
        assert case["hv"] not in [m.id for m in repo.members(s, case["ref"])]
        assert case["hv"] in [m.id for m in repo.members(s, case["ref"], include_left=True)]
        assert repo.get_member(s, case["ref"], case["lead"]).cover_member_id is None
        actions = [e.action for e in audit.history(s, case["ref"])]
        assert actions[-3:] == ["member.away", "member.removed", "member.cover_cleared"]
    with pytest.raises(NotAMember), store.transaction() as s:
        repo.remove_member(s, case["ref"], case["hv"], actor=ACTOR, now=now)


def test_away_validation(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.set_away(
            s,
            case["ref"],
            case["lead"],
            actor=ACTOR,
            now=now,
            away_from=date(2027, 1, 10),
            away_until=date(2027, 1, 5),
        )
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.set_away(
            s,
            case["ref"],
            case["lead"],
            actor=ACTOR,
            now=now,
            away_from=date(2027, 1, 10),
            away_until=None,
            cover_member_id=case["lead"],
        )
    with store.transaction() as s:
        repo.set_away(
            s, case["ref"], case["lead"], actor=ACTOR, now=now, away_from=date(2027, 1, 10), away_until=None
        )
        m = repo.clear_away(s, case["ref"], case["lead"], actor=ACTOR, now=now)
        assert (m.away_from, m.away_until, m.cover_member_id) == (None, None, None)


def test_update_member(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        m = repo.update_member(
            s,
            case["ref"],
            case["hv"],
            actor=ACTOR,
            now=now,
            changes={"role": "School nurse", "email": "n@nhs.example"},
        )
        assert (m.role, m.email) == ("school_nurse", "n@nhs.example")
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.update_member(s, case["ref"], case["hv"], actor=ACTOR, now=now, changes={"case_id": "2"})
    with store.read() as s:
        last = audit.history(s, case["ref"])[-1]
        assert last.action == "member.updated"
        assert "n@nhs.example" not in (last.after or "")  # no contact details in the audit log


def test_meeting_in_the_past_is_refused_and_writes_nothing(
    store: Store, now: datetime, case: dict[str, Any]
) -> None:
    before = counts(store)
    with pytest.raises(MeetingInPast) as err, store.transaction() as s:
        repo.schedule_meeting(s, case["ref"], actor=ACTOR, now=now, starts_at=now - timedelta(hours=1))
    assert err.value.kind == "meeting_in_past"
    assert "/coregroup meeting" in err.value.example
    assert counts(store) == before


def test_meeting_input_checks(store: Store, now: datetime, case: dict[str, Any]) -> None:
    later = now + timedelta(days=3)
    bad: list[tuple[dict[str, Any], type[StorageError]]] = [
        ({"starts_at": later, "kind": "party"}, InvalidValue),
        ({"starts_at": later, "ends_at": later - timedelta(hours=1)}, InvalidValue),
        ({"starts_at": later, "chair_member_id": 9999}, NotAMember),
        ({"starts_at": datetime(2027, 1, 6, 10)}, InvalidValue),  # naive
    ]
    before = counts(store)
    for kwargs, error in bad:
        with pytest.raises(error), store.transaction() as s:
            repo.schedule_meeting(s, case["ref"], actor=ACTOR, now=now, **kwargs)
    assert counts(store) == before


def test_meeting_lifecycle(store: Store, now: datetime, case: dict[str, Any]) -> None:
    ref, mid = case["ref"], case["meeting"]
    with store.read() as s:
        nxt = repo.next_meeting(s, ref, now=now)
        assert nxt is not None and nxt.id == mid
    with pytest.raises(InvalidState), store.transaction() as s:
        repo.hold_meeting(s, ref, mid, actor=ACTOR, now=now)  # not yet its day
    with store.transaction() as s:
        moved = repo.reschedule_meeting(s, ref, mid, actor=ACTOR, now=now, starts_at=now + timedelta(days=2))
        assert moved.starts_at == now + timedelta(days=2)
        repo.update_meeting(
            s,
            ref,
            mid,
            actor=ACTOR,
            now=now,
            calendar_event_id="AAMk-1",
            minute_taker_member_id=case["hv"],
            venue=None,
            online_url="https://meet.example/x",
        )
    held_at = now + timedelta(days=2, hours=2)
    with store.transaction() as s:
        repo.record_attendance(
            s,
            ref,
            mid,
            actor=ACTOR,
            now=held_at,
            attended=[case["lead"], case["parent"]],
            apologies=[case["hv"]],
        )
        m = repo.hold_meeting(s, ref, mid, actor=ACTOR, now=held_at)
        assert m.status == "held"
        repo.mark_minutes_circulated(s, ref, mid, actor=ACTOR, now=held_at + timedelta(days=1))
    with store.read() as s:
        m = repo.get_meeting(s, ref, mid)
        assert (m.professionals_present, m.lead_sw_present) == (1, True)
        assert m.calendar_event_id == "AAMk-1" and m.venue is None
        assert {a.member_id: a.status for a in repo.attendance(s, ref, mid)} == {
            case["lead"]: "attended",
            case["parent"]: "attended",
            case["hv"]: "apologies",
        }
        assert repo.next_meeting(s, ref, now=held_at) is None
    for call in (
        lambda s: repo.cancel_meeting(s, ref, mid, actor=ACTOR, now=held_at),
        lambda s: repo.hold_meeting(s, ref, mid, actor=ACTOR, now=held_at),
        lambda s: repo.reschedule_meeting(
            s, ref, mid, actor=ACTOR, now=held_at, starts_at=held_at + timedelta(days=9)
        ),
    ):
        with pytest.raises(InvalidState), store.transaction() as s:
            call(s)


def test_cancel_and_unknown_meeting(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        m = repo.cancel_meeting(s, case["ref"], case["meeting"], actor=ACTOR, now=now, reason="chair unwell")
        assert m.status == "cancelled"
    with pytest.raises(InvalidState), store.transaction() as s:
        repo.record_attendance(s, case["ref"], case["meeting"], actor=ACTOR, now=now, attended=[case["lead"]])
    with pytest.raises(UnknownRecord), store.transaction() as s:
        repo.hold_meeting(s, case["ref"], 424242, actor=ACTOR, now=now)


def test_attendance_refuses_non_members_and_writes_nothing(
    store: Store, now: datetime, case: dict[str, Any]
) -> None:
    with store.transaction() as s:
        other = repo.create_case(
            s, actor=ACTOR, now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
        )
        stranger = repo.add_member(s, other.reference, actor=ACTOR, now=now, display_name="S", role="police")
    before = counts(store)
    with pytest.raises(NotAMember) as err, store.transaction() as s:
        repo.record_attendance(
            s, case["ref"], case["meeting"], actor=ACTOR, now=now, attended=[case["lead"], stranger.id]
        )
    assert err.value.kind == "not_a_member"
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.record_attendance(
            s,
            case["ref"],
            case["meeting"],
            actor=ACTOR,
            now=now,
            attended=[case["lead"]],
            apologies=[case["lead"]],
        )
    assert counts(store) == before


def test_written_reports(store: Store, now: datetime, case: dict[str, Any]) -> None:
    ref, mid = case["ref"], case["meeting"]
    due = now + timedelta(hours=20)
    with store.transaction() as s:
        asked = repo.request_reports(
            s, ref, mid, [case["hv"], case["parent"]], actor=ACTOR, now=now, due_at=due
        )
        assert len(asked) == 2
        again = repo.request_reports(s, ref, mid, [case["hv"]], actor=ACTOR, now=now)
        assert again[0].id == asked[0].id
    with store.transaction() as s:
        r = repo.submit_report(
            s,
            ref,
            mid,
            case["hv"],
            "Seen at clinic; weight up.",
            actor="slack:U0HV",
            now=now + timedelta(hours=1),
        )
        assert r.submitted_at is not None
    with store.read() as s:
        assert [r.member_id for r in repo.outstanding_reports(s, ref, mid)] == [case["parent"]]
        assert len(repo.reports(s, ref, mid)) == 2
        last = audit.history(s, ref)[-1]
        assert last.action == "report.submitted"
        assert "weight" not in (last.after or "")  # free text never enters the audit log
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.submit_report(s, ref, mid, case["hv"], "   ", actor=ACTOR, now=now)
    with pytest.raises(NotAMember), store.transaction() as s:
        repo.request_reports(s, ref, mid, [31337], actor=ACTOR, now=now)


def test_visits(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        repo.record_visit(
            s,
            case["ref"],
            actor=ACTOR,
            now=now,
            on=date(2027, 1, 2),
            by="lead_social_worker",
            member_id=case["lead"],
            seen_alone=True,
        )
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.record_visit(s, case["ref"], actor=ACTOR, now=now, on=date(2027, 1, 9), by="professional")
    with pytest.raises(InvalidValue), store.transaction() as s:
        repo.record_visit(s, case["ref"], actor=ACTOR, now=now, on=date(2027, 1, 2), by="police")
    with store.read() as s:
        assert [(v.visited_on, v.seen_alone) for v in repo.visits(s, case["ref"])] == [
            (date(2027, 1, 2), True)
        ]


def test_actions_are_achieved_never_deleted(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        a = repo.add_action(
            s,
            case["ref"],
            actor=ACTOR,
            now=now,
            text="Health visitor to weigh",
            owner_member_id=case["hv"],
            due_on=date(2027, 1, 20),
        )
        repo.update_action(s, case["ref"], a.id, actor=ACTOR, now=now, due_on=date(2027, 1, 22))
    before = counts(store)
    with pytest.raises(ActionsAreNeverDeleted) as err, store.transaction() as s:
        repo.delete_action(s, case["ref"], a.id, actor=ACTOR, now=now)
    assert err.value.kind == "actions_are_never_deleted"
    assert "achieve" in err.value.example
    assert counts(store) == before
    with store.transaction() as s:
        done = repo.achieve_action(s, case["ref"], a.id, actor=ACTOR, now=now)
        assert done.status == "achieved"
    with pytest.raises(InvalidState), store.transaction() as s:
        repo.achieve_action(s, case["ref"], a.id, actor=ACTOR, now=now)
    with pytest.raises(UnknownRecord), store.transaction() as s:
        repo.achieve_action(s, case["ref"], 999, actor=ACTOR, now=now)
    with store.read() as s:
        assert [x.status for x in repo.actions(s, case["ref"])] == ["achieved"]
        assert repo.actions(s, case["ref"], status="open") == []


def test_escalation_stages(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.transaction() as s:
        e = repo.raise_escalation(
            s,
            case["ref"],
            actor=ACTOR,
            now=now,
            raised_by_member_id=case["hv"],
            about_member_id=case["lead"],
            about="threshold",
        )
    with store.transaction() as s:
        e = repo.advance_escalation(s, case["ref"], e.id, actor=ACTOR, now=now + timedelta(days=7))
        assert e.stage == 2
        e = repo.resolve_escalation(s, case["ref"], e.id, actor=ACTOR, now=now + timedelta(days=9))
    with pytest.raises(InvalidState), store.transaction() as s:
        repo.advance_escalation(s, case["ref"], e.id, actor=ACTOR, now=now + timedelta(days=10))
    with store.read() as s:
        assert repo.escalations(s, case["ref"], open_only=True) == []
        assert [x.stage for x in repo.escalations(s, case["ref"])] == [2]


def test_closed_case_is_read_only_and_drops_reminders(
    store: Store, now: datetime, case: dict[str, Any]
) -> None:
    from storage import outbox

    with store.transaction() as s:
        outbox.enqueue(
            s,
            case_id=case["id"],
            rule="r",
            subject="s",
            stage="due",
            recipient="channel",
            due_at=now,
            now=now,
        )
        repo.close_case(s, case["ref"], actor=ACTOR, now=now)
    with pytest.raises(CaseClosed), store.transaction() as s:
        repo.add_action(s, case["ref"], actor=ACTOR, now=now, text="x")
    with store.read() as s:
        assert [r.status for r in outbox.reminders(s, case_id=case["id"])] == ["dead"]
        assert repo.case_state(s, case["ref"]).plan == "cp"  # still readable
        assert list(repo.active_case_states(s)) == []
    with store.transaction() as s:
        repo.reopen_case(s, case["ref"], actor=ACTOR, now=now)
    with store.read() as s:
        assert [a.reference for a in repo.active_case_states(s)] == [case["ref"]]


def test_child_name_only_when_enabled(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with pytest.raises(ChildNameDisabled), store.transaction() as s:
        repo.set_child_name(s, case["ref"], "Child Name", actor=ACTOR, now=now, enabled=False)
    with store.transaction() as s:
        repo.set_child_name(s, case["ref"], "Child Name", actor=ACTOR, now=now, enabled=True)
    with store.read() as s:
        assert repo.child_name(s, case["ref"]) == "Child Name"
        assert all("Child Name" not in (e.after or "") for e in audit.history(s, case["ref"]))
    assert "child_name" not in CoreGroup.model_fields


def test_first_time_is_idempotent_and_rolls_back(store: Store, now: datetime) -> None:
    with store.transaction() as s:
        assert repo.first_time(s, "slack:Ev1", now=now) is True
        assert repo.first_time(s, "slack:Ev1", now=now) is False
    with pytest.raises(RuntimeError), store.transaction() as s:
        assert repo.first_time(s, "slack:Ev2", now=now) is True
        raise RuntimeError("handler failed")
    with store.transaction() as s:
        assert repo.first_time(s, "slack:Ev2", now=now) is True  # the retry is processed
        assert repo.first_time(s, "slack:Ev1", now=now) is False
        assert repo.forget_requests(s, before=now + timedelta(seconds=1)) == 2


def test_every_change_is_audited_with_the_actor(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.read() as s:
        events = audit.history(s, case["ref"])
        assert [e.action for e in events] == [
            "case.created",
            "member.added",
            "member.added",
            "member.added",
            "meeting.scheduled",
        ]
        assert {e.actor for e in events} == {ACTOR}
        assert all("Family centre" not in (e.after or "") for e in events)
        assert all("lead@council.example" not in (e.after or "") for e in events)
        assert audit.verify(s).ok


def test_case_version_moves_with_every_change(store: Store, now: datetime, case: dict[str, Any]) -> None:
    with store.read() as s:
        v1 = repo.case_version(s, case["ref"])
        assert v1 > 0 and repo.case_version(s, "CG-9999") == 0
    with store.transaction() as s:
        repo.record_visit(s, case["ref"], actor=ACTOR, now=now, on=now.date(), by="professional")
    with store.read() as s:
        assert repo.case_version(s, case["ref"]) > v1
