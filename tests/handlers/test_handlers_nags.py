"""Every reminder's buttons come from its plan row, and say exactly what they did before."""

from __future__ import annotations

from datetime import date

from handlers.nags import render
from scheduling.reminders import PLAN

#: The buttons each kind had when the renderer wrote them itself: (label, command, primary).
BEFORE = {
    "book_next": [("Book it", "CG-0001 meeting", True)],
    "book_first": [("Book it", "CG-0001 meeting", True)],
    "attendance": [
        ("Attending", "CG-0001 attending 2027-01-19", True),
        ("Sending apologies", "CG-0001 apologies 2027-01-19", False),
    ],
    "report_request": [
        ("Write my report", "CG-0001 report 2027-01-19", True),
        ("Attending", "CG-0001 attending 2027-01-19", False),
        ("Sending apologies", "CG-0001 apologies 2027-01-19", False),
    ],
    "chair_bundle": [],
    "final_window": [("Book it", "CG-0001 meeting", True)],
    "minutes_soon": [("Mark minutes sent", "CG-0001 minutes sent", True)],
    "minutes_due": [("Mark minutes sent", "CG-0001 minutes sent", True)],
    "lead_visit_soon": [("Record a visit", "CG-0001 visit", True)],
    "child_seen_soon": [("Record a visit", "CG-0001 visit", True)],
    "escalation_stage_end": [("Resolved", "CG-0001 resolve", True), ("Escalate", "CG-0001 escalate", False)],
    "tier1_trigger": [("Book it", "CG-0001 meeting", True)],
    "tier1_meeting": [("Book it", "CG-0001 meeting", True)],
    "resolution_review": [("Book it", "CG-0001 meeting", True)],
    "tier2_trigger": [
        ("Risk reduced", "CG-0001 risk reduced", True),
        ("Go to Tier 2", "CG-0001 meeting", False),
    ],
    "action_soon": [("Done", "CG-0001 action done 3", True)],
    # The overdue chase (rendered here for the minutes): the rule's answer, none for the manager.
    "overdue": [("Mark minutes sent", "CG-0001 minutes sent", True)],
    "overdue_manager": [],
    "overdue_daily": [("Mark minutes sent", "CG-0001 minutes sent", True)],
}


def _subject(kind: str) -> str:
    if kind.startswith("action_"):
        return "action:3"
    return "meeting:2027-01-19:core_group"


def test_every_rows_buttons_are_rendered_as_before() -> None:
    assert set(BEFORE) == {r.kind for r in PLAN}
    for row in PLAN:
        message = render(
            {
                "kind": row.kind,
                "rule": "minutes_circulated" if row.rule == "*" else row.rule,
                "profile": "suffolk",
                "plan": "cp",
                "due": "2027-01-19",
                "subject": _subject(row.kind),
                "about": "x",
            },
            "CG-0001",
            date(2027, 1, 12),
        )
        got = [(b.label, b.value, b.primary) for b in message.buttons]
        assert got == BEFORE[row.kind], row.kind
        if row.source != "chase":
            assert [b.label for b in message.buttons] == [a.label for a in row.buttons]


def test_a_kind_this_version_does_not_know_has_no_buttons() -> None:
    message = render(
        {
            "kind": "something_new",
            "rule": "child_seen",
            "profile": "suffolk",
            "plan": "cp",
            "due": "2027-01-19",
            "subject": "child_seen",
        },
        "CG-0001",
        date(2027, 1, 12),
    )
    assert message.preview == "CG-0001: something new due Tue 19 Jan" and not message.buttons
