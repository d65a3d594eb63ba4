"""The case summary pinned in the core group's channel, kept up to date.

Posted and pinned when the channel is created (`new`), then edited in place after every change
to the case (`handlers.dispatch` adds a `RefreshSummary` effect carrying this finished message to
each successful change; `bot.chat.deliver` asks `pinned_summary` where it is pinned and calls the
port's `update_message`, and after pinning a new one calls `remember_pin`). One message that is
always right beats a trail of posts to scroll through. The adapter never reads or writes the
record itself: these small functions do it for it.

It shows what the channel needs at a glance: the next meeting, the nearest deadlines (each rule
and source in the small print), the written reports still awaited for the next meeting, open
plan actions and who is away. Dates are written out in full and never relative ("in 3 working
days"), because the pinned message is only edited when the record changes and a relative date
would go stale overnight; the last line says when it was brought up to date.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.common import (
    Context,
    case_obligations,
    london_date,
    london_time,
    meeting_place,
    mention,
    rule_context,
    rule_title,
)
from handlers.replies import Message
from scheduling.case import CORE_GROUP_KINDS
from scheduling.wording import long_date, meeting_label
from storage import repository as repo
from storage.errors import StorageError
from storage.models import CoreGroup

#: How many deadlines the summary lists (the rest are one `status` away).
SUMMARY_DEADLINES = 4
#: How many open actions it names.
SUMMARY_ACTIONS = 3


def case_summary(s: Session, case: CoreGroup, ctx: Context, *, title: str = "core group summary") -> Message:
    """The pinned summary of `case` as the record stands (read inside the caller's session).

    `title` starts the preview line: "core group set up" when it is first pinned."""
    from handlers.answers import progress, without_reports_in

    rules, obs = case_obligations(s, case, ctx.today)
    people = {m.id: m for m in repo.members(s, case.reference, include_left=True)}
    current = repo.members(s, case.reference, on=ctx.today)
    lines = [
        f"Follows **{rules.profile.title}** ({rules.profile.nation.replace('-', ' ').title()}), "
        f"{case.plan} plan, started {long_date(case.start)}.",
    ]
    if case.status == "closed":
        lines.append("**Closed**: no more reminders; the record is kept for the retention period.")
        return Message(
            f"{case.reference}: closed",
            tuple(lines),
            context=(f"Updated {long_date(ctx.today)} {london_time(ctx.now)}",),
        )

    nxt = repo.next_meeting(s, case.reference, now=ctx.now)
    if nxt is not None:
        place = meeting_place(nxt.venue, nxt.online)
        where = f", {place}" if place else ""
        lines.append(
            f"**Next meeting**: {meeting_label(nxt.kind)} on "
            f"{long_date(london_date(nxt.starts_at))} at "
            f"{london_time(nxt.starts_at)}{where}"
        )
    else:
        lines.append("**Next meeting**: none booked")

    pending = [o for o in without_reports_in(s, case, obs, ctx.today) if o.status != "met"]
    shown = pending[:SUMMARY_DEADLINES]
    for o in shown:
        flag = "**Overdue**: " if o.status == "overdue" else ""
        lines.append(f"{flag}**{rule_title(o.rule)}** by {long_date(o.due)}")
    if len(pending) > len(shown):
        lines.append(f"…and {len(pending) - len(shown)} more in `/coregroup status`.")

    if nxt is not None and nxt.id is not None and nxt.kind in CORE_GROUP_KINDS:
        counts = progress(s, case, nxt, ctx.today, email=ctx.config.email)
        awaited = [people[i] for i in counts.awaited if i in people]
        text = (
            f"**Written reports**: {counts.reports_in} of {counts.reports_expected} in for "
            f"{long_date(london_date(nxt.starts_at))}"
        )
        if awaited:
            text += "; awaited from " + ", ".join(mention(m) for m in awaited)
        lines.append(text)

    numbered = sorted(repo.actions(s, case.reference), key=lambda a: a.id or 0)
    open_actions = [(i, a) for i, a in enumerate(numbered, start=1) if a.status == "open"]
    if open_actions:
        lines.append(f"**Open plan actions**: {len(open_actions)}")
        for i, a in open_actions[:SUMMARY_ACTIONS]:
            owner = people.get(a.owner_member_id) if a.owner_member_id else None
            bits = [f"no. {i} {a.text[:60]}"]
            if owner is not None:
                bits.append(mention(owner))
            if a.due_on:
                late = " (**past due**)" if a.due_on < ctx.today else ""
                bits.append(f"due {long_date(a.due_on)}{late}")
            lines.append(" — ".join(bits))

    for m in current:
        if m.away_on(ctx.today) or (m.away_from is not None and m.away_from > ctx.today):
            until = f" until {long_date(m.away_until)}" if m.away_until else ""
            start = "" if m.away_on(ctx.today) else f" from {long_date(m.away_from)}"  # type: ignore[arg-type]
            cover = people.get(m.cover_member_id) if m.cover_member_id else None
            by = f"; {mention(cover)} covers" if cover is not None else ""
            lines.append(f"Away: {mention(m)}{start}{until}{by}")
    if case.digest:
        lines.append("Reminders here come as one morning digest (`/coregroup digest off`).")

    first = pending[0] if pending else None
    preview = f"{case.reference}: {title}"
    if first is not None:
        preview += f"; {rule_title(first.rule).lower()} due by {long_date(first.due)}"
    context = [rule_context(o.rule, rules, case.plan, interpretation=o.interpretation) for o in shown]
    context.append(f"Kept up to date by the bot · updated {long_date(ctx.today)} {london_time(ctx.now)}")
    return Message(preview, tuple(lines), context=tuple(context))


def summary_message(ctx: Context, reference: str) -> Message | None:
    """The finished summary of the case as saved now (None: no such case)."""
    with ctx.read() as s:
        try:
            case = repo.get_case(s, reference)
        except StorageError:
            return None
        return case_summary(s, case, ctx)


def pinned_summary(ctx: Context, reference: str, kind: str) -> tuple[str, str] | None:
    """Where the case's summary is pinned on that channel kind: (channel, message id), or None
    when it has no channel or no pinned summary there (nothing to edit)."""
    with ctx.read() as s:
        try:
            channel = repo.channel_of(s, reference, kind)
            message_id = repo.summary_message_id(s, reference, kind)
        except StorageError:
            return None
    if not channel or not message_id:
        return None
    return channel, message_id


def remember_pin(ctx: Context, reference: str, kind: str, message_id: str) -> None:
    """Remember the message the adapter pinned as the case's summary, so later changes edit it."""
    with ctx.store.transaction() as s:
        repo.set_summary_message_id(s, reference, kind, message_id, actor=ctx.actor.audit_id, now=ctx.now)
