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

from datetime import date
from typing import Final

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
from handlers.i18n import N_, _, long_day, ngettext, verbatim
from handlers.replies import Message
from handlers.words import meeting_label, nation_name
from scheduling.case import CORE_GROUP_KINDS
from storage import repository as repo
from storage.errors import StorageError
from storage.models import CoreGroup, Member

#: How many deadlines the summary lists (the rest are one `status` away).
SUMMARY_DEADLINES = 4
#: How many open actions it names.
SUMMARY_ACTIONS = 3


def case_summary(s: Session, case: CoreGroup, ctx: Context, *, title: str | None = None) -> Message:
    """The pinned summary of `case` as the record stands (read inside the caller's session).

    `title` starts the preview line: "core group set up" when it is first pinned."""
    from handlers.answers import progress, without_reports_in

    title = title or _("core group summary")
    rules, obs = case_obligations(s, case, ctx.today)
    everyone = repo.members(s, case.reference, include_left=True)
    people = {m.id: m for m in everyone}
    current = [m for m in everyone if m.active_on(ctx.today)]  # as `members(on=today)` gives
    lines = [
        _(
            "Follows **{profile}** ({nation}), {plan} plan, started {day}.",
            profile=rules.profile.title,
            nation=nation_name(rules.profile.nation),
            plan=case.plan,
            day=long_day(case.start),
        ),
    ]
    if case.status == "closed":
        lines.append(_("**Closed**: no more reminders; the record is kept for the retention period."))
        return Message(
            _("{reference}: closed", reference=case.reference),
            tuple(lines),
            context=(_("Updated {day} {time}", day=long_day(ctx.today), time=london_time(ctx.now)),),
        )

    nxt = repo.next_meeting(s, case.reference, now=ctx.now)
    if nxt is not None:
        place = meeting_place(nxt.venue, nxt.online)
        values = {
            "meeting": meeting_label(nxt.kind),
            "day": long_day(london_date(nxt.starts_at)),
            "time": london_time(nxt.starts_at),
        }
        lines.append(
            _("**Next meeting**: {meeting} on {day} at {time}, {place}", place=place, **values)
            if place
            else _("**Next meeting**: {meeting} on {day} at {time}", **values)
        )
    else:
        lines.append(_("**Next meeting**: none booked"))

    pending = [o for o in without_reports_in(s, case, obs, ctx.today) if o.status != "met"]
    shown = pending[:SUMMARY_DEADLINES]
    for o in shown:
        if o.status == "overdue":
            lines.append(_("**Overdue**: **{rule}** by {day}", rule=rule_title(o.rule), day=long_day(o.due)))
        else:
            lines.append(_("**{rule}** by {day}", rule=rule_title(o.rule), day=long_day(o.due)))
    if len(pending) > len(shown):
        lines.append(
            ngettext(
                "…and {n} more in `/coregroup status`.",
                "…and {n} more in `/coregroup status`.",
                len(pending) - len(shown),
            )
        )

    if nxt is not None and nxt.id is not None and nxt.kind in CORE_GROUP_KINDS:
        counts = progress(s, case, nxt, ctx.today, email=ctx.config.email)
        awaited = [people[i] for i in counts.awaited if i in people]
        counted: dict[str, object] = {
            "got": counts.reports_in,
            "expected": counts.reports_expected,
            "day": long_day(london_date(nxt.starts_at)),
        }
        if awaited:
            text = _(
                "**Written reports**: {got} of {expected} in for {day}; awaited from {who}",
                who=", ".join(mention(m) for m in awaited),
                **counted,
            )
        else:
            text = _("**Written reports**: {got} of {expected} in for {day}", **counted)
        lines.append(text)

    open_count, open_actions = repo.open_actions_numbered(s, case.reference, limit=SUMMARY_ACTIONS)
    if open_count:
        lines.append(_("**Open plan actions**: {n}", n=open_count))
        for i, a in open_actions:
            owner = people.get(a.owner_member_id) if a.owner_member_id else None
            lines.append(_action_line(i, a.text[:60], owner, a.due_on, ctx.today))

    for m in current:
        if m.away_on(ctx.today) or (m.away_from is not None and m.away_from > ctx.today):
            cover = people.get(m.cover_member_id) if m.cover_member_id else None
            lines.append(_away_line(m, cover, None if m.away_on(ctx.today) else m.away_from))
    if case.digest:
        lines.append(_("Reminders here come as one morning digest (`/coregroup digest off`)."))

    first = pending[0] if pending else None
    if first is not None:
        preview = _(
            "{reference}: {title}; {rule:lower} due by {day}",
            reference=case.reference,
            title=title,
            rule=rule_title(first.rule),
            day=long_day(first.due),
        )
    else:
        preview = _("{reference}: {title}", reference=case.reference, title=title)
    context = [rule_context(o.rule, rules, case.plan, interpretation=o.interpretation) for o in shown]
    context.append(
        _(
            "Kept up to date by the bot · updated {day} {time}",
            day=long_day(ctx.today),
            time=london_time(ctx.now),
        )
    )
    return Message(preview, tuple(lines), context=tuple(context))


def _action_line(number: int, text: str, owner: Member | None, due: date | None, today: date) -> str:
    """An open plan action: its number and words, its owner and due date where it has them."""
    values: dict[str, object] = {"number": number, "text": verbatim(text)}
    if owner is not None:
        values["who"] = mention(owner)
    if due is not None:
        values["day"] = long_day(due)
    state = None if due is None else ("late" if due < today else "due")
    return _(_ACTIONS[(owner is not None, state)], **values)


#: (has an owner, None / "due" / "late") → the sentence.
_ACTIONS: Final[dict[tuple[bool, str | None], str]] = {
    (False, None): N_("no. {number} {text}"),
    (True, None): N_("no. {number} {text} — {who}"),
    (False, "due"): N_("no. {number} {text} — due {day}"),
    (False, "late"): N_("no. {number} {text} — due {day} (**past due**)"),
    (True, "due"): N_("no. {number} {text} — {who} — due {day}"),
    (True, "late"): N_("no. {number} {text} — {who} — due {day} (**past due**)"),
}


def _away_line(m: Member, cover: Member | None, start: date | None) -> str:
    """Who is away, from when (None: already away), until when and who covers: one whole
    sentence for each combination, so a translator can order it as Welsh needs."""
    values: dict[str, object] = {"who": mention(m)}
    if cover is not None:
        values["cover"] = mention(cover)
    if m.away_until is not None:
        values["until"] = long_day(m.away_until)
    if start is not None:
        values["start"] = long_day(start)
    key = (start is not None, m.away_until is not None, cover is not None)
    return _(_AWAY[key], **values)


#: (from a date, until a date, covered) → the sentence.
_AWAY: Final[dict[tuple[bool, bool, bool], str]] = {
    (False, False, False): N_("Away: {who}"),
    (False, False, True): N_("Away: {who}; {cover} covers"),
    (False, True, False): N_("Away: {who} until {until}"),
    (False, True, True): N_("Away: {who} until {until}; {cover} covers"),
    (True, False, False): N_("Away: {who} from {start}"),
    (True, False, True): N_("Away: {who} from {start}; {cover} covers"),
    (True, True, False): N_("Away: {who} from {start} until {until}"),
    (True, True, True): N_("Away: {who} from {start} until {until}; {cover} covers"),
}


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
