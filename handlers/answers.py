"""The answers people give before a meeting: `attending`, `apologies`, `report`.

These are what the reminder buttons run (`CG-0001 attending 2027-01-15`, `CG-0001 apologies
2027-01-15`, `CG-0001 report 2027-01-15`), so each takes an optional meeting date and works from a
direct message or App Home as well as the case's channel. Without a date they answer for the next
booked core group.

Storage: the answer before a meeting lives in the same `Attendance` row the minute-taker later
corrects when the meeting is recorded as held (status "attended" = said they are coming,
"apologies" = sent apologies); only a held meeting's attendance counts towards quorum
(`storage.repository.record_attendance`). A written report is a `WrittenReport` row with
`submitted_at` set. So the reminder sweep can tell "said attending", "sent apologies" and
"report in" apart from the record alone.

Progress ("2 of 3 written reports in") counts as the reminder sweep does (`storage.facts`,
`scheduling.reminders.plan_reminders`), so a nag and a reply never disagree: a written report is
expected from every professional reached in chat who has not said they are attending, except the
meeting's chair and minute-taker; family members are not asked for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from handlers.common import (
    Context,
    Rules,
    london_date,
    london_time,
    meeting_place,
    member_of,
    reachable,
    resolve_case,
    rule_context,
    rules_for,
    when,
)
from handlers.forms import report_form
from handlers.i18n import _, long_day, ngettext
from handlers.parse import EXAMPLES, SLASH, Attending, CommandError, SendApologies, WriteReport
from handlers.replies import Button, Message, Outcome, RefreshBundle
from handlers.reports import report_due
from handlers.words import meeting_label
from scheduling.case import CORE_GROUP_KINDS
from scheduling.engine import Obligation
from scheduling.reminders import owes_report
from storage import repository as repo
from storage.models import LEAD_SOCIAL_WORKER, REVIEW_CONFERENCE, CoreGroup, Meeting, Member

#: Meetings people answer for: core groups and the Wales resolution meetings (not conferences,
#: which the conference chair's service invites to).
ANSWERABLE = frozenset({*CORE_GROUP_KINDS, "resolution_tier1", "resolution_tier2"})


def find_meeting(s: Session, case: CoreGroup, ctx: Context, day: date | None, verb: str) -> Meeting:
    """The scheduled meeting the answer is for: the one on `day`, else the next core group.

    `verb` is the sub-command (`attending`…), for the example in an error."""
    example = f"{SLASH} {verb} 2027-01-15"
    if day is None:
        meeting = repo.next_meeting(s, case.reference, now=ctx.now, kinds=sorted(CORE_GROUP_KINDS))
        if meeting is None:
            raise CommandError(
                _(
                    "{reference} has no core group booked, so there is nothing to answer for yet.",
                    reference=case.reference,
                ),
                EXAMPLES["meeting"],
            )
        return meeting
    if day < ctx.today:
        raise CommandError(
            _(
                "{day} has passed: answers are for meetings still to come. "
                "To record who came, use `{example}`.",
                day=long_day(day),
                example=EXAMPLES["held"],
            ),
            example,
        )
    scheduled = [
        m
        for m in repo.meetings(s, case.reference, status="scheduled")
        if m.kind in ANSWERABLE and m.kind != REVIEW_CONFERENCE
    ]
    same = [m for m in scheduled if london_date(m.starts_at) == day]
    if same:
        return same[0]
    upcoming = sorted((m for m in scheduled if m.starts_at >= ctx.now), key=lambda m: m.starts_at)
    if upcoming:
        nxt = london_date(upcoming[0].starts_at)
        raise CommandError(
            _(
                "{reference} has no meeting booked on {day}; the next is on {next}.",
                reference=case.reference,
                day=long_day(day),
                next=long_day(nxt),
            ),
            f"{SLASH} {verb} {nxt.isoformat()}",
        )
    raise CommandError(
        _("{reference} has no meeting booked on {day}.", reference=case.reference, day=long_day(day)),
        EXAMPLES["meeting"],
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """Who has answered for one meeting, counted the way the reminder plan counts."""

    attending: int
    apologies: int
    unanswered: int
    reports_in: int
    reports_expected: int
    #: Member ids whose report is still awaited, in joining order.
    awaited: tuple[int, ...] = ()

    def line(self) -> str:
        return ngettext(
            "{got} of {n} written report in · {attending} attending · {apologies} sent apologies · "
            "{unanswered} not answered",
            "{got} of {n} written reports in · {attending} attending · {apologies} sent apologies · "
            "{unanswered} not answered",
            self.reports_expected,
            got=self.reports_in,
            attending=self.attending,
            apologies=self.apologies,
            unanswered=self.unanswered,
        )


def progress(s: Session, case: CoreGroup, meeting: Meeting, today: date, *, email: bool = False) -> Progress:
    """`email`: members reached by email count as asked (`Config.email`), as the sweep counts them."""
    assert meeting.id is not None
    people = repo.members(s, case.reference, on=today)
    said: dict[int | None, str] = {
        a.member_id: a.status for a in repo.attendance(s, case.reference, meeting.id)
    }
    sent: set[int | None] = {
        r.member_id for r in repo.reports(s, case.reference, meeting.id) if r.submitted_at is not None
    }
    attending = {m.id for m in people if said.get(m.id) == "attended"}
    # Whoever runs the meeting is not asked: its chair and minute-taker, and the lead social
    # worker whose meeting it is (as the sweep asks, storage/facts.py).
    running = {meeting.chair_member_id, meeting.minute_taker_member_id}
    running |= {m.id for m in people if m.role == LEAD_SOCIAL_WORKER}
    asked = [m for m in people if reachable(m, email=email) and m.id not in running]
    # A report sent unasked (by the chair, the minute-taker or someone attending) still counts:
    # its author joins the expected, so "1 of 1 in" rather than "0 of 1" (as the sweep counts it,
    # storage/facts.py and scheduling/reminders.py).
    expected = [
        m
        for m in people
        if (m in asked and owes_report(m.kind, False) and m.id not in attending) or m.id in sent
    ]
    return Progress(
        attending=len(attending),
        apologies=sum(1 for m in people if said.get(m.id) == "apologies"),
        unanswered=sum(1 for m in asked if m.id not in said),
        reports_in=sum(1 for m in expected if m.id in sent),
        reports_expected=len(expected),
        awaited=tuple(m.id for m in expected if m.id not in sent and m.id is not None),
    )


def without_reports_in(s: Session, case: CoreGroup, obs: list[Obligation], today: date) -> list[Obligation]:
    """The obligations less a meeting's written-report deadline once every report it expects is
    in (or nobody owes one): the engine keeps the deadline, as it does not read reports, but the
    pinned summary and `status` must not still ask for a report that has come."""
    out = []
    for o in obs:
        if o.rule == "written_report" and o.status != "met" and o.subject.startswith("meeting:"):
            _, day, kind = o.subject.split(":", 2)
            meeting = next(
                (
                    m
                    for m in repo.meetings(s, case.reference, status="scheduled")
                    if m.kind == kind and london_date(m.starts_at).isoformat() == day
                ),
                None,
            )
            if meeting is not None:
                counts = progress(s, case, meeting, today)
                if counts.reports_in >= counts.reports_expected:
                    continue
        out.append(o)
    return out


def _meeting_words(meeting: Meeting) -> str:
    day = london_date(meeting.starts_at)
    place = meeting_place(meeting.venue, meeting.online)
    values = {
        "meeting": meeting_label(meeting.kind),
        "day": long_day(day),
        "time": london_time(meeting.starts_at),
    }
    if place:
        return _("the {meeting} on {day} at {time}, {place}", place=place, **values)
    return _("the {meeting} on {day} at {time}", **values)


def _report_context(rules: Rules, plan: str) -> tuple[str, ...]:
    if "written_report" in rules.profile.rules:
        return (rule_context("written_report", rules, plan),)
    return ()


def _report_button(reference: str, meeting: Meeting) -> Button:
    day = london_date(meeting.starts_at).isoformat()
    return Button(_("Write my report"), "cg.run", f"{reference} report {day}", primary=True)


def _status_of(s: Session, case: CoreGroup, meeting: Meeting, me: Member) -> str | None:
    assert meeting.id is not None
    return next(
        (a.status for a in repo.attendance(s, case.reference, meeting.id) if a.member_id == me.id), None
    )


def attending(ctx: Context, cmd: Attending) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        meeting = find_meeting(s, case, ctx, cmd.day, "attending")
        assert meeting.id is not None and me.id is not None
        already = _status_of(s, case, meeting, me) == "attended"
        if not already:
            repo.record_attendance(
                s, case.reference, meeting.id, actor=ctx.actor.audit_id, now=ctx.now, attended=[me.id]
            )
        counts = progress(s, case, meeting, ctx.today, email=ctx.config.email)
    rules = rules_for(case.profile)
    day = london_date(meeting.starts_at)
    preview = (
        _(
            "{reference}: you were already down as attending {meeting}",
            reference=case.reference,
            meeting=_meeting_words(meeting),
        )
        if already
        else _(
            "{reference}: you're down as attending {meeting}",
            reference=case.reference,
            meeting=_meeting_words(meeting),
        )
    )
    out = Outcome(reference=None if already else case.reference)
    out.say(
        Message(
            preview,
            (
                counts.line(),
                _(
                    "If that changes, send apologies: `{command}`.",
                    command=" ".join((SLASH, case.reference, "apologies", day.isoformat())),
                ),
            ),
            (Button(_("Sending apologies"), "cg.run", f"{case.reference} apologies {day.isoformat()}"),),
            _report_context(rules, case.plan),
        )
    )
    return out


def send_apologies(ctx: Context, cmd: SendApologies) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        meeting = find_meeting(s, case, ctx, cmd.day, "apologies")
        assert meeting.id is not None and me.id is not None
        rules = rules_for(case.profile)
        due = report_due(rules, case.plan, meeting)
        repo.record_attendance(
            s, case.reference, meeting.id, actor=ctx.actor.audit_id, now=ctx.now, apologies=[me.id]
        )
        mine = next((r for r in repo.reports(s, case.reference, meeting.id) if r.member_id == me.id), None)
        report_in = mine is not None and mine.submitted_at is not None
        asked = me.kind == "professional" and not report_in
        if asked:
            repo.request_reports(
                s, case.reference, meeting.id, [me.id], actor=ctx.actor.audit_id, now=ctx.now, due_at=due
            )
        counts = progress(s, case, meeting, ctx.today, email=ctx.config.email)
    detail: list[str] = []
    noted = {"reference": case.reference, "meeting": _meeting_words(meeting)}
    if report_in:
        preview = _("{reference}: apologies noted for {meeting}; your written report is already in", **noted)
    elif asked:
        if due:
            preview = _(
                "{reference}: apologies noted for {meeting}; your written report is due by {by}",
                by=when(london_date(due), ctx.today, rules.calendar),
                **noted,
            )
        else:
            preview = _(
                "{reference}: apologies noted for {meeting}; your written report is due before the meeting",
                **noted,
            )
        detail.append(_("Cover contact with the family, work done, concerns and progress against the plan."))
    else:
        preview = _("{reference}: apologies noted for {meeting}", **noted)
        detail.append(_("The social worker will tell the meeting anything you would like it to know."))
    detail.append(counts.line())
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            preview,
            tuple(detail),
            (_report_button(case.reference, meeting),) if asked else (),
            _report_context(rules, case.plan) if asked else (),
        )
    )
    return out


def write_report(ctx: Context, cmd: WriteReport) -> Outcome:
    if cmd.text is None:
        with ctx.read() as s:
            case = resolve_case(s, ctx, cmd.case)
            member_of(s, ctx, case)
            meeting = find_meeting(s, case, ctx, cmd.day, "report")
        assert meeting.id is not None
        label = long_day(london_date(meeting.starts_at))
        return Outcome(form=report_form(case.reference, meeting.id, label), reference=case.reference)
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        if cmd.meeting_id is not None:
            meeting = repo.get_meeting(s, case.reference, cmd.meeting_id)
        else:
            meeting = find_meeting(s, case, ctx, cmd.day, "report")
        assert meeting.id is not None and me.id is not None
        rules = rules_for(case.profile)
        if not any(r.member_id == me.id for r in repo.reports(s, case.reference, meeting.id)):
            repo.request_reports(
                s,
                case.reference,
                meeting.id,
                [me.id],
                actor=ctx.actor.audit_id,
                now=ctx.now,
                due_at=report_due(rules, case.plan, meeting),
            )
        repo.submit_report(
            s, case.reference, meeting.id, me.id, cmd.text, actor=ctx.actor.audit_id, now=ctx.now
        )
        counts = progress(s, case, meeting, ctx.today, email=ctx.config.email)
    day = london_date(meeting.starts_at)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: your written report for the {meeting} on {day} is in",
                reference=case.reference,
                meeting=meeting_label(meeting.kind),
                day=long_day(day),
            ),
            (_("It is on the case record for the chair and the minutes."), counts.line()),
        )
    )
    out.say(
        Message(
            ngettext(
                "{reference}: {got} of {n} written report in for the {meeting} on {when}",
                "{reference}: {got} of {n} written reports in for the {meeting} on {when}",
                counts.reports_expected,
                reference=case.reference,
                got=counts.reports_in,
                meeting=meeting_label(meeting.kind),
                when=when(day, ctx.today, rules.calendar),
            ),
        ),
        "channel",
    )
    # If the chair's bundle for this meeting went already, it is brought up to date.
    out.effects.append(RefreshBundle(case.reference, f"meeting:{day.isoformat()}:{meeting.kind}"))
    return out
