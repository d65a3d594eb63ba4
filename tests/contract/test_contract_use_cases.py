"""Each use case, once per adapter (Slack, Teams, console): the same records, and the same text
once markup is normalised. The expected text is written once, here, for all three."""

from __future__ import annotations

from drivers import Driver
from sqlmodel import func, select
from story import NEW, STORY, WHERE_NEW, Step, records, run

from storage.models import AuditEvent


def upto(adapter: Driver, n: int) -> None:
    """Run the story's first `n` steps."""
    for step in STORY[:n]:
        run(adapter, step)


def audit_count(adapter: Driver) -> int:
    with adapter.store.read() as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)).one())


def test_new_case(adapter: Driver) -> None:
    said = adapter.do("lead", NEW)
    assert said.private == [
        "CG-0001 is set up and you are its lead social worker.\n"
        f"{WHERE_NEW[adapter.platform]}\n"
        'Next: add the core group with `/coregroup add @someone role:"health visitor" '
        'agency:"NHS"`.'
    ]
    (summary,) = said.channel
    lines = summary.splitlines()
    assert lines[0] == "CG-0001: core group set up; first core group due by Mon 18 Jan 2027"
    assert "First core group by Mon 18 Jan 2027" in lines
    assert any(x.startswith("first_core_group · Suffolk guidance §2.1 · ") for x in lines)
    rec = records(adapter)
    assert rec["case"] == ("CG-0001", "suffolk", "cp", "2027-01-04", "active")
    assert rec["members"] == [
        ("lead_social_worker", None, "professional", "Lead Social Worker", "lead@example.org", None)
    ]


def test_add_member(adapter: Driver) -> None:
    upto(adapter, 1)
    said = adapter.do("lead", 'add @hv role:"health visitor" agency:"NHS"', mentions=("hv",))
    assert said.private == []
    assert said.channel == ["CG-0001: @hv joined the core group as health visitor, NHS."]
    assert ("health_visitor", "NHS", "professional", "Health Visitor", "hv@example.org", None) in records(
        adapter
    )["members"]


def test_meeting(adapter: Driver) -> None:
    upto(adapter, 3)
    said = adapter.do("lead", 'meeting 2027-01-15 10:00 venue:"Family centre"')
    assert said.channel[0].splitlines()[:3] == [
        "CG-0001: core group booked for Fri 15 Jan 2027 (in 9 working days)",
        "Fri 15 Jan 2027 at 10:00, Family centre.",
        "Chair: @lead; minutes: @hv (from `/coregroup rota`).",
    ]
    assert records(adapter)["meetings"] == [
        ("core_group", "scheduled", "2027-01-15T10:00:00+00:00", "Family centre", False)
    ]


def test_report_by_form(adapter: Driver) -> None:
    upto(adapter, 4)
    said = run(adapter, STORY[4])
    assert said.private[-1].splitlines()[0] == (
        "CG-0001: your written report for the core group on Fri 15 Jan 2027 is in"
    )
    assert records(adapter)["reports"] == [("health_visitor", "Seen twice at home; weight on track.", True)]


def test_held_with_attendance_form(adapter: Driver) -> None:
    upto(adapter, 5)
    said = run(adapter, STORY[5])
    assert said.channel[-1].splitlines()[:3] == [
        "CG-0001: core group on Fri 15 Jan 2027 recorded as held",
        "Attended: 2; apologies: 1.",
        "Quorate: yes — 2 professional members attended; at least 2 needed.",
    ]
    rec = records(adapter)
    assert rec["meetings"][0][1] == "held"
    assert rec["attendance"] == [
        ("designated_teacher", "apologies"),
        ("health_visitor", "attended"),
        ("lead_social_worker", "attended"),
    ]


def test_minutes_sent(adapter: Driver) -> None:
    upto(adapter, 6)
    said = run(adapter, STORY[6])
    assert said.private == []
    assert said.channel == [
        "CG-0001: minutes of the core group on Fri 15 Jan 2027 sent Mon 18 Jan 2027\n"
        "On time: they were due by Fri 5 Feb 2027.\n"
        "minutes_circulated · Suffolk guidance §4.3 · Minutes go to all core group members "
        "within 15 working days"
    ]
    assert records(adapter)["meetings"][0][4] is True


