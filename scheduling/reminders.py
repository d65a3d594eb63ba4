"""The reminder plan: which obligation deserves which message, to whom, on which working day.

Pure, like the engine: (obligations, the case's meetings/actions/members facts, calendar, today) ->
planned reminders. The sweep inserts them into the outbox, whose unique key (case, rule, subject,
stage) makes planning idempotent: planning the same day twice, or in two processes, sends once.

One row of `PLAN` per reminder kind; each names its rule, when it goes, to whom, what to do next and
the buttons that answer it. Audiences are roles (`channel`, `lead_sw`, `minute_taker`, `chair`,
`lead_sw_manager`, `raiser`, `next_stage`) or one member (`member:<id>`), resolved by delivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from scheduling.calendar import WorkingCalendar
from scheduling.engine import DUE, OVERDUE, Obligation


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One kind of reminder: the rule it serves and what it asks for."""

    kind: str
    rule: str
    when: str
    audience: str
    next_step: str
    buttons: tuple[str, ...] = ()


#: The reminder plan (issue 5, "The reminder plan"). `when` is read by `plan_reminders`.
PLAN: Final[tuple[PlanRow, ...]] = (
    PlanRow("book_next", "next_core_group", "10 WD before due, none booked", "channel",
            "Book the next core group", ("Book it",)),
    PlanRow("book_first", "first_core_group", "10 WD before due, none booked", "channel",
            "Book the first core group", ("Book it",)),
    PlanRow("attendance", "written_report", "5 WD before the meeting", "member",
            "Say whether you are coming", ("Attending", "Sending apologies")),
    PlanRow("report_request", "written_report", "3 WD before the meeting", "member",
            "Send your written report", ("Write my report",)),
    PlanRow("chair_bundle", "written_report", "1 WD before the meeting, at 10:00", "chair",
            "Read the reports in; chase the ones still missing"),
    PlanRow("final_window", "final_core_group_window", "the day the window opens", "channel",
            "Hold the final core group before the review", ("Book it",)),
    PlanRow("minutes_soon", "minutes_circulated", "2 WD before due", "minute_taker+lead_sw",
            "Send the minutes", ("Mark minutes sent",)),
    PlanRow("minutes_due", "minutes_circulated", "on the due day", "minute_taker+lead_sw",
            "Send the minutes today", ("Mark minutes sent",)),
    PlanRow("minutes_overdue", "minutes_circulated", "first working day after due",
            "channel+lead_sw_manager", "Send the minutes now", ("Mark minutes sent",)),
    PlanRow("lead_visit_soon", "lead_sw_visit", "3 WD before due", "lead_sw",
            "Visit the child", ("Record a visit",)),
    PlanRow("child_seen_soon", "child_seen", "2 WD before due, no visit since", "channel",
            "Someone in the core group sees the child", ("Record a visit",)),
    PlanRow("escalation_stage_end", "escalation_stage", "on the stage's last working day",
            "raiser+next_stage", "Resolve it or take it to the next stage", ("Resolved", "Escalate")),
    PlanRow("tier1_trigger", "resolution_tier1_trigger", "on the trigger day", "channel",
            "Arrange the Tier 1 resolution meeting", ("Book it",)),
    PlanRow("tier1_meeting", "resolution_tier1_meeting", "5 WD before due", "channel",
            "Hold the Tier 1 meeting", ("Book it",)),
    PlanRow("resolution_review", "resolution_review_core_group", "5 WD before due", "channel",
            "Hold the review core group (chaired by the social worker)", ("Book it",)),
    PlanRow("tier2_trigger", "resolution_tier2_trigger", "on the trigger day", "channel",
            "Decide: significant risk reduction, or Tier 2", ("Risk reduced", "Go to Tier 2")),
    PlanRow("action_soon", "plan_action", "2 WD before due", "owner",
            "Finish your action", ("Done",)),
    PlanRow("action_overdue", "plan_action", "first working day after due", "channel",
            "Finish the action or say what is in the way", ("Done",)),
)
ROWS: Final[dict[str, PlanRow]] = {r.kind: r for r in PLAN}


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """A booked core group as the planner needs it: who is expected and who has answered."""

    subject: str  # the engine's subject for the meeting: "meeting:YYYY-MM-DD:kind"
    date: date
    professionals: tuple[str, ...]  # member ids
    members: tuple[str, ...]  # every member id asked about attendance
    attending: frozenset[str] = frozenset()
    apologies: frozenset[str] = frozenset()
    reports_in: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ActionFacts:
    number: int
    owner: str | None
    due: date | None
    achieved: bool = False


