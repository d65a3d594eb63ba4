"""The reminder plan: which obligation deserves which message, to whom, on which working day.

Pure, like the engine: (obligations, the case's meetings/actions/members facts, calendar, today) ->
planned reminders. The sweep inserts them into the outbox, whose unique key (case, rule, subject,
stage) makes planning idempotent: planning the same day twice, or in two processes, sends once.

One row of `PLAN` per reminder kind, and the row is what runs: `plan_reminders` reads its anchor,
offset, expiry, condition, audience and stage, the renderer (`handlers/nags.py`) reads its buttons,
the sweep its fixed send time. So a new kind of reminder is one row here plus its wording there.
Audiences are roles (`channel`, `lead_sw`, `minute_taker`, `chair`, `lead_sw_manager`, `raiser`,
`next_stage`) or one member (`member:<id>`); `audience_member` says which member a role means, for
the sweep (no double nag) and delivery (whom to message) alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Literal, Protocol

from scheduling.calendar import WorkingCalendar
from scheduling.engine import DUE, OVERDUE, Obligation

#: What a row's dates count from. `due`: the obligation's (or action's) due date; `earliest`: the
#: first day it can be met (a window opening); `meeting`: the booked meeting's date;
#: `last_working_day`: the due date, or the working day before it when it is not one.
#: `daily`: every working day from the offset on (the once-a-working-day overdue repeat).
Anchor = Literal["due", "earliest", "meeting", "last_working_day", "daily"]
#: The last day a row still makes sense: the due (or meeting) day, the working day before it, or
#: never (an overdue or trigger message stays wanted until the obligation is met).
#: `same_day`: only the day it is planned for (a daily repeat missed is not sent late).
Expiry = Literal["due", "day_before", "never", "same_day"]
#: Extra condition: `unbooked` (no core group booked), `window_open` (the engine says DUE and no
#: core group is booked between the window's first day and its due date), `overdue` (past its
#: due date), `reports_expected` (a meeting some professional owes a report).
Condition = Literal["unbooked", "window_open", "overdue", "reports_expected"]
#: Where a row's subjects come from: open obligations of its rule, booked meetings, plan actions.
#: `chase`: every overdue obligation of a rule in `CHASED`, and every overdue plan action.
Source = Literal["obligation", "meeting", "action", "chase"]
#: For meeting rows, who is asked: each member not yet answering, each professional whose report
#: is not in (and not attending), or once per meeting for the chair.
Asks = Literal["members", "professionals", "once"]


@dataclass(frozen=True, slots=True)
class Answer:
    """A button on the reminder: its label and the command it runs, `{ref}` the case reference,
    `{day}` the meeting's ISO date, `{number}` the plan action's number. The first is primary."""

    label: str
    command: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One kind of reminder: the rule it serves, when it goes and to whom, what it asks for."""

    kind: str
    rule: str
    #: The same timing in words, for people reading the plan (docs/reminders.md).
    when: str
    audience: str
    next_step: str
    buttons: tuple[Answer, ...] = ()
    #: Working days from the anchor to the send day: negative before, positive after, 0 on it.
    offset: int = 0
    anchor: Anchor = "due"
    expiry: Expiry = "due"
    stage: str = "before"
    condition: Condition | None = None
    source: Source = "obligation"
    asks: Asks = "once"
    #: Reminders about one meeting go in its thread (the meeting's engine subject).
    threaded: bool = False
    #: Carries the reports' progress ("3 of 5 in"); `bundle` also who has and who has not sent.
    progress: Literal["none", "count", "bundle"] = "none"
    #: Sent at the fixed bundle time (10:00) instead of the start of working hours.
    fixed_time: bool = False


_BOOK = Answer("Book it", "{ref} meeting")
_MINUTES = Answer("Mark minutes sent", "{ref} minutes sent")
_VISIT = Answer("Record a visit", "{ref} visit")
_DONE = Answer("Done", "{ref} action done {number}")
_ATTENDING = Answer("Attending", "{ref} attending {day}")
_APOLOGIES = Answer("Sending apologies", "{ref} apologies {day}")

