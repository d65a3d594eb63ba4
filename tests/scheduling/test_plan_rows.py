"""The plan rows are what runs: the planner reads their timing, the renderer their buttons, and
one resolver says whom a role means for the sweep and for delivery alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from scheduling.calendar import calendar_for
from scheduling.case import case_from_dict
from scheduling.engine import timeline
from scheduling.reminders import (
    PLAN,
    ROWS,
    CaseFacts,
    Planned,
    PlanRow,
    audience_member,
    plan_reminders,
)
from scheduling.sweep import audiences

ENG = calendar_for("england")
CASE = case_from_dict(
    {
        "profile": "suffolk",
        "plan": "cp",
        "start": "2026-12-18",
        "meetings": [{"kind": "core_group", "date": "2027-01-05", "minutes_circulated": None}],
    }
)


@dataclass(frozen=True)
class Roles:
    chair: int | None = None
    minute_taker: int | None = None


@dataclass(frozen=True)
class Facts:
    lead_sw: int | None = 1
    meetings: dict[str, Roles] = field(default_factory=dict)
    raisers: dict[str, int | None] = field(default_factory=dict)


SUBJECT = "meeting:2027-01-19:core_group"


def test_a_new_reminder_kind_is_one_row() -> None:
    # A week's notice of the lead social worker's visit: one row, no change to the planner.
    row = PlanRow(
        "lead_visit_week",
        "lead_sw_visit",
        "5 WD before due",
        "lead_sw",
        "Plan the visit",
        offset=-5,
        stage="week",
    )
    due = next(o.due for o in timeline(CASE, date(2027, 1, 4)) if o.rule == "lead_sw_visit")
    send_on = ENG.subtract_working_days(due, 5)
    planned = plan_reminders(timeline(CASE, send_on), CaseFacts(), ENG, send_on, plan=(*PLAN, row))
    [got] = [p for p in planned if p.kind == "lead_visit_week"]
    assert (got.rule, got.stage, got.audience, got.send_on, got.expires_on) == (
        "lead_sw_visit",
        "week",
        "lead_sw",
        send_on,
        due,
    )
    the_day_before = ENG.subtract_working_days(send_on, 1)
    assert not [
        p
        for p in plan_reminders(
            timeline(CASE, the_day_before), CaseFacts(), ENG, the_day_before, plan=(*PLAN, row)
        )
        if p.kind == "lead_visit_week"
    ]


def test_every_planned_reminder_goes_on_its_rows_offset() -> None:
    seen: set[str] = set()
    for day in (date(2027, 1, d) for d in range(4, 29)):
        if not ENG.is_working_day(day):
            continue
        for p in plan_reminders(timeline(CASE, day), CaseFacts(), ENG, day):
            row = ROWS[p.kind]
            if row.anchor == "due" and row.offset < 0:
                assert p.send_on == ENG.subtract_working_days(p.due, -row.offset), p.kind
            elif row.anchor == "due" and row.offset > 0:
                assert p.send_on == ENG.add_working_days(p.due, row.offset), p.kind
            seen.add(p.kind)
    assert {"minutes_soon", "minutes_due", "overdue", "overdue_manager", "overdue_daily"} <= seen


def test_no_chair_means_the_lead_social_worker_for_sweep_and_delivery() -> None:
    facts = Facts(lead_sw=1, meetings={SUBJECT: Roles(chair=None, minute_taker=None)})
    assert audience_member("chair", SUBJECT, facts) == 1
    assert audience_member("minute_taker", SUBJECT, facts) == 1
    assert audience_member("chair", "meeting:2027-03-02:core_group", facts) == 1  # not on record
    chaired = Facts(lead_sw=1, meetings={SUBJECT: Roles(chair=4, minute_taker=5)})
    assert audience_member("chair", SUBJECT, chaired) == 4
    assert audience_member("minute_taker", SUBJECT, chaired) == 5
    assert audience_member("member:7", SUBJECT, None) == 7
    assert (
        audience_member("raiser", "escalation:2027-01-04:1", Facts(raisers={"escalation:2027-01-04:1": 3}))
        == 3
    )
    # Not members of the case: delivery finds the lead's line manager, or uses the channel.
    for role in ("channel", "lead_sw_manager", "next_stage", "owner"):
        assert audience_member(role, SUBJECT, chaired) is None


def test_a_joined_audience_does_not_nag_the_lead_twice_when_there_is_no_chair() -> None:
    # The sweep used to read "no chair" as nobody and planned two rows, both of which delivery
    # then sent to the lead social worker.
    p = Planned(
        "chair_bundle",
        "written_report",
        SUBJECT,
        "bundle",
        "chair+lead_sw",
        date(2027, 1, 18),
        date(2027, 1, 19),
        date(2027, 1, 18),
    )
    assert audiences(p, Facts(meetings={SUBJECT: Roles()})) == [("chair", "bundle:chair")]
    assert audiences(p, Facts(meetings={SUBJECT: Roles(chair=4)})) == [
        ("chair", "bundle:chair"),
        ("lead_sw", "bundle:lead_sw"),
    ]
