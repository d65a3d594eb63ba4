"""Meeting the obligations that had no command: the chair's update to the lead social worker after
a meeting held without the social worker (Suffolk §4.2) and a significant change reported to the
conference chair (Suffolk §4.5).

Without these the engine kept both due for ever and the chase (scheduling/reminders.py `CHASED`)
would never stop. Each writes through the storage facade with its audit event, and says when the
obligation was due, so the person recording it sees whether it was on time.
"""

from __future__ import annotations

from datetime import date, time

from handlers.common import (
    Context,
    happened_at,
    london_date,
    member_of,
    not_before_start,
    resolve_case,
    rule_context,
    rules_for,
)
from handlers.i18n import _, long_day, ngettext
from handlers.parse import EXAMPLES, ChairUpdateSent, CommandError, SignificantChange
from handlers.replies import Message, Outcome
from handlers.words import meeting_label
from scheduling.engine import after
from storage import repository as repo


def _timing(
    rule_id: str, profile: str, plan: str, start: date, done: date, *, recording: bool = False
) -> tuple[list[str], list[str]]:
    """ "On time: due by …" or "2 working days after the due date …", and the rule's context.
    `recording` a change as it happens: "Report it to the conference chair by …" instead."""
    rules = rules_for(profile)
    rule = rules.profile.rules.get(rule_id)
    spec = rule.for_plan(plan) if rule else None
    if spec is None or spec.period is None:
        return [], []
    due = after(rules.calendar, start, spec.period)
    if recording:
        line = _("Report it to the conference chair by {day}.", day=long_day(due))
    elif done <= due:
        line = _("On time: it was due by {day}.", day=long_day(due))
    else:
        late = rules.calendar.working_days_between(due, done)
        line = ngettext(
            "{n} working day after the due date, {day}.",
            "{n} working days after the due date, {day}.",
            late,
            day=long_day(due),
        )
    return [line], [rule_context(rule_id, rules, plan)]


def chair_update_sent(ctx: Context, cmd: ChairUpdateSent) -> Outcome:
    ex = EXAMPLES["update"]
    day = cmd.day or ctx.today
    if day > ctx.today:
        raise CommandError(
            _("{day} is still to come: record the update once it is sent.", day=long_day(day)), ex
        )
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        not_before_start(day, case, ex, _("the chair's update"))
        waiting = [
            m
            for m in repo.meetings(s, case.reference, status="held")
            if not m.social_worker_present
            and m.chair_update_sent_at is None
            and london_date(m.starts_at) <= day
        ]
        if not waiting:
            raise CommandError(
                _(
                    "{reference} has no meeting held without the social worker on or before {day} "
                    "still waiting for the chair's update.",
                    reference=case.reference,
                    day=long_day(day),
                ),
                f"{EXAMPLES['held']} (record the meeting first)",
            )
        meeting = max(waiting, key=lambda m: m.starts_at)
        assert meeting.id is not None
        repo.mark_chair_update_sent(
            s,
            case.reference,
            meeting.id,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            at=happened_at(day, time(12, 0), ctx.now) if cmd.day else ctx.now,
        )
    mday = london_date(meeting.starts_at)
    lines, context = _timing("chair_update_to_lead_sw", case.profile, case.plan, mday, day)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: the chair's update on the {meeting} of {mday} went to the lead social "
                "worker {day}",
                reference=case.reference,
                meeting=meeting_label(meeting.kind),
                mday=long_day(mday),
                day=long_day(day),
            ),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out


def significant_change(ctx: Context, cmd: SignificantChange) -> Outcome:
    ex = EXAMPLES["significant_reported" if cmd.reported else "significant"]
    day = cmd.day or ctx.today
    if day > ctx.today:
        raise CommandError(
            _("{day} is still to come: report it once the chair is told.", day=long_day(day))
            if cmd.reported
            else _("{day} is still to come: record a change once it has happened.", day=long_day(day)),
            f"{ex.rsplit(' ', 1)[0]} {ctx.today}",
        )
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        not_before_start(day, case, ex, _("a significant change"))
        if cmd.reported:
            open_changes = [
                e
                for e in repo.case_events(s, case.reference)
                if e.kind == "significant_change" and e.reported_on is None and e.occurred_on <= day
            ]
            if not open_changes:
                raise CommandError(
                    _(
                        "{reference} has no significant change on or before {day} still to be reported "
                        "to the conference chair.",
                        reference=case.reference,
                        day=long_day(day),
                    ),
                    f"{EXAMPLES['significant']} (record the change first)",
                )
            event = open_changes[-1]
            assert event.id is not None
            repo.mark_change_reported(
                s, case.reference, event.id, actor=ctx.actor.audit_id, now=ctx.now, on=day
            )
            occurred = event.occurred_on
        else:
            repo.record_significant_change(s, case.reference, actor=ctx.actor.audit_id, now=ctx.now, on=day)
            occurred = day
    out = Outcome(reference=case.reference)
    if cmd.reported:
        lines, context = _timing(
            "significant_change_to_conference_chair", case.profile, case.plan, occurred, day
        )
        preview = _(
            "{reference}: the significant change of {occurred} was reported to the conference chair {day}",
            reference=case.reference,
            occurred=long_day(occurred),
            day=long_day(day),
        )
    else:
        lines, context = _timing(
            "significant_change_to_conference_chair",
            case.profile,
            case.plan,
            occurred,
            occurred,
            recording=True,
        )
        lines.append(
            _(
                "Once they are told: `{example}`.",
                example=EXAMPLES["significant_reported"].rsplit(" ", 1)[0],
            )
        )
        preview = _(
            "{reference}: significant change recorded for {day}", reference=case.reference, day=long_day(day)
        )
    out.say(Message(preview, tuple(lines), context=tuple(context)), "channel")
    return out
