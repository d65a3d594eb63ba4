"""How a handler's `Outcome` reaches people through the chat port (`bot.port`: post, post
privately, DM, update, pin, open a form, create a private channel, invite, remove, archive,
publish a home page; an adapter per platform). The reminder sweep delivers its outbox rows through
the same port.

`deliver()` is the one place that turns an `Outcome` into calls on the port, in the order people
should see things: the private answer first (fast feedback), then the slow work (channel creation,
invitations), then what the whole core group sees. It is run after the acknowledgement.

It only talks to the port: the handlers hand it finished messages (the pinned summary, App Home
pages), and whatever must be read or remembered about the case (its channel, a channel it made,
the id of the summary it pinned) goes through small handler functions, never the repository. The
chair's bundle belongs to the reminders, which the adapter wiring passes in (`bundle`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.port import ChatError, ChatPort
from handlers.cases import case_channel, link_channel
from handlers.common import ChannelKind, Context
from handlers.i18n import Lang, Voice, _, form_voice, localise, voiced
from handlers.language import channel_voice, user_voice
from handlers.replies import (
    ArchiveChannel,
    CreateChannel,
    Effect,
    EmailInvitation,
    Invite,
    Kick,
    Message,
    OfferSlots,
    Outcome,
    RefreshBundle,
    RefreshHome,
    RefreshSummary,
    SyncInvitation,
)
from handlers.replies import mention as user_mention
from handlers.summary import pinned_summary, remember_pin

log = logging.getLogger("coregroup.chat")

#: How many alternative names to try when a channel name is taken (cg-cg-0001-2, -3…).
NAME_ATTEMPTS = 5


#: Sends the email/calendar invitation for someone outside the workspace (Graph or ICS adapter).
EmailSender = Callable[[EmailInvitation], None]
#: Hands calendar work to the calendar worker (`bot.calendar.jobs.CalendarJobs.notify`); must
#: return at once -- the worker does the slow part.
CalendarSender = Callable[[SyncInvitation | OfferSlots], None]
#: Edits the chair's bundle in place after a late report (`bot.reminders`' / `bot.delivery`'s
#: `refresh_bundle_effect`): the bundle is the reminders' message, so they rebuild it.
BundleRefresher = Callable[[RefreshBundle, Context, ChatPort], object]


#: Who the adapter is rendering for: its own words around a handler's (a modal's Cancel, App
#: Home's heading, "…more with `/coregroup status`") must be in that reader's language. A
#: context variable rather than a parameter because the port's signatures are shared by every
#: adapter (and the test doubles), most of which add no words of their own; `deliver` and the
#: reminder delivery set it around each call, and it is "en" outside them.
_reader: ContextVar[Voice] = ContextVar("coregroup_reader", default="en")


@contextmanager
def reading(voice: Voice) -> Iterator[None]:
    """Port calls in this block render the adapter's own words for a reader with `voice`."""
    token = _reader.set(voice)
    try:
        yield
    finally:
        _reader.reset(token)


def reader_voice() -> Voice:
    return _reader.get()


def reader_lang() -> Lang:
    """One language, for what holds one (a form, App Home): Welsh for a reader of both."""
    return form_voice(_reader.get())


def said(text: str, voice: Voice | None = None) -> str:
    """An adapter's own sentence (`_()`) for the current reader; both languages, Welsh first,
    for a bilingual channel, as its buttons are labelled."""
    voice = voice or _reader.get()
    if voice != "both":
        return localise(text, voice)
    cy, en = localise(text, "cy"), localise(text, "en")
    return en if cy == en else f"{cy} / {en}"


def log_calendar(effect: SyncInvitation | OfferSlots) -> None:
    log.info(
        "calendar work left in the outbox: no calendar worker in this process",
        extra={"effect": type(effect).__name__},
    )


def log_email(effect: EmailInvitation) -> None:
    log.info(
        "email invitation not sent: no calendar adapter configured",
        extra={"member_id": effect.member_id, "meeting_id": effect.meeting_id},
    )


def log_bundle(effect: RefreshBundle, ctx: Context, port: ChatPort) -> None:
    log.info("chair's bundle not refreshed: no reminder delivery wired in")


def deliver(
    outcome: Outcome,
    *,
    ctx: Context,
    port: ChatPort,
    reply_to_actor: Callable[[Message], object],
    trigger: str | None = None,
    email: EmailSender = log_email,
    calendar: CalendarSender = log_calendar,
    bundle: BundleRefresher = log_bundle,
) -> None:
    """Carry out `outcome`: private replies, the form, slow effects, then channel posts."""
    if outcome.duplicate:
        return
    with reading(outcome.voice):
        _deliver(outcome, ctx, port, reply_to_actor, trigger, email, calendar, bundle)


