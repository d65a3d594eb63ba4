"""Written reports and apologies for the next meeting.

A member who cannot attend sends apologies and a written report before the meeting (Newham §9.2,
Suffolk §4.6, Cwm Taf Morgannwg §3): `apologies` records the first and asks for the second, with
its due date under the profile; `report` opens the form (or takes the text) and files it against
the next meeting.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.common import (
    Context,
    Rules,
    at_london,
    london_date,
    member_of,
    resolve_case,
    rule_context,
    rules_for,
    when,
)
from handlers.forms import report_form
from handlers.parse import EXAMPLES, CommandError, SendApologies, WriteReport
from handlers.replies import Button, Message, Outcome, only
from handlers.status import meeting_label
from scheduling.case import CORE_GROUP_KINDS
from scheduling.engine import before
from scheduling.wording import long_date
from storage import repository as repo
from storage.models import CoreGroup, Meeting


def _next_meeting(s: Session, case: CoreGroup, ctx: Context) -> Meeting:
    meeting = repo.next_meeting(s, case.reference, now=ctx.now, kinds=sorted(CORE_GROUP_KINDS))
    if meeting is None:
        raise CommandError(
            f"{case.reference} has no core group booked, so there is nothing to report for yet.",
            EXAMPLES["meeting"],
        )
    return meeting


def report_due(rules: Rules, plan: str, meeting: Meeting) -> datetime | None:
    """When the written report is due under the profile: end of the working day it falls on."""
    rule = rules.profile.rules.get("written_report")
    spec = rule.for_plan(plan) if rule else None
    if spec is None or spec.period is None:
        return None
    day = before(rules.calendar, london_date(meeting.starts_at), spec.period)
    return at_london(day, rules.profile.working_hours.end)


def write_report(ctx: Context, cmd: WriteReport) -> Outcome:
    if cmd.text is None:
        with ctx.read() as s:
            case = resolve_case(s, ctx, cmd.case)
            member_of(s, ctx, case)
            meeting = _next_meeting(s, case, ctx)
        assert meeting.id is not None
        label = long_date(london_date(meeting.starts_at))
        return Outcome(form=report_form(case.reference, meeting.id, label),
                       reference=case.reference)
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        if cmd.meeting_id is not None:
            meeting = repo.get_meeting(s, case.reference, cmd.meeting_id)
        else:
            meeting = _next_meeting(s, case, ctx)
        assert meeting.id is not None and me.id is not None
        rules = rules_for(case.profile)
        if not any(r.member_id == me.id for r in repo.reports(s, case.reference, meeting.id)):
            repo.request_reports(s, case.reference, meeting.id, [me.id],
                                 actor=ctx.actor.audit_id, now=ctx.now,
                                 due_at=report_due(rules, case.plan, meeting))
        repo.submit_report(s, case.reference, meeting.id, me.id, cmd.text,
                           actor=ctx.actor.audit_id, now=ctx.now)
        waiting = len(repo.outstanding_reports(s, case.reference, meeting.id))
        total = len(repo.reports(s, case.reference, meeting.id))
    day = london_date(meeting.starts_at)
    out = Outcome(reference=case.reference)
    out.say(Message(
        f"{case.reference}: your written report for the {meeting_label(meeting.kind)} on "
        f"{long_date(day)} is in",
        ("It is on the case record for the chair and the minutes.",),
    ))
    out.say(Message(
        f"{case.reference}: {total - waiting} of {total} written report"
        f"{'s' if total != 1 else ''} in for the {meeting_label(meeting.kind)} on "
        f"{when(day, ctx.today, rules.calendar)}",
    ), "channel")
    return out


def send_apologies(ctx: Context, cmd: SendApologies) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        meeting = _next_meeting(s, case, ctx)
        assert meeting.id is not None and me.id is not None
        rules = rules_for(case.profile)
        due = report_due(rules, case.plan, meeting)
        repo.record_attendance(s, case.reference, meeting.id, actor=ctx.actor.audit_id,
                               now=ctx.now, apologies=[me.id])
        repo.request_reports(s, case.reference, meeting.id, [me.id], actor=ctx.actor.audit_id,
                             now=ctx.now, due_at=due)
    day = london_date(meeting.starts_at)
    by = when(london_date(due), ctx.today, rules.calendar) if due else "before the meeting"
    out = only(Message(
        f"{case.reference}: apologies noted for the {meeting_label(meeting.kind)} on "
        f"{long_date(day)}; your written report is due by {by}",
        ("Cover contact with the family, work done, concerns and progress against the plan.",),
        (Button("Write my report", "cg.run", f"report case:{case.reference}", primary=True),),
        (rule_context("written_report", rules, case.plan),)
        if "written_report" in rules.profile.rules else (),
    ))
    out.reference = case.reference
    return out
