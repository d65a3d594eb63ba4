"""Disagreements between professionals: `concern`, `escalate`, `resolve`; and Cwm Taf Morgannwg's
resolution process (`resolution request`, Appendix 3), whose Tier 1/Tier 2 meetings are booked with
`tier1` / `tier2` (handlers.meetings).

Each stage has a clock under the profile (Newham: a working week per stage, §13.4-13.15); the reply
says which stage the concern is at, who it sits with, and by when it must move on.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.common import (
    Context,
    Rules,
    case_obligations,
    member_of,
    resolve_case,
    rule_context,
    rule_title,
    rules_for,
    when,
)
from handlers.forms import resolution_form
from handlers.i18n import _, long_day, verbatim
from handlers.parse import (
    EXAMPLES,
    CommandError,
    Escalate,
    RaiseConcern,
    ResolutionRequest,
    Resolve,
)
from handlers.replies import Message, Outcome
from handlers.words import joined, stage_name
from scheduling.engine import after
from storage import repository as repo
from storage.models import CoreGroup, Escalation

ABOUT_MAX = 255


def _stage_lines(rules: Rules, plan: str, esc: Escalation, ctx: Context) -> tuple[list[str], list[str]]:
    from handlers.common import london_date

    rule = rules.profile.rules.get("escalation_stage")
    spec = rule.for_plan(plan) if rule else None
    if spec is None:
        return (
            [
                _(
                    "Stage {stage}. {council}'s guidance sets no stage timescale; "
                    "agree one in the core group.",
                    stage=esc.stage,
                    council=rules.profile.title,
                )
            ],
            [],
        )
    stages = spec.stages
    name = stages[esc.stage - 1] if esc.stage <= len(stages) else "final stage"
    lines = [_("Stage {stage}: **{name}**.", stage=esc.stage, name=stage_name(name))]
    if spec.record_only or spec.period is None:
        lines.append(
            _(
                "{council} follows {stages}; no stage timescale is set.",
                council=rules.profile.title,
                stages=joined(stage_name(x) for x in stages) if stages else _("its protocol"),
            )
        )
    else:
        due = after(rules.calendar, london_date(esc.stage_started_at), spec.period)
        nxt = stages[esc.stage] if esc.stage < len(stages) else None
        by = when(due, ctx.today, rules.calendar)
        lines.append(
            _("To be resolved by **{when}**, or it moves to {next}.", when=by, next=stage_name(nxt))
            if nxt
            else _("To be resolved by **{when}**.", when=by)
        )
    return lines, [rule_context("escalation_stage", rules, plan)]


def _open(s: Session, case: CoreGroup, example: str) -> Escalation:
    open_ = repo.escalations(s, case.reference, open_only=True)
    if not open_:
        raise CommandError(
            _("{reference} has no open concern.", reference=case.reference),
            EXAMPLES["concern"] if example == "concern" else example,
        )
    return max(open_, key=lambda e: e.raised_at)


def raise_concern(ctx: Context, cmd: RaiseConcern) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        esc = repo.raise_escalation(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            raised_by_member_id=me.id,
            about=cmd.text[:ABOUT_MAX],
        )
    rules = rules_for(case.profile)
    lines, context = _stage_lines(rules, case.plan, esc, ctx)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: concern raised", reference=case.reference),
            (verbatim(f"“{cmd.text[:ABOUT_MAX]}”"), *lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out


def escalate(ctx: Context, cmd: Escalate) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        esc = _open(s, case, "concern")
        assert esc.id is not None
        esc = repo.advance_escalation(s, case.reference, esc.id, actor=ctx.actor.audit_id, now=ctx.now)
    rules = rules_for(case.profile)
    lines, context = _stage_lines(rules, case.plan, esc, ctx)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: concern escalated to stage {stage}", reference=case.reference, stage=esc.stage),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out


def resolve(ctx: Context, cmd: Resolve) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        esc = _open(s, case, "concern")
        assert esc.id is not None
        repo.resolve_escalation(s, case.reference, esc.id, actor=ctx.actor.audit_id, now=ctx.now)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: concern resolved at stage {stage}", reference=case.reference, stage=esc.stage),
            (_("Record the outcome in the next core group's minutes."),),
        ),
        "channel",
    )
    return out


def resolution_request(ctx: Context, cmd: ResolutionRequest) -> Outcome:
    ex = EXAMPLES["resolution"]
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
    rules = rules_for(case.profile)
    if "resolution_tier1_meeting" not in rules.profile.rules:
        raise CommandError(
            _(
                "The resolution request (Appendix 3) is part of Cwm Taf Morgannwg's process; "
                "{reference} follows {council}. Raise a concern instead.",
                reference=case.reference,
                council=rules.profile.title,
            ),
            EXAMPLES["concern"],
        )
    if cmd.reason is None and cmd.requested is None:
        return Outcome(form=resolution_form(case.reference, ctx.today), reference=case.reference)
    on = cmd.requested or ctx.today
    if on > ctx.today:
        raise CommandError(_("{day} is still to come: give the date of the request.", day=long_day(on)), ex)
    if on < case.start:
        raise CommandError(
            _(
                "{day} is before {reference} started ({start}).",
                day=long_day(on),
                reference=case.reference,
                start=long_day(case.start),
            ),
            ex,
        )
    with ctx.write() as s:
        repo.request_resolution(s, case.reference, actor=ctx.actor.audit_id, now=ctx.now, on=on)
        rules, obs = case_obligations(s, case, ctx.today)
    tier1 = next((o for o in obs if o.rule == "resolution_tier1_meeting" and o.status != "met"), None)
    lines = [_("Requested {day} (Appendix 3).", day=long_day(on))]
    context = []
    if tier1 is not None:
        lines.append(
            _(
                "{rule} by **{when}** — book it with `{example}`.",
                rule=rule_title(tier1.rule),
                when=when(tier1.due, ctx.today, rules.calendar),
                example=EXAMPLES["tier1"],
            )
        )
        context.append(rule_context(tier1.rule, rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: resolution process requested", reference=case.reference),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out
