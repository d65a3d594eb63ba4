"""The answer page: `/r/<token>`, opened from an email, answered without an account.

What it shows is the case reference, the meeting and what is asked: nothing else about the case
(the person is outside the chat workspace and may be reading on a shared phone). What it writes
goes through the same handlers as a chat button (`handlers.dispatch.handle`), as the member the
link was signed for, so the audit log, "3 of 5 reports in" in the case channel and the chair's
bundle edited after a late report all follow without a second code path.

Refusals are plain pages that say what to do (contact the lead social worker) and write nothing:
a forged link, an expired one (its meeting is past), a report link used once already (that visit
shows what was sent), and a POST whose CSRF pair does not match (a double-submit cookie, signed
over the link, SameSite=Strict). Pages are Jinja2 templates with autoescaping on; no JavaScript.

Every word is from the catalogue, in the member's language (their choice, else their case's
profile default; Welsh for someone who reads both), `_("…")` in the templates as in the code (the
templates are extracted into the same `.po` by scripts/catalogue.py). A small form on the page
switches language: it stores the choice where `/coregroup language` does (audited) and shows the
page again. The language question an email carries opens `/l/<token>/<lang>`: its own signed
link (scoped to that member and case, expiring), which asks, and a button sets it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.chat import deliver
from bot.clock import Clock
from bot.delivery import refresh_bundle_effect
from bot.email.channel import EMAIL
from bot.page.links import LanguageLink, Link, LinkError, LinkSigner
from bot.port import ChatPort
from handlers.common import Actor, Config, Context
from handlers.dispatch import handle, handle_text
from handlers.i18n import LANGUAGE_NAMES, N_, Lang, Text, _, form_voice, localise, long_day, parse_lang
from handlers.language import address_voice
from handlers.parse import WriteReport
from handlers.replies import Message
from handlers.words import meeting_label
from scheduling.london import LONDON
from storage import repository as repo
from storage.db import Store
from storage.errors import StorageError

log = logging.getLogger("coregroup.page")

MAX_REPORT = 20_000
COOKIE = "cg_form"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_LABELS = {
    "attending": N_("Attending"),
    "apologies": N_("Sending apologies"),
    "report": N_("Write my report"),
    "action done": N_("Done"),
}


def say(lang: Lang, msgid: str, **values: object) -> str:
    """A catalogue sentence (marked with `_`/`N_` where it is written) in `lang`."""
    return localise(Text(msgid, values), lang)


def _one_of(items: list[str], lang: Lang) -> str:
    """`a, or b, or c` in the reader's words (each step one catalogue sentence)."""
    out = items[0] if items else ""
    for item in items[1:]:
        out = localise(_("{items}, or {last}", items=out, last=item), lang)
    return out


@dataclass
class PageDeps:
    """What the page needs: the record, the clock, the link signer, and the ports answers are
    announced through (the case's chat channel; email for a chair outside it)."""

    store: Store
    clock: Clock
    links: LinkSigner
    chat: Callable[[], ChatPort]
    email: ChatPort | None = None
    config: Config = field(default_factory=Config)


def _page(name: str, status: int = 200, *, lang: Lang = "en", **values: Any) -> HTMLResponse:
    def gettext(msgid: str, /, **named: object) -> str:
        return say(lang, msgid, **named)

    html = _TEMPLATES.get_template(name).render(_=gettext, lang=lang, **values)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'",
            "Content-Language": lang,
        },
    )


def problem(reason: str, lang: Lang = "en") -> HTMLResponse:
    """The plain refusal: what happened, and what to do instead. A forged or expired link has no
    reader to know the language of: English, as the link's email was to them."""
    words = {
        "forged": (
            _("This link does not work"),
            [_("The link is not one the core group's reminder service sent, or part of it is missing.")],
            400,
        ),
        "expired": (
            _("This link has expired"),
            [_("The meeting it was for has passed, so the answer can no longer be taken here.")],
            410,
        ),
        "csrf": (
            _("Your answer was not sent"),
            [_("The form had expired or was sent from somewhere else. Open the link from your email again.")],
            403,
        ),
        "member": (
            _("This link no longer works for you"),
            [_("You are no longer listed in this core group, or its case is closed.")],
            403,
        ),
    }
    heading, lines, status = words.get(reason, words["forged"])
    heading = localise(heading, lang)
    return _page(
        "problem.html",
        status,
        lang=lang,
        title=heading,
        heading=heading,
        lines=[localise(t, lang) for t in lines],
    )


