"""Who reads which language, and `/coregroup language cy|en`.

Handlers build their messages once, from the catalogue (`handlers.i18n`), without knowing who
reads them. When the outcome is finished, `localise_outcome` renders each message for its
reader: a private reply or a form in the acting person's language, a direct message in the
recipient's, a channel post (and the pinned summary) as the case's profile says -- Welsh and
English for the Welsh profiles. It runs in `handlers.dispatch.handle`, so every platform gets
finished text and no adapter decides anything about language.

A person's choice is stored on their memberships (`Member.language`), so it follows them into
every case; until they choose, their case's profile decides (`[language] default`).
"""

from __future__ import annotations

from dataclasses import replace

from handlers.common import Context, Refusal
from handlers.i18n import (
    LANGUAGE_NAMES,
    Lang,
    Voice,
    _,
    form_voice,
    localise_form,
    verbatim,
    voiced,
)
from handlers.parse import SetLanguage
from handlers.replies import Button, CreateChannel, Message, Outcome, RefreshHome, RefreshSummary, Reply
from scheduling.profiles import LanguageSettings, load_profile
from storage import repository as repo
from storage.db import Store
from storage.errors import StorageError


def forget(ctx: Context) -> None:
    """Start a request afresh: what the last one read (`Context.read_profiles`) may have changed."""
    ctx.read_profiles.clear()
    ctx.read_languages.clear()
    ctx.read_channels.clear()


def profile_language(ctx: Context, reference: str | None) -> LanguageSettings:
    """The language settings of the case's profile; English throughout without a case."""
    if not reference:
        return LanguageSettings()
    profile = ctx.read_profiles.get(reference)
    if profile is None:
        try:
            with ctx.read() as s:
                profile = repo.get_case(s, reference).profile
        except StorageError:
            return LanguageSettings()
        ctx.read_profiles[reference] = profile
    return load_profile(profile).language


def user_voice(
    ctx: Context, user_id: str, reference: str | None, settings: LanguageSettings | None = None
) -> Voice:
    """How the bot speaks to one person: their choice, else the case's profile default
    (`settings`: the profile's, when the caller has read them already)."""
    key = (ctx.actor.kind, user_id)
    if key in ctx.read_languages:
        chosen = ctx.read_languages[key]
    else:
        with ctx.read() as s:
            chosen = repo.language_of_address(s, ctx.actor.kind, user_id)
        ctx.read_languages[key] = chosen
    if chosen in ("en", "cy"):
        return "cy" if chosen == "cy" else "en"
    return (settings if settings is not None else profile_language(ctx, reference)).default


def channel_voice(ctx: Context, reference: str | None, settings: LanguageSettings | None = None) -> Voice:
    """How the case's channel is written: both languages where the profile says so."""
    settings = settings if settings is not None else profile_language(ctx, reference)
    if settings.bilingual_channel:
        return "both"
    return settings.default


def localise_outcome(ctx: Context, outcome: Outcome) -> Outcome:
    """Each message of `outcome` rendered for whoever reads it (see the module's docstring)."""
    if outcome.duplicate:
        return outcome
    ref = outcome.reference
    # Each case's profile read once for the outcome, however many messages it holds.
    read: dict[str | None, LanguageSettings] = {}

    def settings(reference: str | None) -> LanguageSettings:
        if reference not in read:
            read[reference] = profile_language(ctx, reference)
        return read[reference]

    actor = user_voice(ctx, ctx.actor.user_id, ref, settings(ref))
    channel = channel_voice(ctx, ref, settings(ref))

    def for_reply(r: Reply) -> Reply:
        if r.audience == "channel":
            voice = channel
        elif r.audience == "user" and r.user:
            voice = user_voice(ctx, r.user, ref, settings(ref))
        else:
            voice = actor
        return replace(r, message=voiced(r.message, voice))

    outcome.replies = [for_reply(r) for r in outcome.replies]
    if outcome.form is not None:
        outcome.form = localise_form(outcome.form, form_voice(actor))
    effects = []
    for e in outcome.effects:
        if isinstance(e, CreateChannel):
            e = replace(e, summary=voiced(e.summary, channel_voice(ctx, e.reference, settings(e.reference))))
        elif isinstance(e, RefreshSummary) and e.message is not None:
            e = replace(e, message=voiced(e.message, channel_voice(ctx, e.reference, settings(e.reference))))
        elif isinstance(e, RefreshHome):
            voice = user_voice(ctx, e.user, None)
            e = replace(e, page=tuple(voiced(m, voice) for m in e.page))
        effects.append(e)
    outcome.effects = effects
    outcome.voice = actor
    return outcome


def set_language(ctx: Context, cmd: SetLanguage) -> Outcome:
    lang: Lang = "cy" if cmd.language == "cy" else "en"
    with ctx.write() as s:
        changed = repo.set_language(
            s, ctx.actor.kind, ctx.actor.user_id, lang, actor=ctx.actor.audit_id, now=ctx.now
        )
    if not changed:
        raise Refusal(
            Message(
                _("I keep your language with your core groups, and you are not in one yet."),
                (
                    _(
                        "Ask the lead social worker to add you with your language: "
                        '`/coregroup add @you role:"…" lang:{lang}`.',
                        lang=lang,
                    ),
                ),
            )
        )
    name = LANGUAGE_NAMES[lang]
    return Outcome(
        replies=[
            Reply(
                Message(
                    _("I'll write to you in {language} from now on.", language=name),
                    (
                        _(
                            "To change it: `/coregroup language cy` (Cymraeg) or "
                            "`/coregroup language en` (English)."
                        ),
                    ),
                )
            )
        ]
    )


def ask_language(reference: str) -> Message:
    """What a new member of a Welsh profile's case is asked (read in both languages until they
    answer: the Welsh Language Standards ask for the choice to be offered, not assumed)."""
    return Message(
        _("{reference}: which language would you like me to use with you?", reference=reference),
        (_("You can change it at any time with `/coregroup language cy` or `/coregroup language en`."),),
        (
            # Each language by its own name, the same for every reader.
            Button(verbatim(LANGUAGE_NAMES["cy"]), "cg.run", f"{reference} language cy", primary=True),
            Button(verbatim(LANGUAGE_NAMES["en"]), "cg.run", f"{reference} language en"),
        ),
    )


# --- the reminders' readers (bot.delivery has a store and a profile, not a command context) ---


def address_voice(store: Store, kind: str, address: str, profile: str) -> Voice:
    """How a reminder speaks to the person at (`kind`, `address`) in a case of `profile`."""
    with store.read() as s:
        chosen = repo.language_of_address(s, kind, address)
    if chosen in ("en", "cy"):
        return "cy" if chosen == "cy" else "en"
    return load_profile(profile).language.default


def profile_channel_voice(profile: str) -> Voice:
    """How a reminder is posted in the channel of a case of `profile`."""
    settings = load_profile(profile).language
    return "both" if settings.bilingual_channel else settings.default
