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
from handlers.parse import EXAMPLES, SLASH, CommandError, RiskReduced
from handlers.replies import Message, Outcome
from scheduling.wording import long_date
from storage import repository as repo

RULE = "resolution_tier2_trigger"


def risk_reduced(ctx: Context, cmd: RiskReduced) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        rules = rules_for(case.profile)
        if RULE not in rules.profile.rules:
            raise CommandError(
                f"Significant risk reduction is the step before Tier 2 in Cwm Taf Morgannwg's "
                f"resolution process; {case.reference} follows {rules.profile.title}, which has "
                "no Tier 2. Nothing has changed.",
                f"{EXAMPLES['concern']} (to raise a concern instead)",
            )
        tier1 = [m for m in repo.meetings(s, case.reference, status="held") if m.kind == "resolution_tier1"]
        if not tier1:
            raise CommandError(
                f"{case.reference} has no Tier 1 meeting on the record, and risk reduction is "
                "decided after it. Record the Tier 1 meeting first.",
                EXAMPLES["tier1"],
            )
        if case.significant_risk_reduction == cmd.reduced:
            out = Outcome()
            out.say(
                Message(
                    f"{case.reference}: significant risk reduction is already "
                    f"{'recorded' if cmd.reduced else 'not recorded'}; nothing has changed."
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
        preview = f"{case.reference}: significant risk reduction recorded — no Tier 2"
        lines = [
            f"After the Tier 1 meeting on {long_date(last)} the core group found the risk "
            "significantly reduced, so no Tier 2 meeting is due.",
            f"Recorded by {mention(me)}. Made in error? `{SLASH} risk not reduced`.",
        ]
    else:
        preview = f"{case.reference}: significant risk reduction withdrawn — Tier 2 steps apply"
        lines = [f"Recorded by {mention(me)}."]
        for o in obs:
            if o.rule.startswith("resolution_tier2") and o.status != "met":
                lines.append(f"{rule_title(o.rule)} by {when(o.due, ctx.today, rules.calendar)}.")
                if o.rule != RULE:
                    context.append(rule_context(o.rule, rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(Message(preview, tuple(lines), context=tuple(context)), "channel")
    return out
