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
from handlers.i18n import _, long_day
from handlers.parse import EXAMPLES, SLASH, Away, Back, CommandError, Digest
from handlers.replies import Message, Outcome, RefreshSummary
from handlers.replies import mention as user_mention
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
            _("You aren't in any core group, so there is nothing to mark."),
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
    """ "from Mon 1 Feb 2027 until Fri 12 Feb 2027": the whole phrase, as Welsh words each
    pairing differently."""
    if cmd.start and cmd.until:
        return _("from {start} until {until}", start=long_day(cmd.start), until=long_day(cmd.until))
    if cmd.start:
        return _("from {start} until `back`", start=long_day(cmd.start))
    if cmd.until:
        return _("from today until {until}", until=long_day(cmd.until))
    return _("from today until `back`")


def away(ctx: Context, cmd: Away) -> Outcome:
    ex = EXAMPLES["away"]
    start = cmd.start or ctx.today
    if cmd.until is not None and cmd.until < ctx.today:
        raise CommandError(
            _("{day} has passed, so that absence is already over.", day=long_day(cmd.until)), ex
        )
    if cmd.until is not None and cmd.until < start:
        raise CommandError(
            _(
                "`until {until}` is before the first day away ({start}).",
                until=str(cmd.until),
                start=str(start),
            ),
            ex,
        )
    if cmd.cover is not None and cmd.cover == ctx.actor.user_id:
        raise CommandError(_("You can't cover for yourself: name a colleague in the core group."), ex)
    manager = None
    if cmd.manager is not None:
        if cmd.manager == ctx.actor.user_id:
            raise CommandError(_("Name your line manager, not yourself."), ex)
        manager = ctx.directory.person(cmd.manager) if ctx.directory else None
        if ctx.directory is not None and manager is None:
            raise CommandError(
                _(
                    "I can't find {who} in this {place}. Pick them from the list as you type @.",
                    who=user_mention(cmd.manager),
                    place=people_place(ctx),
                ),
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
                        _(
                            "{who} isn't in {reference}'s core group, so they can't cover there. Name "
                            "a member, or leave `cover:` out and your line manager hears instead.",
                            who=who,
                            reference=m.case.reference,
                        ),
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
            lines.append(
                _(
                    "{reference}: your reminders go to {who}.",
                    reference=m.case.reference,
                    who=_who_hears(s, me),
                )
            )
            heard.append(_("Their reminders go to {who}.", who=_who_hears(s, me, theirs=True)))
    refs = [m.case.reference for m in mine]
    span = _span(cmd)
    out = Outcome(reference=refs[0] if len(refs) == 1 else None)
    out.say(
        Message(
            _("{references}: you're marked away {span}", references=", ".join(refs), span=span),
            (
                *lines,
                _("When you're back early, say `{command}`.", command=SLASH + " back"),
            ),
        )
    )
    if len(refs) == 1:
        out.say(
            Message(
                _("{reference}: {who} is away {span}", reference=refs[0], who=mention(mine[0].me), span=span),
                (heard[0],),
            ),
            "channel",
        )
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
                _(
                    "{who} isn't in {reference}'s core group, so I can't send its reminders to them.",
                    who=user_mention(manager),
                    reference=m.case.reference,
                ),
                (
                    _(
                        "Nothing has changed. Ask the lead social worker to add your line manager to the "
                        "core group first, or leave `manager:` out."
                    ),
                ),
            )
        ) from None


def _who_hears(s: Session, me: Member, *, theirs: bool = False) -> str:
    """Who gets the absent member's reminders, as `bot.delivery` routes them: the cover, else
    the line manager (by chat id), else the case's channel."""
    if me.cover_member_id is not None:
        cover = s.get(Member, me.cover_member_id)
        if cover is not None:
            if chat_id(cover) or not cover.email:
                return _("{who} (covering)", who=mention(cover))
            return _("{who} (covering, by email)", who=mention(cover))
    manager = me.manager_address()
    if manager:
        if theirs:
            return _("their line manager {who}", who=user_mention(manager))
        return _("your line manager {who}", who=user_mention(manager))
    if theirs:
        return _("this channel (no cover or line manager named)")
    return _(
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
                _(
                    "{references}: you weren't marked away, so nothing has changed.",
                    references=", ".join(refs),
                ),
                (_("To mark an absence: `{example}`", example=EXAMPLES["away"]),),
            )
        )
        return out
    out = Outcome(reference=refs[0] if len(refs) == 1 else None)
    out.say(
        Message(
            _("{references}: welcome back — your reminders come to you again", references=", ".join(refs)),
            (_("Anything that came up while you were away is in `{command}`.", command=SLASH + " status"),),
        )
    )
    if len(refs) == 1:
        out.say(
            Message(_("{reference}: {who} is back", reference=refs[0], who=mention(away_in[0].me))), "channel"
        )
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
                    _(
                        "{reference}: the morning digest is already on; nothing has changed.",
                        reference=case.reference,
                    )
                    if cmd.on
                    else _(
                        "{reference}: the morning digest is already off; nothing has changed.",
                        reference=case.reference,
                    )
                )
            )
            return out
        repo.set_digest(s, case.reference, cmd.on, actor=ctx.actor.audit_id, now=ctx.now)
    detail: tuple[str, ...]
    if cmd.on:
        preview = _(
            "{reference}: reminders in this channel now come as one morning digest", reference=case.reference
        )
        detail = (
            _(
                "From the next working morning, the reminders the bot would post here "
                "separately arrive together in one message."
            ),
            _("Reminders to one person (reports, your actions) still go to them directly."),
            _(
                "{who} turned this on; `{command}` goes back to separate posts.",
                who=mention(me),
                command=SLASH + " digest off",
            ),
        )
    else:
        preview = _(
            "{reference}: reminders in this channel are separate posts again", reference=case.reference
        )
        detail = (
            _("Each reminder is posted here when it falls due, in the meeting's thread."),
            _(
                "{who} turned the digest off; `{command}` gathers them into one morning message.",
                who=mention(me),
                command=SLASH + " digest on",
            ),
        )
    out = Outcome(reference=case.reference)
    out.say(Message(preview, detail), "channel")
    return out
