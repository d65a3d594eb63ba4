"""App Home: the person's core groups, newest first, each with *their own* next obligations.

Reports they owe, actions they own, visits that fall to them: what they can act on, not the whole
case (that is `/coregroup status`, one button away).
"""

from __future__ import annotations

from dataclasses import replace

from handlers.common import (
    Actor,
    Context,
    case_obligations,
    london_date,
    london_time,
    rule_context,
    rule_title,
    when,
)
from handlers.i18n import _, verbatim
from handlers.replies import Button, Message, RefreshHome
from handlers.words import meeting_label
from scheduling.catalogue import ANYONE_RULES, LEAD_RULES
from storage import repository as repo
from storage.errors import NotAMember
from storage.models import LEAD_SOCIAL_WORKER

#: App Home holds 100 blocks; a case takes up to 4.
HOME_CASES = 20


def home(ctx: Context) -> list[Message]:
    """One message per case the person is a member of, newest first (empty: none)."""
    out: list[Message] = []
    with ctx.read() as s:
        cases = repo.cases_for_address(s, ctx.actor.kind, ctx.actor.user_id)
        cases.sort(key=lambda c: (c.created_at, c.id or 0), reverse=True)
        for case in cases[:HOME_CASES]:
            try:
                me = repo.member_by_address(
                    s, case.reference, ctx.actor.kind, ctx.actor.user_id, on=ctx.today
                )
            except NotAMember:
                continue
            rules, obs = case_obligations(s, case, ctx.today)
            nxt = repo.next_meeting(s, case.reference, now=ctx.now)
            lines: list[str] = []
            context: list[str] = []
            if nxt is not None and nxt.id is not None:
                mine = [
                    r for r in repo.outstanding_reports(s, case.reference, nxt.id) if r.member_id == me.id
                ]
                if mine:
                    due = london_date(mine[0].due_at) if mine[0].due_at else london_date(nxt.starts_at)
                    lines.append(
                        _(
                            "Your written report for the {meeting}: due by **{when}**",
                            meeting=meeting_label(nxt.kind),
                            when=when(due, ctx.today, rules.calendar),
                        )
                    )
            numbered = sorted(repo.actions(s, case.reference), key=lambda a: a.id or 0)
            for i, a in enumerate(numbered, start=1):
                if a.status == "open" and a.owner_member_id == me.id:
                    if a.due_on:
                        lines.append(
                            _(
                                "Action {number}: {text} — due {when}",
                                number=i,
                                text=a.text[:80],
                                when=when(a.due_on, ctx.today, rules.calendar),
                            )
                        )
                    else:
                        lines.append(_("Action {number}: {text}", number=i, text=a.text[:80]))
            wanted = LEAD_RULES if me.role == LEAD_SOCIAL_WORKER else ANYONE_RULES
            for o in obs:
                if o.rule in wanted and o.status != "met":
                    values = {"rule": rule_title(o.rule), "when": when(o.due, ctx.today, rules.calendar)}
                    lines.append(
                        _("**Overdue**: {rule} by {when}", **values)
                        if o.status == "overdue"
                        else _("{rule} by {when}", **values)
                    )
                    context.append(rule_context(o.rule, rules, case.plan, interpretation=o.interpretation))
            head = verbatim(case.reference)
            if nxt is not None:
                head = _(
                    "{reference} — next {meeting} {when} at {time}",
                    reference=case.reference,
                    meeting=meeting_label(nxt.kind),
                    when=when(london_date(nxt.starts_at), ctx.today, rules.calendar),
                    time=london_time(nxt.starts_at),
                )
            out.append(
                Message(
                    head,
                    tuple(lines[:6]) or (_("Nothing due from you."),),
                    (Button(_("Status"), "cg.run", f"status case:{case.reference}"),),
                    tuple(context[:3]),
                )
            )
    return out


def refresh_home(ctx: Context, users: tuple[str, ...]) -> list[RefreshHome]:
    """Each person's App Home page, finished, for the adapter to publish (each page is built as
    that person sees it: their own reports, actions and deadlines)."""
    return [RefreshHome(user, tuple(home(_as(ctx, user)))) for user in users]


def _as(ctx: Context, user: str) -> Context:
    return replace(ctx, actor=Actor(user, ctx.actor.channel, ctx.actor.origin), request_key=None)