def _deliver(
    outcome: Outcome,
    ctx: Context,
    port: ChatPort,
    reply_to_actor: Callable[[Message], object],
    trigger: str | None,
    email: EmailSender,
    calendar: CalendarSender,
    bundle: BundleRefresher,
) -> None:
    for r in outcome.replies:
        if r.audience == "actor":
            reply_to_actor(r.message)
    if outcome.form is not None:
        if trigger is None:
            reply_to_actor(
                voiced(Message(_("This needs a form, which can't be opened from here.")), outcome.voice)
            )
        else:
            port.open_form(trigger, outcome.form, channel=ctx.channel_id)
    later: list[SyncInvitation | OfferSlots] = []
    archive: list[Effect] = []

    def apply(effect: Effect) -> None:
        try:
            _apply(effect, ctx=ctx, port=port, email=email, calendar=calendar, bundle=bundle)
        except ChatError as exc:
            log.warning("chat effect failed", extra={"effect": type(effect).__name__, "code": exc.code})
            reply_to_actor(voiced(Message(_effect_failure(effect, exc, ctx.actor.channel)), outcome.voice))

    for effect in outcome.effects:
        if isinstance(effect, SyncInvitation | OfferSlots):
            later.append(effect)  # after the channel posts: the calendar's answer follows them
            continue
        if isinstance(effect, ArchiveChannel):
            archive.append(effect)  # after the channel posts: an archived channel takes none
            continue
        apply(effect)
    channel = case_channel(ctx, outcome.reference, port.platform) if outcome.reference else None
    for r in outcome.replies:
        if r.audience == "channel":
            if channel is None:
                reply_to_actor(r.message)
                continue
            try:
                with reading(channel_voice(ctx, outcome.reference)):
                    message_id = port.post_message(channel, r.message)
            except ChatError as exc:
                # An archived (closed case's) or vanished channel: the person still hears what
                # happened, privately, instead of the request failing after the change is saved.
                log.warning("channel post failed", extra={"code": exc.code})
                reply_to_actor(r.message)
                continue
            if r.pin:
                port.pin(channel, message_id)
            if ctx.channel_id != channel:
                reply_to_actor(r.message)
        elif r.audience == "user" and r.user:
            port.direct_message(r.user, r.message)
    for effect in archive:
        apply(effect)
    for job in later:
        calendar(job)


def _effect_failure(effect: Effect, exc: ChatError, kind: ChannelKind) -> str:
    """What went wrong, in the words of the actor's channel kind (its registration)."""
    ref = getattr(effect, "reference", "")
    admin = _("your {platform} admin", platform=kind.title or kind.name)
    if isinstance(effect, CreateChannel):
        if not kind.makes_channels:  # it links the channel `new` was typed in; it makes none
            return _(
                "{ref}: the record is saved, but I couldn't link this channel to it ({code}). "
                "Ask {admin} to check the app is added to the {place}.",
                ref=ref,
                code=exc.code,
                admin=admin,
                place=kind.people_place,
            )
        return _(
            "{ref}: the record is saved, but I couldn't create its channel ({code}). "
            "Ask {admin} to check the app's permissions.",
            ref=ref,
            code=exc.code,
            admin=admin,
        )
    if isinstance(effect, Invite):
        who = ", ".join(f"{user_mention(u)}" for u in effect.users)
        return _(
            "{ref}: {who} is a member, but I couldn't invite them to the channel ({code}).",
            ref=ref,
            who=who,
            code=exc.code,
        )
    return _("{ref}: the record is saved, but a chat step failed ({code}).", ref=ref, code=exc.code)


def _apply(
    effect: Effect,
    *,
    ctx: Context,
    port: ChatPort,
    email: EmailSender,
    calendar: CalendarSender = log_calendar,
    bundle: BundleRefresher = log_bundle,
) -> None:
    if isinstance(effect, CreateChannel):
        _create_channel(effect, ctx=ctx, port=port)
    elif isinstance(effect, Invite):
        channel = case_channel(ctx, effect.reference, port.platform)
        if channel:
            port.invite(channel, effect.users)
    elif isinstance(effect, Kick):
        channel = case_channel(ctx, effect.reference, port.platform)
        if channel:
            port.kick(channel, effect.user)
    elif isinstance(effect, ArchiveChannel):
        channel = case_channel(ctx, effect.reference, port.platform)
        if channel:
            port.archive(channel)
    elif isinstance(effect, EmailInvitation):
        email(effect)
    elif isinstance(effect, SyncInvitation | OfferSlots):
        calendar(effect)
    elif isinstance(effect, RefreshSummary):
        refresh_summary(effect, ctx=ctx, port=port)
    elif isinstance(effect, RefreshBundle):
        bundle(effect, ctx, port)
    elif isinstance(effect, RefreshHome):
        # The page's heading in its owner's language (the page itself is rendered for them).
        with reading(user_voice(ctx, effect.user, None)):
            port.publish_home(effect.user, list(effect.page))


def _create_channel(effect: CreateChannel, *, ctx: Context, port: ChatPort) -> None:
    """Create, link, invite, post and pin; a second run for the same case does nothing new."""
    if case_channel(ctx, effect.reference, port.platform):
        return
    channel_id = None
    for attempt in range(NAME_ATTEMPTS):
        name = effect.name if attempt == 0 else f"{effect.name[:76]}-{attempt + 1}"
        try:
            channel_id = port.create_private_channel(name)
            break
        except ChatError as exc:
            if exc.code != "name_taken" or attempt == NAME_ATTEMPTS - 1:
                raise
    assert channel_id is not None
    link_channel(ctx, effect.reference, port.platform, channel_id)
    if effect.members:
        port.invite(channel_id, effect.members)
    message_id = port.post_message(channel_id, effect.summary)
    port.pin(channel_id, message_id)
    remember_pin(ctx, effect.reference, port.platform, message_id)


def refresh_summary(effect: RefreshSummary, *, ctx: Context, port: ChatPort) -> bool:
    """Edit the case's pinned summary to the finished one the handler built; False when there is
    none to edit.

    A summary that can't be edited (deleted by someone, channel archived) is logged, not told to
    the person who acted: their change is saved and `status` shows the same facts.
    """
    message = effect.message
    pinned = pinned_summary(ctx, effect.reference, port.platform) if message else None
    if message is None or pinned is None:
        return False
    channel, message_id = pinned
    try:
        port.update_message(channel, message_id, message)
    except ChatError as exc:
        log.warning("pinned summary not updated", extra={"code": exc.code})
        return False
    return True
