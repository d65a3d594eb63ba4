"""Noise and absence: `away`, `back` and `digest`.

A member on leave marks themselves away (dates) so their reminders go to someone who can act:
the colleague they name to cover (a member of the same core group) or else their line manager
(`manager:@someone`, kept on their member record). The reminder sweep reads the same record
(`Member.away_from/away_until/cover_member_id`, `storage.repository.cover_for`).

Typed in a core group's channel (or with a case reference) `away` applies to that case; typed in
a direct message it applies to every core group the person is in, in one transaction, because a
person on leave is away from all of them.

`digest on` gathers the channel's reminders into one message a morning (issue 5, "Noise").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from handlers.common import (
    Context,
    Refusal,
    chat_id,
    may_use_powers,
    member_of,
    mention,
    people_place,
    resolve_case,
)
from handlers.parse import EXAMPLES, SLASH, Away, Back, CommandError, Digest
from handlers.replies import Message, Outcome, RefreshSummary
from handlers.replies import mention as user_mention
from scheduling.wording import long_date
from storage import repository as repo
from storage.errors import NotAMember, UnknownChannel
from storage.models import CoreGroup, Member


@dataclass(frozen=True, slots=True)
class _Mine:
    case: CoreGroup
    me: Member


def _my_cases(s: Session, ctx: Context, explicit: str | None) -> list[_Mine]:
    """The case in question, or (in a direct message) every core group the caller is in."""
    explicit_or_channel = explicit is not None
    if not explicit_or_channel and ctx.channel_id:
        try:
            repo.case_by_channel(s, ctx.channel_id)
            explicit_or_channel = True
        except UnknownChannel:  # not a case's channel: every core group the caller is in
            pass
    if explicit_or_channel:
        case = resolve_case(s, ctx, explicit)
        return [_Mine(case, member_of(s, ctx, case))]
    out = []
    for case in repo.cases_for_address(s, ctx.actor.kind, ctx.actor.user_id):
        try:
            me = repo.member_by_address(s, case.reference, ctx.actor.kind, ctx.actor.user_id, on=ctx.today)
        except NotAMember:
            continue
        out.append(_Mine(case, me))
    if not out:
        raise CommandError(
            "You aren't in any core group, so there is nothing to mark.",
            f"{SLASH} CG-0001 away 2027-02-01 until 2027-02-12",
        )
    return out


def _cover(s: Session, reference: str, ctx: Context, who: str) -> Member:
    """The covering member by their address on the actor's channel, or (someone outside it, such
    as a GP covering a GP) by their email: bot/delivery.py then reaches them by email."""
    try:
        return repo.member_by_address(s, reference, ctx.actor.kind, who, on=ctx.today)
    except NotAMember:
        if "@" in who:
            for m in repo.members(s, reference, on=ctx.today):
                if m.email and m.email.lower() == who.lower():
                    return m
        raise


def _span(cmd: Away) -> str:
    text = f"from {long_date(cmd.start)}" if cmd.start else "from today"
    return text + (f" until {long_date(cmd.until)}" if cmd.until else " until `back`")


def away(ctx: Context, cmd: Away) -> Outcome:
    ex = EXAMPLES["away"]
    start = cmd.start or ctx.today
    if cmd.until is not None and cmd.until < ctx.today:
        raise CommandError(f"{long_date(cmd.until)} has passed, so that absence is already over.", ex)
    if cmd.until is not None and cmd.until < start:
        raise CommandError(f"`until {cmd.until}` is before the first day away ({start}).", ex)
    if cmd.cover is not None and cmd.cover == ctx.actor.user_id:
        raise CommandError("You can't cover for yourself: name a colleague in the core group.", ex)
    manager = None
    if cmd.manager is not None:
        if cmd.manager == ctx.actor.user_id:
            raise CommandError("Name your line manager, not yourself.", ex)
        manager = ctx.directory.person(cmd.manager) if ctx.directory else None
        if ctx.directory is not None and manager is None:
            raise CommandError(
                f"I can't find {user_mention(cmd.manager)} in this {people_place(ctx)}. "
                "Pick them from the list as you type @.",
                ex,
            )
    lines: list[str] = []
    heard: list[str] = []
    with ctx.write() as s:
        mine = _my_cases(s, ctx, cmd.case)
        for m in mine:
            assert m.me.id is not None
            cover_id = None
            if cmd.cover is not None:
                try:
                    cover = _cover(s, m.case.reference, ctx, cmd.cover)
                except NotAMember:
                    who = cmd.cover if "@" in cmd.cover else user_mention(cmd.cover)
                    raise CommandError(
                        f"{who} isn't in {m.case.reference}'s core group, so they can't "
                        "cover there. Name a member, or leave `cover:` out and your line manager "
                        "hears instead.",
                        f"{SLASH} {m.case.reference} members (to see who is)",
                    ) from None
                cover_id = cover.id
            if cmd.manager is not None:
                _check_line_manager(s, ctx, m, cmd.manager)
                changes: dict[str, str | None] = {}
                if manager is not None:
                    changes["line_manager_name"] = manager.name
                    changes["line_manager_email"] = manager.email
                repo.update_member(
                    s,
                    m.case.reference,
                    m.me.id,
                    actor=ctx.actor.audit_id,
                    now=ctx.now,
                    changes=changes,
                    line_manager_addresses={ctx.actor.kind: cmd.manager},
                )
            me = repo.set_away(
                s,
                m.case.reference,
                m.me.id,
                actor=ctx.actor.audit_id,
                now=ctx.now,
                away_from=start,
                away_until=cmd.until,
                cover_member_id=cover_id,
            )
            lines.append(f"{m.case.reference}: your reminders go to {_who_hears(s, me)}.")
            heard.append(f"Their reminders go to {_who_hears(s, me, theirs=True)}.")
    refs = [m.case.reference for m in mine]
    span = _span(cmd)
    out = Outcome(reference=refs[0] if len(refs) == 1 else None)
    out.say(
        Message(
            f"{', '.join(refs)}: you're marked away {span}",
            (
                *lines,
                f"When you're back early, say `{SLASH} back`.",
            ),
        )
    )
    if len(refs) == 1:
        out.say(Message(f"{refs[0]}: {mention(mine[0].me)} is away {span}", (heard[0],)), "channel")
    else:
        out.effects.extend(RefreshSummary(r) for r in refs)
    return out


def _check_line_manager(s: Session, ctx: Context, m: _Mine, manager: str) -> None:
    """A line manager hears the case's reminders, so they must be in its core group, unless the
    person naming them holds the case's powers (the lead social worker, a case manager): any
    member must not be able to route a child's case to anyone in the workspace."""
    if may_use_powers(ctx, m.me):
        return
    try:
        repo.member_by_address(s, m.case.reference, ctx.actor.kind, manager, on=ctx.today)
    except NotAMember:
        raise Refusal(
            Message(
                f"{user_mention(manager)} isn't in {m.case.reference}'s core group, so I can't send its "
                "reminders to them.",
                (
                    "Nothing has changed. Ask the lead social worker to add your line manager to the "
                    "core group first, or leave `manager:` out.",
                ),
            )
        ) from None