#: The reminder plan (issue 5, "The reminder plan"), in the order rows of one subject are planned.
PLAN: Final[tuple[PlanRow, ...]] = (
    PlanRow(
        "book_next",
        "next_core_group",
        "10 WD before due, none booked",
        "channel",
        "Book the next core group",
        (_BOOK,),
        offset=-10,
        stage="book",
        condition="unbooked",
    ),
    PlanRow(
        "book_first",
        "first_core_group",
        "10 WD before due, none booked",
        "channel",
        "Book the first core group",
        (_BOOK,),
        offset=-10,
        stage="book",
        condition="unbooked",
    ),
    PlanRow(
        "attendance",
        "written_report",
        "5 WD before the meeting",
        "member",
        "Say whether you are coming",
        (_ATTENDING, _APOLOGIES),
        offset=-5,
        anchor="meeting",
        expiry="day_before",
        stage="attendance:{member}",
        source="meeting",
        asks="members",
        threaded=True,
    ),
    PlanRow(
        "report_request",
        "written_report",
        "3 WD before the meeting",
        "member",
        "Send your written report",
        # The one nag of a member asked both (issue 12): the attendance answers ride along.
        (Answer("Write my report", "{ref} report {day}"), _ATTENDING, _APOLOGIES),
        offset=-3,
        anchor="meeting",
        expiry="day_before",
        stage="report:{member}",
        source="meeting",
        asks="professionals",
        threaded=True,
        progress="count",
    ),
    PlanRow(
        "chair_bundle",
        "written_report",
        "1 WD before the meeting, at 10:00",
        "chair",
        "Read the reports in; chase the ones still missing",
        offset=-1,
        anchor="meeting",
        expiry="day_before",
        stage="bundle",
        condition="reports_expected",
        source="meeting",
        threaded=True,
        progress="bundle",
        fixed_time=True,
    ),
    PlanRow(
        "final_window",
        "final_core_group_window",
        "the day the window opens",
        "channel",
        "Hold the final core group before the review",
        (_BOOK,),
        anchor="earliest",
        stage="window_open",
        condition="window_open",
    ),
    PlanRow(
        "minutes_soon",
        "minutes_circulated",
        "2 WD before due",
        "minute_taker+lead_sw",
        "Send the minutes",
        (_MINUTES,),
        offset=-2,
        expiry="day_before",
        threaded=True,
    ),
    PlanRow(
        "minutes_due",
        "minutes_circulated",
        "on the due day",
        "minute_taker+lead_sw",
        "Send the minutes today",
        (_MINUTES,),
        stage="due",
        threaded=True,
    ),
    PlanRow(
        "lead_visit_soon",
        "lead_sw_visit",
        "3 WD before due",
        "lead_sw",
        "Visit the child",
        (_VISIT,),
        offset=-3,
    ),
    PlanRow(
        "child_seen_soon",
        "child_seen",
        "2 WD before due, no visit since",
        "channel",
        "Someone in the core group sees the child",
        (_VISIT,),
        offset=-2,
    ),
    PlanRow(
        "escalation_stage_end",
        "escalation_stage",
        "on the stage's last working day",
        "raiser+next_stage",
        "Resolve it or take it to the next stage",
        (Answer("Resolved", "{ref} resolve"), Answer("Escalate", "{ref} escalate")),
        anchor="last_working_day",
        expiry="never",
        stage="stage_end",
    ),
    PlanRow(
        "tier1_trigger",
        "resolution_tier1_trigger",
        "on the trigger day",
        "channel",
        "Arrange the Tier 1 resolution meeting",
        (_BOOK,),
        expiry="never",
        stage="trigger",
    ),
    PlanRow(
        "tier1_meeting",
        "resolution_tier1_meeting",
        "5 WD before due",
        "channel",
        "Hold the Tier 1 meeting",
        (_BOOK,),
        offset=-5,
    ),
    PlanRow(
        "resolution_review",
        "resolution_review_core_group",
        "5 WD before due",
        "channel",
        "Hold the review core group (chaired by the social worker)",
        (_BOOK,),
        offset=-5,
    ),
    PlanRow(
        "tier2_trigger",
        "resolution_tier2_trigger",
        "on the trigger day",
        "channel",
        "Decide: significant risk reduction, or Tier 2",
        (Answer("Risk reduced", "{ref} risk reduced"), Answer("Go to Tier 2", "{ref} meeting")),
        expiry="never",
        stage="trigger",
    ),
    PlanRow(
        "action_soon",
        "plan_action",
        "2 WD before due",
        "owner",
        "Finish your action",
        (_DONE,),
        offset=-2,
        source="action",
    ),
    # The chase of anything overdue (docs/messages.md "Noise"): the person responsible on the
    # first working day after the deadline, their named manager once the day after, then the
    # channel (or its digest) at most once a working day until it is met. `responsible` in the
    # audience is the rule's person in `CHASED`; the buttons are the rule's (`CHASE_BUTTONS`).
    PlanRow(
        "overdue",
        "*",
        "first working day after due",
        "responsible",
        "Do it now, or say what is in the way",
        offset=1,
        expiry="never",
        stage="overdue",
        source="chase",
    ),
    PlanRow(
        "overdue_manager",
        "*",
        "second working day after due, once",
        "manager:responsible",
        "Check it is in hand",
        offset=2,
        expiry="never",
        stage="overdue:manager",
        source="chase",
    ),
    PlanRow(
        "overdue_daily",
        "*",
        "every working day from the third after due",
        "channel",
        "Do it now, or say what is in the way",
        offset=3,
        anchor="daily",
        expiry="same_day",
        stage="overdue:{day}",
        source="chase",
    ),
)

