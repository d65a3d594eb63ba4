"""`visit`: a visit to the child, by the lead social worker or another professional.

Suffolk counts both (§8.1 every 15 working days for the lead social worker, §8.3 every 10 for any
professional); Newham asks that the child is seen alone (§1.2). The reply says when the next visit
is due under the case's profile.
"""

from __future__ import annotations

from handlers.common import (
    Context,
    case_obligations,
    member_of,
    mention,
    not_before_start,
    resolve_case,
    rule_context,
    rule_title,
    when,
)
from handlers.forms import visit_form
from handlers.i18n import _, long_day
from handlers.parse import EXAMPLES, CommandError, RecordVisit
from handlers.replies import Message, Outcome
from handlers.replies import mention as user_mention
from scheduling.catalogue import VISIT_RULES
from storage import repository as repo
from storage.errors import NotAMember
from storage.models import LEAD_SOCIAL_WORKER


def record_visit(ctx: Context, cmd: RecordVisit) -> Outcome:
    ex = EXAMPLES["visit"]
    if cmd.ask:
        with ctx.read() as s:
            case = resolve_case(s, ctx, cmd.case)
            member_of(s, ctx, case)
        return Outcome(form=visit_form(case.reference, ctx.today), reference=case.reference)
    day = cmd.day or ctx.today
    if day > ctx.today:
        raise CommandError(
            _("{day} is still to come: record a visit once it has happened.", day=long_day(day)), ex
        )
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        not_before_start(day, case, ex, _("a visit"))
        visitor = me
        if cmd.by and cmd.by != ctx.actor.user_id:
            try:
                visitor = repo.member_by_address(s, case.reference, ctx.actor.kind, cmd.by, on=ctx.today)
            except NotAMember:
                raise CommandError(
                    _(
                        "{who} isn't a member of {reference}'s core group.",
                        who=user_mention(cmd.by),
                        reference=case.reference,
                    ),
                    f"{ex} by @someone",
                ) from None
        if visitor.kind != "professional":
            raise CommandError(_("Visits are recorded for professionals in the core group."), ex)
        by = "lead_social_worker" if visitor.role == LEAD_SOCIAL_WORKER else "professional"
        repo.record_visit(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            on=day,
            by=by,
            member_id=visitor.id,
            seen_alone=cmd.seen_alone,
        )
        rules, obs = case_obligations(s, case, ctx.today)
    who = _("the lead social worker") if by == "lead_social_worker" else mention(visitor)
    lines = [
        _("By {who}; child seen alone.", who=who)
        if cmd.seen_alone
        else _("By {who}; child not seen alone.", who=who)
    ]
    context = []
    for o in obs:
        if o.rule in VISIT_RULES and o.status != "met":
            lines.append(
                _(
                    "{rule}: next by {when}",
                    rule=rule_title(o.rule),
                    when=when(o.due, ctx.today, rules.calendar),
                )
            )
            context.append(rule_context(o.rule, rules, case.plan, interpretation=o.interpretation))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: visit on {day} recorded", reference=case.reference, day=long_day(day)),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out