def test_visit(adapter: Driver) -> None:
    upto(adapter, 7)
    said = run(adapter, STORY[7])
    assert said.channel == [
        "CG-0001: visit on Mon 18 Jan 2027 recorded\n"
        "By @hv; child seen alone.\n"
        "Lead social worker sees the child: next by Mon 25 Jan 2027 (in 5 working days)\n"
        "Child seen by a professional: next by Mon 1 Feb 2027 (in 10 working days)\n"
        "lead_sw_visit · Suffolk guidance §8.1 · The lead social worker sees the child at least "
        "every 15 working days\n"
        "child_seen · Suffolk guidance §8.3 · A professional member of the core group sees the "
        "child at least every 10 working days"
    ]
    assert records(adapter)["visits"][0][:2] == ("2027-01-18", True)


def test_the_record_a_visit_button_opens_the_visit_form(adapter: Driver) -> None:
    """The reminder's "Record a visit" button runs `CG-0001 visit`: the form, today filled in,
    "seen alone" to tick; nothing is written until it is sent."""
    upto(adapter, 3)
    adapter.clock.set("2027-01-06T09:30")
    before = audit_count(adapter)
    said = adapter.do("hv", "CG-0001 visit")
    assert said.channel == [] and audit_count(adapter) == before
    said = adapter.fill("hv", {"date": "2027-01-06"}, {"seen_alone": ["seen alone"]})
    assert said.channel[0].splitlines()[:2] == [
        "CG-0001: visit on Wed 6 Jan 2027 recorded",
        "By @hv; child seen alone.",
    ]
    assert records(adapter)["visits"][0][:2] == ("2027-01-06", True)


def test_action(adapter: Driver) -> None:
    upto(adapter, 8)
    said = run(adapter, STORY[8])
    assert said.channel == [
        "CG-0001: plan action 1 added\n"
        "“Book the dental check-up” — owner @hv, due Mon 1 Feb 2027\n"
        "Mark it done with `/coregroup action done 1`; actions are never deleted"
    ]
    assert records(adapter)["actions"] == [
        ("Book the dental check-up", "open", "health_visitor", "2027-02-01")
    ]


def test_status(adapter: Driver) -> None:
    upto(adapter, 9)
    said = run(adapter, STORY[9])
    assert said.channel == []
    lines = said.private[0].splitlines()
    assert lines[0] == (
        "CG-0001: next, lead social worker sees the child by Mon 25 Jan 2027 (in 5 working days)"
    )
    assert "Open plan actions: 1" in lines
    assert any(x.startswith("review_conference · ") for x in lines)


def test_a_non_member_is_refused_and_nothing_changes(adapter: Driver) -> None:
    upto(adapter, 4)
    before, rec = audit_count(adapter), records(adapter)
    for text in ("status", "visit 2027-01-04 seen-alone", 'add @other role:"police"'):
        said = adapter.do("other", text, mentions=("other",) if "@other" in text else ())
        assert said.channel == []
        assert said.private == [
            "Only members of CG-0001's core group can see or change its record.\n"
            'Ask the lead social worker to add you: `/coregroup add @you role:"…"`.'
        ]
    assert audit_count(adapter) == before and records(adapter) == rec


def test_bad_input_names_the_problem_and_changes_nothing(adapter: Driver) -> None:
    upto(adapter, 3)
    before = audit_count(adapter)
    cases = {
        "meeting 2027-13-45 10:00": "I couldn't read `2027-13-45`: months run from 01 to 12.\n"
        'Try `/coregroup meeting 2027-02-26 10:00 venue:"Family '
        'centre"`',
        # The examples are valid today (Mon 4 Jan): a visit is recorded once it has happened.
        "visit 12/01/2027": "I couldn't read `12/01/2027`: write dates as year-month-day, here "
        "`2027-01-12`.\nTry `/coregroup visit 2027-01-04 seen-alone`",
        "visit 2027-01-20": "Wed 20 Jan 2027 is still to come: record a visit once it has "
        "happened.\nTry `/coregroup visit 2027-01-04 seen-alone`",
    }
    for text, expected in cases.items():
        said = adapter.do("lead", text)
        assert said.private == [expected] and said.channel == []
    said = adapter.do("lead", "frobnicate")
    assert said.private == [
        "I don't know `frobnicate`. `/coregroup help` lists everything I can do.\nTry `/coregroup status`"
    ]
    assert audit_count(adapter) == before


def test_a_step_of_the_story_is_the_same_step_everywhere(adapter: Driver) -> None:
    """Guards the drivers themselves: each step reaches the adapter as the same person."""
    upto(adapter, 2)
    said = run(adapter, Step("hv", "members"))
    assert said.private[0].splitlines()[0] == "CG-0001: 2 members in the core group"
