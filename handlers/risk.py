"""`risk reduced`: Cwm Taf Morgannwg's step between Tier 1 and Tier 2 (§5, docs/rules.md).

Twelve weeks after a Tier 1 meeting the case goes to Tier 2 unless the core group finds that the
risk has been significantly reduced. Recording that finding stops the Tier 2 trigger and meeting
(the engine's `resolution_tier2_*` rules read `significant_risk_reduction`); `risk not reduced`
undoes a finding recorded by mistake. Profiles without the resolution process get a refusal that
names the profile the case follows.
"""

from __future__ import annotations

from handlers.common import (
    Context,
    case_obligations,
    london_date,
    member_of,
    mention,
    resolve_case,
    rule_context,
    rule_title,
    rules_for,
    when,
)
from handlers.i18n import _, long_day
from handlers.parse import EXAMPLES, SLASH, CommandError, RiskReduced
from handlers.replies import Message, Outcome
from storage import repository as repo

RULE = "resolution_tier2_trigger"


def risk_reduced(ctx: Context, cmd: RiskReduced) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        rules = rules_for(case.profile)
        if RULE not in rules.profile.rules:
            raise CommandError(
                _(
                    "Significant risk reduction is the step before Tier 2 in Cwm Taf Morgannwg's "
                    "resolution process; {reference} follows {council}, which has no Tier 2. Nothing "
                    "has changed.",
                    reference=case.reference,
                    council=rules.profile.title,
                ),
                f"{EXAMPLES['concern']} (to raise a concern instead)",
            )
        tier1 = [m for m in repo.meetings(s, case.reference, status="held") if m.kind == "resolution_tier1"]
        if not tier1:
            raise CommandError(
                _(
                    "{reference} has no Tier 1 meeting on the record, and risk reduction is decided "
                    "after it. Record the Tier 1 meeting first.",
                    reference=case.reference,
                ),
                EXAMPLES["tier1"],
            )
        if case.significant_risk_reduction == cmd.reduced:
            out = Outcome()
            out.say(
                Message(
                    _(
                        "{reference}: significant risk reduction is already recorded; nothing has changed.",
                        reference=case.reference,
                    )
                    if cmd.reduced
                    else _(
                        "{reference}: significant risk reduction is already not recorded; "
                        "nothing has changed.",
                        reference=case.reference,
                    )
                )
            )
            return out
        repo.set_significant_risk_reduction(
            s, case.reference, cmd.reduced, actor=ctx.actor.audit_id, now=ctx.now
        )
        rules, obs = case_obligations(s, case, ctx.today)
    last = max(london_date(m.starts_at) for m in tier1)
    context = [rule_context(RULE, rules, case.plan)]
    if cmd.reduced:
        preview = _("{reference}: significant risk reduction recorded — no Tier 2", reference=case.reference)
        lines = [
            _(
                "After the Tier 1 meeting on {day} the core group found the risk significantly reduced, "
                "so no Tier 2 meeting is due.",
                day=long_day(last),
            ),
            _(
                "Recorded by {who}. Made in error? `{command}`.",
                who=mention(me),
                command=SLASH + " risk not reduced",
            ),
        ]
    else:
        preview = _(
            "{reference}: significant risk reduction withdrawn — Tier 2 steps apply", reference=case.reference
        )
        lines = [_("Recorded by {who}.", who=mention(me))]
        for o in obs:
            if o.rule.startswith("resolution_tier2") and o.status != "met":
                lines.append(
                    _(
                        "{rule} by {when}.",
                        rule=rule_title(o.rule),
                        when=when(o.due, ctx.today, rules.calendar),
                    )
                )
                if o.rule != RULE:
                    context.append(rule_context(o.rule, rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(Message(preview, tuple(lines), context=tuple(context)), "channel")
    return out