def _who_hears(s: Session, me: Member, *, theirs: bool = False) -> str:
    """Who gets the absent member's reminders, as `bot.delivery` routes them: the cover, else
    the line manager (by chat id), else the case's channel."""
    whose = "their" if theirs else "your"
    if me.cover_member_id is not None:
        cover = s.get(Member, me.cover_member_id)
        if cover is not None:
            by = "" if chat_id(cover) or not cover.email else ", by email"
            return f"{mention(cover)} (covering{by})"
    manager = me.manager_address()
    if manager:
        return f"{whose} line manager {user_mention(manager)}"
    if theirs:
        return "this channel (no cover or line manager named)"
    return (
        "this channel, as no one covers: name a colleague with `cover:@someone` or your "
        "line manager with `manager:@someone`"
    )


def back(ctx: Context, cmd: Back) -> Outcome:
    with ctx.write() as s:
        mine = _my_cases(s, ctx, cmd.case)
        away_in = [m for m in mine if m.me.away_from is not None]
        for m in away_in:
            assert m.me.id is not None
            repo.clear_away(s, m.case.reference, m.me.id, actor=ctx.actor.audit_id, now=ctx.now)
    refs = [m.case.reference for m in (away_in or mine)]
    if not away_in:
        out = Outcome()
        out.say(
            Message(
                f"{', '.join(refs)}: you weren't marked away, so nothing has changed.",
                (f"To mark an absence: `{EXAMPLES['away']}`",),
            )
        )
        return out
    out = Outcome(reference=refs[0] if len(refs) == 1 else None)
    out.say(
        Message(
            f"{', '.join(refs)}: welcome back — your reminders come to you again",
            (f"Anything that came up while you were away is in `{SLASH} status`.",),
        )
    )
    if len(refs) == 1:
        out.say(Message(f"{refs[0]}: {mention(away_in[0].me)} is back"), "channel")
    else:
        out.effects.extend(RefreshSummary(r) for r in refs)
    return out


def digest(ctx: Context, cmd: Digest) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        if case.digest == cmd.on:
            out = Outcome()
            out.say(
                Message(
                    f"{case.reference}: the morning digest is already "
                    f"{'on' if cmd.on else 'off'}; nothing has changed."
                )
            )
            return out
        repo.set_digest(s, case.reference, cmd.on, actor=ctx.actor.audit_id, now=ctx.now)
    detail: tuple[str, ...]
    if cmd.on:
        preview = f"{case.reference}: reminders in this channel now come as one morning digest"
        detail = (
            "From the next working morning, the reminders the bot would post here "
            "separately arrive together in one message.",
            "Reminders to one person (reports, your actions) still go to them directly.",
            f"{mention(me)} turned this on; `{SLASH} digest off` goes back to separate posts.",
        )
    else:
        preview = f"{case.reference}: reminders in this channel are separate posts again"
        detail = (
            "Each reminder is posted here when it falls due, in the meeting's thread.",
            f"{mention(me)} turned the digest off; `{SLASH} digest on` gathers them "
            "into one morning message.",
        )
    out = Outcome(reference=case.reference)
    out.say(Message(preview, detail), "channel")
    return out