@dataclass(frozen=True)
class _View:
    """What one link is about, read from the record."""

    meeting: str
    report_sent: str | None


def _verb(command: str) -> str:
    words = command.split()[1:]
    two = " ".join(words[:2])
    return two if two in _LABELS else (words[0] if words else "")


class AnswerPage:
    def __init__(self, deps: PageDeps) -> None:
        self.deps = deps

    # -- reading --------------------------------------------------------------------------------

    def _link(self, token: str) -> Link:
        return self.deps.links.read(token, self.deps.clock())

    def _lang(self, reference: str, address: str) -> Lang:
        """The page's language for this member: their choice, else their case's profile
        default (Welsh for someone who reads both: they see it first)."""
        with self.deps.store.read() as s:
            try:
                profile = repo.get_case(s, reference).profile
            except StorageError:
                return "en"
        return form_voice(address_voice(self.deps.store, EMAIL.name, address, profile))

    def _view(self, link: Link, lang: Lang) -> _View | None:
        """The meeting's words and any report already sent; None if the member or case is gone."""
        today = self.deps.clock().astimezone(LONDON).date()
        with self.deps.store.read() as s:
            try:
                case = repo.get_case(s, link.reference)
                me = repo.member_by_address(s, link.reference, EMAIL.name, link.address, on=today)
            except StorageError:
                return None
            if case.status != "active":
                return None
            day = link.day
            if day is None:
                return _View(say(lang, N_("plan action")), None)
            meeting = next(
                (
                    m
                    for m in repo.meetings(s, link.reference, status="scheduled")
                    if m.starts_at.astimezone(LONDON).date() == day
                ),
                None,
            )
            if meeting is None or meeting.id is None:
                return _View(
                    say(lang, N_("the meeting on {day} (no longer booked)"), day=long_day(day)), None
                )
            at = meeting.starts_at.astimezone(LONDON)
            mine = next(
                (r for r in repo.reports(s, link.reference, meeting.id) if r.member_id == me.id), None
            )
            sent = mine.text if mine is not None and mine.submitted_at is not None else None
            label = localise(meeting_label(meeting.kind), lang)
            return _View(
                say(
                    lang,
                    N_("{meeting}, {day} at {time}"),
                    meeting=f"{label[:1].upper()}{label[1:]}",
                    day=long_day(day),
                    time=f"{at:%H:%M}",
                ),
                sent,
            )

    def _form(
        self,
        token: str,
        link: Link,
        view: _View,
        lang: Lang,
        *,
        errors: list[tuple[str, str]] | None = None,
        chosen: str = "",
        text: str = "",
    ) -> HTMLResponse:
        choices = [
            (_verb(cmd), say(lang, _LABELS[_verb(cmd)]) if _verb(cmd) in _LABELS else label)
            for label, cmd in link.commands
        ]
        report = any(v == "report" for v, _ in choices)
        if link.day is None:
            asked = _("Whether the plan action is done.")
        elif report:
            asked = _("Your written report before the meeting, or whether you are coming instead.")
        else:
            asked = _("Whether you are coming, or your apologies.")
        nonce = secrets.token_urlsafe(16)
        errors = errors or []
        other: Lang = "en" if lang == "cy" else "cy"
        response = _page(
            "answer.html",
            400 if errors else 200,
            lang=lang,
            title=say(lang, N_("{reference}: your answer"), reference=link.reference),
            heading=say(lang, N_("Your answer for the core group")),
            reference=link.reference,
            meeting=view.meeting,
            asked=localise(asked, lang),
            action=f"/r/{token}",
            csrf=self.deps.links.form_token(nonce, token),
            choices=choices,
            chosen=chosen,
            report=report,
            text=text,
            errors=errors,
            error_for=dict(errors),
            other=other,
            other_name=LANGUAGE_NAMES[other],
        )
        response.set_cookie(
            COOKIE,
            nonce,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=self.deps.links.public_url.startswith("https://"),
            path=f"/r/{token}",  # one cookie per link: two links open in two tabs both work
        )
        return response

    async def get(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        try:
            link = self._link(token)
        except LinkError as exc:
            return problem(exc.reason)
        lang = self._lang(link.reference, link.address)
        view = self._view(link, lang)
        if view is None:
            return problem("member", lang)
        if view.report_sent is not None:
            return self._already(link, view, lang)
        return self._form(token, link, view, lang)

    def _already(self, link: Link, view: _View, lang: Lang) -> HTMLResponse:
        heading = say(lang, N_("Your report is already in"))
        return _page(
            "done.html",
            lang=lang,
            title=heading,
            heading=heading,
            reference=link.reference,
            lines=[
                say(
                    lang,
                    N_("It is on the record for {meeting}. This link works once for a report."),
                    meeting=view.meeting,
                )
            ],
            sent=view.report_sent,
        )

    # -- the language switch ----------------------------------------------------------------------

    def _set_language(self, address: str, lang: Lang) -> bool:
        """Store the choice where `/coregroup language` does (every current membership, audited)."""
        actor = Actor(address, EMAIL, "page")
        with self.deps.store.transaction() as s:
            changed = repo.set_language(
                s, EMAIL.name, address, lang, actor=actor.audit_id, now=self.deps.clock()
            )
        log.info("language chosen on the answer page", extra={"language": lang})
        return bool(changed)

    async def switch(self, request: Request) -> Response:
        """The answer page's own switch: set the language, then show the page again (a GET)."""
        token = str(request.path_params["token"])
        try:
            link = self._link(token)
        except LinkError as exc:
            return problem(exc.reason)
        form = _form_fields(await request.body())
        lang = self._lang(link.reference, link.address)
        if not self.deps.links.form_ok(str(form.get("csrf", "")), request.cookies.get(COOKIE), token):
            return problem("csrf", lang)
        chosen = parse_lang(str(form.get("lang", "")))
        if chosen is None:
            return problem("forged", lang)
        if not self._set_language(link.address, chosen):
            return problem("member", chosen)
        return RedirectResponse(f"/r/{token}", status_code=303, headers={"Cache-Control": "no-store"})

    def _language_link(self, request: Request) -> tuple[str, LanguageLink, Lang] | Response:
        token = str(request.path_params["token"])
        lang = parse_lang(str(request.path_params["lang"]))
        try:
            link = self.deps.links.read_language(token, self.deps.clock())
        except LinkError as exc:
            return problem(exc.reason)
        if lang is None:
            return problem("forged")
        return token, link, lang

    async def language_get(self, request: Request) -> Response:
        """The email's language question, opened: one button sets the language (a GET never
        does: a mail scanner opening links would choose for the member)."""
        found = self._language_link(request)
        if isinstance(found, Response):
            return found
        token, link, lang = found
        if self._view_member(link) is None:
            return problem("member", lang)
        nonce = secrets.token_urlsafe(16)
        other: Lang = "en" if lang == "cy" else "cy"
        heading = say(lang, N_("Which language would you like me to use with you?"))
        response = _page(
            "language.html",
            lang=lang,
            title=heading,
            heading=heading,
            reference=link.reference,
            action=f"/l/{token}/{lang}",
            csrf=self.deps.links.form_token(nonce, token),
            language=LANGUAGE_NAMES[lang],
            other_url=f"/l/{token}/{other}",
            other_name=LANGUAGE_NAMES[other],
            other=other,
        )
        response.set_cookie(
            COOKIE,
            nonce,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=self.deps.links.public_url.startswith("https://"),
            path=f"/l/{token}/{lang}",  # the Cymraeg and the English page, open side by side, both work
        )
        return response

    async def language_post(self, request: Request) -> Response:
        found = self._language_link(request)
        if isinstance(found, Response):
            return found
        token, link, lang = found
        form = _form_fields(await request.body())
        if not self.deps.links.form_ok(str(form.get("csrf", "")), request.cookies.get(COOKIE), token):
            return problem("csrf", lang)
        if self._view_member(link) is None or not self._set_language(link.address, lang):
            return problem("member", lang)
        heading = say(lang, N_("I'll write to you in {language} from now on."), language=LANGUAGE_NAMES[lang])
        return _page(
            "done.html",
            lang=lang,
            title=heading,
            heading=heading,
            reference=link.reference,
            lines=[
                say(
                    lang,
                    N_("Emails from the core group and the answer page will be in {language}."),
                    language=LANGUAGE_NAMES[lang],
                )
            ],
            sent=None,
        )

    def _view_member(self, link: LanguageLink) -> object | None:
        """The member the language link is for, if they are still in the active case."""
        today = self.deps.clock().astimezone(LONDON).date()
        with self.deps.store.read() as s:
            try:
                case = repo.get_case(s, link.reference)
                me = repo.member_by_address(s, link.reference, EMAIL.name, link.address, on=today)
            except StorageError:
                return None
        return me if case.status == "active" else None

    # -- answering ------------------------------------------------------------------------------

    async def post(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        try:
            link = self._link(token)
        except LinkError as exc:
            return problem(exc.reason)
        form = _form_fields(await request.body())
        lang = self._lang(link.reference, link.address)
        if not self.deps.links.form_ok(str(form.get("csrf", "")), request.cookies.get(COOKIE), token):
            return problem("csrf", lang)
        view = self._view(link, lang)
        if view is None:
            return problem("member", lang)
        if view.report_sent is not None:
            return self._already(link, view, lang)
        answer = str(form.get("answer", ""))
        text = str(form.get("report", "")).strip()
        offered = {_verb(cmd): cmd for _, cmd in link.commands}
        errors: list[tuple[str, str]] = []
        if answer not in offered:
            answers = _one_of([say(lang, _LABELS[v]) for v in offered], lang)
            errors.append(("answer", say(lang, N_("Choose your answer: {answers}."), answers=answers)))
        elif answer == "report" and not text:
            errors.append(
                ("report", say(lang, N_("Write your report in the box, or choose another answer.")))
            )
        elif len(text) > MAX_REPORT:
            errors.append(
                (
                    "report",
                    say(
                        lang,
                        N_("Your report is {count} characters; the most is {most}."),
                        count=f"{len(text):,}",
                        most=f"{MAX_REPORT:,}",
                    ),
                )
            )
        if errors:
            return self._form(token, link, view, lang, errors=errors, chosen=answer, text=text)
        nonce = request.cookies.get(COOKIE) or ""
        replies = self._answer(link, nonce, answer, offered[answer], text)
        heading = {
            "attending": _("You are down as attending"),
            "apologies": _("Your apologies are sent"),
            "report": _("Your report is in"),
            "action done": _("The action is marked done"),
        }[answer]
        lang = self._lang(link.reference, link.address)
        heading = localise(heading, lang)
        after = self._view(link, lang)
        failed = answer == "report" and (after is None or after.report_sent is None)
        if failed:
            title = say(lang, N_("Your report was not recorded"))
            return _page(
                "problem.html",
                409,
                lang=lang,
                title=title,
                heading=title,
                lines=[_plain(m.preview, lang) for m in replies]
                or [say(lang, N_("The record did not take it."))],
            )
        return _page(
            "done.html",
            lang=lang,
            title=heading,
            heading=heading,
            reference=link.reference,
            lines=[_plain(m.preview, lang) for m in replies]
            + [_plain(d, lang) for m in replies[:1] for d in m.detail[:1]],
            sent=text if answer == "report" else None,
        )

    def _answer(self, link: Link, nonce: str, verb: str, command: str, text: str) -> list[Message]:
        """Run the answer through the handlers as the member, and deliver what they say. The
        request key is the form's nonce: the same form sent twice (a double click, a resent
        POST) changes nothing twice, while a later visit's new answer is a new request."""
        actor = Actor(link.address, EMAIL, "page")
        key = hashlib.sha256(f"{nonce}|{verb}".encode()).hexdigest()[:32]
        ctx = Context(
            actor=actor,
            store=self.deps.store,
            clock=self.deps.clock,
            request_key=f"page:{key}",
            config=self.deps.config,
        )
        if verb == "report":
            outcome = handle(ctx, WriteReport(case=link.reference, text=text, day=link.day))
        else:
            outcome = handle_text(ctx, command)
        replies: list[Message] = []
        deliver(
            outcome,
            ctx=ctx,
            port=self.deps.chat(),
            reply_to_actor=replies.append,
            bundle=partial(refresh_bundle_effect, email=self.deps.email),
        )
        log.info("answer page used", extra={"verb": verb, "duplicate": outcome.duplicate})
        return replies


def _form_fields(body: bytes) -> dict[str, str]:
    """An urlencoded form's fields (the page's forms are small and have no files); the first of a
    repeated name wins. The body is capped before it is read (bot.edge.BodyLimit)."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    out: dict[str, str] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def _plain(text: str, lang: Lang) -> str:
    from bot.email.compose import plain

    return plain(localise(text, lang), lang)


def page_routes(deps: PageDeps) -> list[Route]:
    """The page's routes, for any Starlette app (Slack HTTP, Teams, the Socket Mode side server)."""
    page = AnswerPage(deps)
    return [
        Route("/r/{token}", page.get, methods=["GET"]),
        Route("/r/{token}", page.post, methods=["POST"]),
        Route("/r/{token}/language", page.switch, methods=["POST"]),
        Route("/l/{token}/{lang}", page.language_get, methods=["GET"]),
        Route("/l/{token}/{lang}", page.language_post, methods=["POST"]),
    ]