@dataclass(frozen=True, slots=True)
class CaseFacts:
    meetings: tuple[MeetingFacts, ...] = ()
    actions: tuple[ActionFacts, ...] = ()
    visits_since: Mapping[str, date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Planned:
    kind: str
    rule: str
    subject: str
    stage: str
    audience: str
    send_on: date
    due: date
    #: Last day the reminder still makes sense; a sweep after it drops it.
    expires_on: date
    #: Thread key: reminders about one meeting go in one thread.
    thread: str | None = None
    progress: tuple[int, int] | None = None  # (reports in, reports expected)
    obligation: Obligation | None = None
    #: For the chair's bundle: member ids whose report is in, and those still missing.
    received: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    @property
    def row(self) -> PlanRow:
        return ROWS[self.kind]


def _wd_before(cal: WorkingCalendar, d: date, n: int) -> date:
    return cal.subtract_working_days(d, n)


#: No reminder goes earlier than this before its date (10 working days is at most ~20 calendar
#: days, across Christmas), so obligations and meetings further off are skipped unread.
LOOKAHEAD: Final = timedelta(days=31)


def plan_reminders(obligations: Iterable[Obligation], facts: CaseFacts, cal: WorkingCalendar,
                   today: date, *, booked: bool | None = None) -> list[Planned]:
    """Every reminder that is due to go out on or before `today` and has not expired.

    `booked`: whether a core group is booked (from the case state); default: whether `facts`
    lists any meeting.
    """
    out: list[Planned] = []
    far = today + LOOKAHEAD

    def add(kind: str, ob: Obligation | None, subject: str, stage: str, audience: str,
            send_on: date, due: date, expires_on: date, thread: str | None = None,
            progress: tuple[int, int] | None = None, received: tuple[str, ...] = (),
            waiting: tuple[str, ...] = ()) -> None:
        if send_on <= today <= expires_on:
            rule = ROWS[kind].rule
            out.append(Planned(kind, rule, subject, stage, audience, send_on, due, expires_on,
                               thread, progress, ob, received, waiting))

    if booked is None:
        booked = bool(facts.meetings)
    for ob in obligations:
        if ob.status == "met" or (ob.due > far and (ob.earliest is None or ob.earliest > today)):
            continue
        r = ob.rule
        if r in ("next_core_group", "first_core_group") and not booked:
            kind = "book_next" if r == "next_core_group" else "book_first"
            add(kind, ob, ob.subject, "book", "channel", _wd_before(cal, ob.due, 10), ob.due,
                ob.due)
        elif r == "final_core_group_window" and ob.earliest and ob.status == DUE:
            add("final_window", ob, ob.subject, "window_open", "channel", ob.earliest, ob.due,
                ob.due)
        elif r == "minutes_circulated":
            aud = "minute_taker+lead_sw"
            add("minutes_soon", ob, ob.subject, "before", aud, _wd_before(cal, ob.due, 2), ob.due,
                cal.subtract_working_days(ob.due, 1), thread=ob.subject)
            add("minutes_due", ob, ob.subject, "due", aud, ob.due, ob.due, ob.due,
                thread=ob.subject)
            if ob.status == OVERDUE:
                add("minutes_overdue", ob, ob.subject, "overdue", "channel+lead_sw_manager",
                    cal.add_working_days(ob.due, 1), ob.due, date.max, thread=ob.subject)
        elif r == "lead_sw_visit":
            add("lead_visit_soon", ob, ob.subject, "before", "lead_sw", _wd_before(cal, ob.due, 3),
                ob.due, ob.due)
        elif r == "child_seen":
            add("child_seen_soon", ob, ob.subject, "before", "channel", _wd_before(cal, ob.due, 2),
                ob.due, ob.due)
        elif r == "escalation_stage":
            add("escalation_stage_end", ob, ob.subject, "stage_end", "raiser+next_stage",
                cal.roll_back(ob.due), ob.due, date.max)
        elif r == "resolution_tier1_trigger":
            add("tier1_trigger", ob, ob.subject, "trigger", "channel", ob.due, ob.due, date.max)
        elif r == "resolution_tier1_meeting":
            add("tier1_meeting", ob, ob.subject, "before", "channel", _wd_before(cal, ob.due, 5),
                ob.due, ob.due)
        elif r == "resolution_review_core_group":
            add("resolution_review", ob, ob.subject, "before", "channel",
                _wd_before(cal, ob.due, 5), ob.due, ob.due)
        elif r == "resolution_tier2_trigger":
            add("tier2_trigger", ob, ob.subject, "trigger", "channel", ob.due, ob.due, date.max)

    for m in facts.meetings:
        if m.date < today or m.date > far:
            continue
        last_day = cal.subtract_working_days(m.date, 1)
        # Someone attending who sent a report anyway is counted with it (storage/facts.py).
        expected = [p for p in m.professionals if p not in m.attending or p in m.reports_in]
        progress = (sum(1 for p in expected if p in m.reports_in), len(expected))
        for member in m.members:
            if member not in m.attending and member not in m.apologies:
                add("attendance", None, m.subject, f"attendance:{member}", f"member:{member}",
                    _wd_before(cal, m.date, 5), m.date, last_day, thread=m.subject)
        for member in m.professionals:
            if member not in m.attending and member not in m.reports_in:
                add("report_request", None, m.subject, f"report:{member}", f"member:{member}",
                    _wd_before(cal, m.date, 3), m.date, last_day, thread=m.subject,
                    progress=progress)
        if expected:
            # The chair's bundle: what is in and who has sent nothing (sent even when all are in,
            # so the chair has the reports the day before). Delivered at a fixed time (10:00).
            add("chair_bundle", None, m.subject, "bundle", "chair", _wd_before(cal, m.date, 1),
                m.date, last_day, thread=m.subject, progress=progress,
                received=tuple(p for p in expected if p in m.reports_in),
                waiting=tuple(p for p in expected if p not in m.reports_in))

    for a in facts.actions:
        if a.achieved or a.due is None:
            continue
        subject = f"action:{a.number}"
        aud = f"member:{a.owner}" if a.owner else "channel"
        add("action_soon", None, subject, "before", aud, _wd_before(cal, a.due, 2), a.due, a.due)
        if today > a.due:
            add("action_overdue", None, subject, "overdue", "channel",
                cal.add_working_days(a.due, 1), a.due, date.max)
    return out