#: Who is responsible for an overdue obligation, per rule: the one chased first (and whose
#: manager is chased next). The lead social worker coordinates the plan, so holds most of them.
CHASED: Final[Mapping[str, str]] = {
    "first_core_group": "lead_sw",
    "second_core_group": "lead_sw",
    "next_core_group": "lead_sw",
    "post_review_core_group": "lead_sw",
    "school_move_core_group": "lead_sw",
    "final_core_group_window": "lead_sw",
    "review_conference": "lead_sw",
    "child_seen": "lead_sw",
    "lead_sw_visit": "lead_sw",
    "minutes_circulated": "minute_taker",
    "chair_update_to_lead_sw": "chair",
    "significant_change_to_conference_chair": "lead_sw",
    "resolution_tier1_meeting": "lead_sw",
    "resolution_review_core_group": "lead_sw",
    "resolution_tier2_meeting": "lead_sw",
    "plan_action": "owner",
}
#: The answer a chase offers, per rule (none for its manager: not theirs to press).
CHASE_BUTTONS: Final[Mapping[str, tuple[Answer, ...]]] = {
    "first_core_group": (_BOOK,),
    "second_core_group": (_BOOK,),
    "next_core_group": (_BOOK,),
    "post_review_core_group": (_BOOK,),
    "school_move_core_group": (_BOOK,),
    "final_core_group_window": (_BOOK,),
    "resolution_tier1_meeting": (_BOOK,),
    "resolution_review_core_group": (_BOOK,),
    "resolution_tier2_meeting": (_BOOK,),
    "child_seen": (_VISIT,),
    "lead_sw_visit": (_VISIT,),
    "minutes_circulated": (_MINUTES,),
    "chair_update_to_lead_sw": (Answer("Mark update sent", "{ref} chair update sent {day}"),),
    "significant_change_to_conference_chair": (Answer("Mark it reported", "{ref} change reported {day}"),),
    "plan_action": (_DONE,),
}
#: Meeting-related chases go in the meeting's thread.
_THREADED_CHASE: Final = frozenset({"minutes_circulated", "chair_update_to_lead_sw"})
ROWS: Final[dict[str, PlanRow]] = {r.kind: r for r in PLAN}


@dataclass(frozen=True, slots=True)
class _Index:
    """A plan's rows by where their subjects come from, obligation rows by rule, in plan order."""

    by_rule: Mapping[str, tuple[PlanRow, ...]]
    meeting: tuple[PlanRow, ...]
    action: tuple[PlanRow, ...]
    chase: tuple[PlanRow, ...]

    @classmethod
    def of(cls, plan: tuple[PlanRow, ...]) -> _Index:
        rules = dict.fromkeys(r.rule for r in plan if r.source == "obligation")
        return cls(
            {rule: tuple(r for r in plan if r.source == "obligation" and r.rule == rule) for rule in rules},
            tuple(r for r in plan if r.source == "meeting"),
            tuple(r for r in plan if r.source == "action"),
            tuple(r for r in plan if r.source == "chase"),
        )


_INDEX: Final = _Index.of(PLAN)


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
    #: The action's words, for its reminders (shortened there); never in the outbox payload.
    text: str = ""


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


#: No reminder goes earlier than this before its date (10 working days is at most ~20 calendar
#: days, across Christmas), so obligations and meetings further off are skipped unread.
LOOKAHEAD: Final = timedelta(days=31)


def _shift(cal: WorkingCalendar, d: date, offset: int) -> date:
    if offset < 0:
        return cal.subtract_working_days(d, -offset)
    if offset > 0:
        return cal.add_working_days(d, offset)
    return d


