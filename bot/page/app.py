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
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.chat import deliver
from bot.clock import Clock
from bot.delivery import refresh_bundle_effect
from bot.email.channel import EMAIL
from bot.page.links import Link, LinkError, LinkSigner
from bot.port import ChatPort
from handlers.common import Actor, Config, Context
from handlers.dispatch import handle, handle_text
from handlers.parse import WriteReport
from handlers.replies import Message
from scheduling.london import LONDON
from scheduling.wording import long_date
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
    "attending": "Attending",
    "apologies": "Sending apologies",
    "report": "Write my report",
    "action done": "Done",
}


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


def _page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _TEMPLATES.get_template(name).render(**values)
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
        },
    )


def problem(reason: str) -> HTMLResponse:
    """The plain refusal: what happened, and what to do instead."""
    words = {
        "forged": (
            "This link does not work",
            ["The link is not one the core group's reminder service sent, or part of it is missing."],
            400,
        ),
        "expired": (
            "This link has expired",
            ["The meeting it was for has passed, so the answer can no longer be taken here."],
            410,
        ),
        "csrf": (
            "Your answer was not sent",
            ["The form had expired or was sent from somewhere else. Open the link from your email again."],
            403,
        ),
        "member": (
            "This link no longer works for you",
            ["You are no longer listed in this core group, or its case is closed."],
            403,
        ),
    }
    heading, lines, status = words.get(reason, words["forged"])
    return _page("problem.html", status, title=heading, heading=heading, lines=lines)


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

    def _view(self, link: Link) -> _View | None:
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
                return _View("plan action", None)
            meeting = next(
                (
                    m
                    for m in repo.meetings(s, link.reference, status="scheduled")
                    if m.starts_at.astimezone(LONDON).date() == day
                ),
                None,
            )
            if meeting is None or meeting.id is None:
                return _View(f"the meeting on {long_date(day)} (no longer booked)", None)
            at = meeting.starts_at.astimezone(LONDON)
            mine = next(
                (r for r in repo.reports(s, link.reference, meeting.id) if r.member_id == me.id), None
            )
            sent = mine.text if mine is not None and mine.submitted_at is not None else None
            label = meeting.kind.replace("_", " ")
            return _View(f"{label[:1].upper()}{label[1:]}, {long_date(day)} at {at:%H:%M}", sent)

    def _form(
        self,
        token: str,
        link: Link,
        view: _View,
        *,
        errors: list[tuple[str, str]] | None = None,
        chosen: str = "",
        text: str = "",
    ) -> HTMLResponse:
        choices = [(_verb(cmd), _LABELS.get(_verb(cmd), label)) for label, cmd in link.commands]
        report = any(v == "report" for v, _ in choices)
        if link.day is None:
            asked = "Whether the plan action is done."
        elif report:
            asked = "Your written report before the meeting, or whether you are coming instead."
        else:
            asked = "Whether you are coming, or your apologies."
        nonce = secrets.token_urlsafe(16)
        errors = errors or []
        response = _page(
            "answer.html",
            400 if errors else 200,
            title=f"{link.reference}: your answer",
            heading="Your answer for the core group",
            reference=link.reference,
            meeting=view.meeting,
            asked=asked,
            action=f"/r/{token}",
            csrf=self.deps.links.form_token(nonce, token),
            choices=choices,
            chosen=chosen,
            report=report,
            text=text,
            errors=errors,
            error_for=dict(errors),
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
        view = self._view(link)
        if view is None:
            return problem("member")
        if view.report_sent is not None:
            return self._already(link, view)
        return self._form(token, link, view)

    def _already(self, link: Link, view: _View) -> HTMLResponse:
        return _page(
            "done.html",
            title="Your report is already in",
            heading="Your report is already in",
            reference=link.reference,
            lines=[f"It is on the record for {view.meeting}. This link works once for a report."],
            sent=view.report_sent,
        )

    # -- answering ------------------------------------------------------------------------------

    async def post(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        try:
            link = self._link(token)
        except LinkError as exc:
            return problem(exc.reason)
        form = _form_fields(await request.body())
        if not self.deps.links.form_ok(str(form.get("csrf", "")), request.cookies.get(COOKIE), token):
            return problem("csrf")
        view = self._view(link)
        if view is None:
            return problem("member")
        if view.report_sent is not None:
            return self._already(link, view)
        answer = str(form.get("answer", ""))
        text = str(form.get("report", "")).strip()
        offered = {_verb(cmd): cmd for _, cmd in link.commands}
        errors: list[tuple[str, str]] = []
        if answer not in offered:
            errors.append(
                ("answer", "Choose your answer: " + ", or ".join(_LABELS[v] for v in offered) + ".")
            )
        elif answer == "report" and not text:
            errors.append(("report", "Write your report in the box, or choose another answer."))
        elif len(text) > MAX_REPORT:
            errors.append(("report", f"Your report is {len(text):,} characters; the most is {MAX_REPORT:,}."))
        if errors:
            return self._form(token, link, view, errors=errors, chosen=answer, text=text)
        nonce = request.cookies.get(COOKIE) or ""
        replies = self._answer(link, nonce, answer, offered[answer], text)
        heading = {
            "attending": "You are down as attending",
            "apologies": "Your apologies are sent",
            "report": "Your report is in",
            "action done": "The action is marked done",
        }[answer]
        after = self._view(link)
        failed = answer == "report" and (after is None or after.report_sent is None)
        if failed:
            return _page(
                "problem.html",
                409,
                title="Your report was not recorded",
                heading="Your report was not recorded",
                lines=[_plain(m.preview) for m in replies] or ["The record did not take it."],
            )
        return _page(
            "done.html",
            title=heading,
            heading=heading,
            reference=link.reference,
            lines=[_plain(m.preview) for m in replies]
            + [_plain(d) for m in replies[:1] for d in m.detail[:1]],
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


def _plain(text: str) -> str:
    from bot.email.compose import plain

    return plain(text)


def page_routes(deps: PageDeps) -> list[Route]:
    """The page's routes, for any Starlette app (Slack HTTP, Teams, the Socket Mode side server)."""
    page = AnswerPage(deps)
    return [
        Route("/r/{token}", page.get, methods=["GET"]),
        Route("/r/{token}", page.post, methods=["POST"]),
    ]
