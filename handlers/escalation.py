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
from handlers.parse import (
    EXAMPLES,
    CommandError,
    Escalate,
    RaiseConcern,
    ResolutionRequest,
    Resolve,
)
from handlers.replies import Message, Outcome
from scheduling.engine import after
from scheduling.wording import long_date
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
                f"Stage {esc.stage}. {rules.profile.title}'s guidance sets no stage timescale; "
                "agree one in the core group."
            ],
            [],
        )
    stages = spec.stages
    name = stages[esc.stage - 1] if esc.stage <= len(stages) else "final stage"
    lines = [f"Stage {esc.stage}: **{name}**."]
    if spec.record_only or spec.period is None:
        lines.append(
            f"{rules.profile.title} follows {', '.join(stages) or 'its protocol'}; no stage timescale is set."
        )
    else:
        due = after(rules.calendar, london_date(esc.stage_started_at), spec.period)
        nxt = stages[esc.stage] if esc.stage < len(stages) else None
        tail = f", or it moves to {nxt}" if nxt else ""
        lines.append(f"To be resolved by **{when(due, ctx.today, rules.calendar)}**{tail}.")
    return lines, [rule_context("escalation_stage", rules, plan)]


def _open(s: Session, case: CoreGroup, example: str) -> Escalation:
    open_ = repo.escalations(s, case.reference, open_only=True)
    if not open_:
        raise CommandError(
            f"{case.reference} has no open concern.", EXAMPLES["concern"] if example == "concern" else example
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
            f"{case.reference}: concern raised", (f"“{cmd.text[:ABOUT_MAX]}”", *lines), context=tuple(context)
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
            f"{case.reference}: concern escalated to stage {esc.stage}", tuple(lines), context=tuple(context)
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
            f"{case.reference}: concern resolved at stage {esc.stage}",
            ("Record the outcome in the next core group's minutes.",),
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
            f"The resolution request (Appendix 3) is part of Cwm Taf Morgannwg's process; "
            f"{case.reference} follows {rules.profile.title}. Raise a concern instead.",
            EXAMPLES["concern"],
        )
    if cmd.reason is None and cmd.requested is None:
        return Outcome(form=resolution_form(case.reference, ctx.today), reference=case.reference)
    on = cmd.requested or ctx.today
    if on > ctx.today:
        raise CommandError(f"{long_date(on)} is still to come: give the date of the request.", ex)
    if on < case.start:
        raise CommandError(
            f"{long_date(on)} is before {case.reference} started ({long_date(case.start)}).", ex
        )
    with ctx.write() as s:
        repo.request_resolution(s, case.reference, actor=ctx.actor.audit_id, now=ctx.now, on=on)
        rules, obs = case_obligations(s, case, ctx.today)
    tier1 = next((o for o in obs if o.rule == "resolution_tier1_meeting" and o.status != "met"), None)
    lines = [f"Requested {long_date(on)} (Appendix 3)."]
    context = []
    if tier1 is not None:
        lines.append(
            f"{rule_title(tier1.rule)} by **{when(tier1.due, ctx.today, rules.calendar)}**"
            f" — book it with `{EXAMPLES['tier1']}`."
        )
        context.append(rule_context(tier1.rule, rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(
        Message(f"{case.reference}: resolution process requested", tuple(lines), context=tuple(context)),
        "channel",
    )
    return out