def _send_on(
    row: PlanRow, cal: WorkingCalendar, due: date, earliest: date | None, today: date
) -> date | None:
    """The day one row goes out for one subject; None when its anchor is unknown."""
    if row.anchor == "daily":
        # Today when it is a working day on or after the start; otherwise the next day it will
        # go (later than today: the incremental sweep wakes the case then, scheduling/sweep.py).
        start = _shift(cal, due, row.offset)
        if today < start:
            return start
        return today if cal.is_working_day(today) else cal.add_working_days(today, 1)
    if row.anchor == "earliest":
        if earliest is None:
            return None
        anchor = earliest
    elif row.anchor == "last_working_day":
        anchor = cal.roll_back(due)
    else:
        anchor = due
    return _shift(cal, anchor, row.offset)


def _expires_on(row: PlanRow, cal: WorkingCalendar, due: date, send_on: date) -> date:
    if row.expiry == "same_day":
        return send_on
    if row.expiry == "never":
        return date.max
    if row.expiry == "day_before":
        return cal.subtract_working_days(due, 1)
    return due


def plan_reminders(
    obligations: Iterable[Obligation],
    facts: CaseFacts,
    cal: WorkingCalendar,
    today: date,
    *,
    booked: bool | None = None,
    booked_on: Sequence[date] | None = None,
    plan: tuple[PlanRow, ...] = PLAN,
    upcoming: list[date] | None = None,
) -> list[Planned]:
    """Every reminder that is due to go out on or before `today` and has not expired.

    `booked`: whether a core group is booked (from the case state); default: whether `facts`
    lists any meeting. `booked_on`: the days of the booked core groups (the case state knows
    them all; `facts` holds only the near ones), so a window's "hold it now" is not sent while one
    is already booked inside it; default: `facts`' meeting days. `plan`: the rows to run (tests
    try a new row without editing `PLAN`).
    `upcoming`: when given, the send day of every row left out only because its day is still to
    come is appended to it (subjects beyond `LOOKAHEAD` included), whatever the row: the
    incremental sweep's next look at the case (handlers/sweep.py) is the earliest of them.
    """
    index = _INDEX if plan is PLAN else _Index.of(plan)
    out: list[Planned] = []
    far = today + LOOKAHEAD if upcoming is None else date.max
    if booked_on is None:
        booked_on = [m.date for m in facts.meetings]
    if booked is None:
        booked = bool(facts.meetings)

    def booked_within(ob: Obligation) -> bool:
        return any((ob.earliest is None or ob.earliest <= d) and d <= ob.due for d in booked_on)

    def add(
        row: PlanRow,
        subject: str,
        due: date,
        earliest: date | None = None,
        ob: Obligation | None = None,
        *,
        member: str = "",
        audience: str | None = None,
        progress: tuple[int, int] | None = None,
        received: tuple[str, ...] = (),
        waiting: tuple[str, ...] = (),
        rule: str | None = None,
        thread: str | None = None,
    ) -> None:
        send_on = _send_on(row, cal, due, earliest, today)
        if send_on is None:
            return
        if send_on > today:
            if upcoming is not None:
                upcoming.append(send_on)
            return
        if row.anchor == "daily" and upcoming is not None:
            upcoming.append(cal.add_working_days(today, 1))  # tomorrow's repeat wakes the case
        expires_on = _expires_on(row, cal, due, send_on)
        if today > expires_on:
            return
        out.append(
            Planned(
                row.kind,
                rule or row.rule,
                subject,
                row.stage.format(member=member, day=send_on.isoformat()),
                audience or row.audience,
                send_on,
                due,
                expires_on,
                thread or (subject if row.threaded else None),
                progress,
                ob,
                received,
                waiting,
            )
        )

    for ob in obligations:
        if ob.status == "met" or (ob.due > far and (ob.earliest is None or ob.earliest > today)):
            continue
        for row in index.by_rule.get(ob.rule, ()):
            cond = row.condition
            if cond is not None and not (
                (cond == "unbooked" and not booked)
                or (cond == "window_open" and ob.status == DUE and not booked_within(ob))
                or (cond == "overdue" and ob.status == OVERDUE)
            ):
                continue
            add(row, ob.subject, ob.due, ob.earliest, ob)
        if ob.status == OVERDUE and ob.rule in CHASED:
            who = CHASED[ob.rule]
            thread = ob.subject if ob.rule in _THREADED_CHASE else None
            for row in index.chase:
                audience = row.audience.replace("responsible", who)
                add(row, ob.subject, ob.due, ob=ob, audience=audience, rule=ob.rule, thread=thread)

    for m in facts.meetings:
        if m.date < today or m.date > far:
            continue
        # Someone attending who sent a report anyway is counted with it (storage/facts.py).
        expected = [p for p in m.professionals if p not in m.attending or p in m.reports_in]
        progress = (sum(1 for p in expected if p in m.reports_in), len(expected))
        # One ask per person at a time: once the report request is due (a meeting booked at
        # short notice makes both due at once) it carries the attendance answer too, so whoever
        # gets it is not also asked "are you coming?".
        report_asked = {p for p in m.professionals if p not in m.attending and p not in m.reports_in}
        report_due = any(
            (_send_on(r, cal, m.date, None, today) or date.max) <= today
            for r in index.meeting
            if r.asks == "professionals"
        )
        for row in index.meeting:
            counts = progress if row.progress != "none" else None
            if row.asks == "members":
                for member in m.members:
                    if report_due and member in report_asked:
                        continue
                    if member not in m.attending and member not in m.apologies:
                        add(
                            row,
                            m.subject,
                            m.date,
                            member=member,
                            audience=f"member:{member}",
                            progress=counts,
                        )
            elif row.asks == "professionals":
                for member in m.professionals:
                    if member not in m.attending and member not in m.reports_in:
                        add(
                            row,
                            m.subject,
                            m.date,
                            member=member,
                            audience=f"member:{member}",
                            progress=counts,
                        )
            elif row.condition != "reports_expected" or expected:
                # The chair's bundle: what is in and who has sent nothing (sent even when all
                # are in, so the chair has the reports the day before).
                bundle = row.progress == "bundle"
                add(
                    row,
                    m.subject,
                    m.date,
                    progress=counts,
                    received=tuple(p for p in expected if p in m.reports_in) if bundle else (),
                    waiting=tuple(p for p in expected if p not in m.reports_in) if bundle else (),
                )

    for a in facts.actions:
        if a.achieved or a.due is None:
            continue
        subject = f"action:{a.number}"
        for row in index.action:
            if row.condition == "overdue" and not today > a.due:
                continue
            audience = row.audience
            if audience == "owner":
                audience = f"member:{a.owner}" if a.owner else "channel"
            add(row, subject, a.due, audience=audience)
        if today > a.due:
            owner = f"member:{a.owner}" if a.owner else "lead_sw"
            for row in index.chase:
                add(
                    row,
                    subject,
                    a.due,
                    audience=row.audience.replace("responsible", owner),
                    rule="plan_action",
                )
    return out


