"""Building the email port and the answer page's link signer from the settings, in one place for
`serve` (Slack HTTP, Socket Mode, Teams), `sweep` and the console."""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.email.chat import EmailChat
from bot.email.transport import transport_from_settings
from bot.page.links import LinkSigner
from bot.port import ChatPort
from handlers.common import Config
from storage.db import Store

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("coregroup.email")


class LinkSecretMissing(ValueError):
    """The answer page would be served, or linked to, without a secret to sign its links."""


def link_signer(settings: Settings) -> LinkSigner | None:
    """The signer when the page is set up (COREGROUP_PUBLIC_URL and COREGROUP_LINK_SECRET);
    None without a public URL (emails then say to contact the lead social worker). A public URL
    without a secret is refused: links would be unsigned, or signed with a secret nobody keeps."""
    if not settings.public_url:
        return None
    if not settings.link_secret:
        raise LinkSecretMissing(
            "COREGROUP_PUBLIC_URL is set but COREGROUP_LINK_SECRET is not: set it to 32 random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    try:
        return LinkSigner(settings.link_secret, settings.public_url)
    except ValueError as exc:
        raise LinkSecretMissing(str(exc)) from None


def email_port(
    settings: Settings,
    clock: Clock,
    *,
    links: LinkSigner | None = None,
    on_sent: Callable[[EmailMessage], None] | None = None,
    store: Store | None = None,
) -> EmailChat | None:
    """The email port, or None when email is not set up (neither Graph nor SMTP). With the
    record (`store`) each email's own words are in its reader's language, and the language
    question goes to members who have not chosen (bot.email.chat)."""
    transport = transport_from_settings(settings)
    if transport is None:
        return None
    if links is None:
        links = link_signer(settings)
    if links is None:
        log.warning("COREGROUP_PUBLIC_URL is not set: emails will carry no answer links")
    return EmailChat(transport, clock=clock, links=links, on_sent=on_sent, store=store)


def answer_page_routes(
    settings: Settings,
    store: Any,
    clock: Clock,
    chat: Callable[[], ChatPort],
    email: ChatPort | None,
    config: Config,
) -> list[Any]:
    """The answer page's routes for `serve`, or none when COREGROUP_PUBLIC_URL is not set."""
    from bot.page.app import PageDeps, page_routes

    links = link_signer(settings)
    if links is None:
        return []
    return page_routes(PageDeps(store, clock, links, chat, email, config))


def settings_problems(settings: Settings) -> list[str]:
    """What `serve` refuses to start with, as `check_serve_settings` lists it."""
    problems = []
    try:
        link_signer(settings)
    except LinkSecretMissing as exc:
        problems.append(str(exc))
    try:
        transport_from_settings(settings)
    except ValueError as exc:
        problems.append(str(exc))
    return problems
