"""The reminder plan turns obligations and meeting facts into who-gets-what-when."""

from __future__ import annotations

from datetime import date

from scheduling.calendar import calendar_for
from scheduling.case import case_from_dict
from scheduling.engine import timeline
from scheduling.reminders import PLAN, ActionFacts, CaseFacts, MeetingFacts, plan_reminders

ENG = calendar_for("england")
CASE = case_from_dict(
    {
        "profile": "suffolk",
        "plan": "cp",
        "start": "2026-12-18",
        "meetings": [{"kind": "core_group", "date": "2027-01-05", "minutes_circulated": None}],
    }
)
MEETING = MeetingFacts(
    "meeting:2027-02-10:core_group",
    date(2027, 2, 10),
    professionals=("p1", "p2", "p3"),
    members=("p1", "p2", "p3", "f1"),
    attending=frozenset({"p1"}),
    apologies=frozenset({"p2"}),
    reports_in=frozenset({"p2"}),
)


NO_FACTS = CaseFacts()


def kinds(today: date, facts: CaseFacts = NO_FACTS) -> list[tuple[str, str, str]]:
    return sorted(
        (p.kind, p.stage, p.audience) for p in plan_reminders(timeline(CASE, today), facts, ENG, today)
    )


def test_every_plan_row_names_a_rule_and_a_next_step() -> None:
    for row in PLAN:
        assert row.rule and row.next_step and row.audience
        # Three at most: the report request carries the attendance answers too (one nag per person).
        assert len(row.buttons) <= 3


def test_minutes_reminders_before_on_and_after_the_deadline() -> None:
    # Suffolk minutes: 15 WD after Tue 5 Jan 2027 = Tue 26 Jan. 2 WD before = Fri 22 Jan.
    assert ("minutes_soon", "before", "minute_taker+lead_sw") in kinds(date(2027, 1, 22))
    assert ("minutes_soon", "before", "minute_taker+lead_sw") not in kinds(date(2027, 1, 21))
    assert ("minutes_due", "due", "minute_taker+lead_sw") in kinds(date(2027, 1, 26))
    # Overdue: the minute-taker on the first working day after, their manager on the second, then
    # the channel once a working day (docs/messages.md "Noise").
    assert ("overdue", "overdue", "minute_taker") in kinds(date(2027, 1, 27))
    first = plan_reminders(timeline(CASE, date(2027, 1, 27)), NO_FACTS, ENG, date(2027, 1, 27))
    assert [p.audience for p in first if p.rule == "minutes_circulated"] == ["minute_taker"]
    assert ("overdue_manager", "overdue:manager", "manager:minute_taker") in kinds(date(2027, 1, 28))
    assert ("overdue_daily", "overdue:2027-01-29", "channel") in kinds(date(2027, 1, 29))
    assert ("overdue_daily", "overdue:2027-02-01", "channel") in kinds(date(2027, 2, 1))
    assert not [k for k in kinds(date(2027, 1, 30)) if k[0] == "overdue_daily"]  # a Saturday


def test_meeting_nags_attendance_reports_and_chair() -> None:
    facts = CaseFacts(meetings=(MEETING,))
    # 5 WD before Wed 10 Feb = Wed 3 Feb: those who have not answered (p3, f1).
    got = kinds(date(2027, 2, 3), facts)
    assert ("attendance", "attendance:p3", "member:p3") in got
    assert ("attendance", "attendance:f1", "member:f1") in got
    assert not any(k == "attendance" and a in ("member:p1", "member:p2") for k, _, a in got)
    # 3 WD before = Fri 5 Feb: a written report from the professional who has not answered (p3);
    # p2 sent apologies and their report is in; p1 is attending.
    got = kinds(date(2027, 2, 5), facts)
    assert [g for g in got if g[0] == "report_request"] == [("report_request", "report:p3", "member:p3")]
    # 1 WD before = Tue 9 Feb: the chair gets the bundle: p2's report in, p3 missing (1 of 2).
    plans = [
        p
        for p in plan_reminders(timeline(CASE, date(2027, 2, 9)), facts, ENG, date(2027, 2, 9))
        if p.kind == "chair_bundle"
    ]
    assert len(plans) == 1 and plans[0].audience == "chair" and plans[0].progress == (1, 2)
    assert plans[0].received == ("p2",) and plans[0].waiting == ("p3",)
    # Nothing about the meeting on the day itself.
    assert not [g for g in kinds(date(2027, 2, 10), facts) if g[0] in ("attendance", "report_request")]


def test_booking_nudge_only_when_nothing_is_booked() -> None:
    # next core group due 6 weeks after 5 Jan = Tue 16 Feb; 10 WD before = Tue 2 Feb.
    assert ("book_next", "book", "channel") in kinds(date(2027, 2, 2))
    assert ("book_next", "book", "channel") not in kinds(date(2027, 2, 2), CaseFacts(meetings=(MEETING,)))
    assert ("book_next", "book", "channel") not in kinds(date(2027, 2, 1))


def test_actions_before_and_overdue() -> None:
    facts = CaseFacts(
        actions=(
            ActionFacts(1, "p1", date(2027, 1, 20)),
            ActionFacts(2, "p2", date(2027, 1, 20), achieved=True),
        )
    )
    assert ("action_soon", "before", "member:p1") in kinds(date(2027, 1, 18), facts)
    got = kinds(date(2027, 1, 21), facts)
    assert ("overdue", "overdue", "member:p1") in got
    assert not any(a == "member:p2" for _, _, a in got)