def owes_report(kind: str, running: bool) -> bool:
    """Whether a member is asked for a written report for a meeting: professionals only (family
    are asked whether they are coming, never for a report), and not whoever runs the meeting —
    its chair, its minute-taker, or the lead social worker (whose meeting it is). The one test
    the planner's facts (storage/facts.py) and the progress count (handlers/answers.py) share."""
    return kind == "professional" and not running


class MeetingRoles(Protocol):
    """Who holds a meeting's roles (storage.facts.MeetingRoles)."""

    @property
    def chair(self) -> int | None: ...

    @property
    def minute_taker(self) -> int | None: ...


class AudienceFacts(Protocol):
    """What `audience_member` needs of a case (storage.facts.ReminderFacts)."""

    @property
    def lead_sw(self) -> int | None: ...

    @property
    def meetings(self) -> Mapping[str, MeetingRoles]: ...

    @property
    def raisers(self) -> Mapping[str, int | None]: ...


def audience_member(role: str, subject: str, facts: AudienceFacts | None) -> int | None:
    """The member one audience of a reminder about `subject` means, or None: the channel, the
    lead social worker's manager (not a member of the case), or a role nobody holds.

    A meeting's `chair` and `minute_taker` are the ones recorded on it; with none recorded the
    reminder goes to the lead social worker, who runs the core group (docs/reminders.md). The sweep
    uses this to drop a joined audience's second row for the same person, and delivery to find
    whom to message, so both always mean the same person.
    """
    if role.startswith("member:"):
        return int(role[7:]) if role[7:].isdigit() else None
    if facts is None:
        return None
    lead = facts.lead_sw
    if role == "lead_sw":
        return lead
    if role in ("chair", "minute_taker"):
        roles = facts.meetings.get(subject)
        held = None if roles is None else (roles.chair if role == "chair" else roles.minute_taker)
        return held or lead
    if role == "raiser":
        return facts.raisers.get(subject)
    return None
