"""The Slack listeners: put the request on disk, acknowledge, then do the work on the worker.

One slash command (`/coregroup`), two kinds of button (`cg.run:*` runs a command line carried in
the button's value, `cg.dismiss:*` clears an ephemeral question), one modal callback (`cg.form`)
and one event (`app_home_opened`). Every listener writes the least of the request that redoes its
work to the inbound queue (bot/inbound.py: one short transaction, before the ack, so a stop or
crash after the ack loses nothing) and acknowledges; the work itself, every Web API call included,
happens on the worker, rebuilt from the stored body (the app's client, a `Respond` from the
`response_url`). A retry of something already seen (same `event_id` or
`trigger_id`) is acknowledged and dropped here; the database's request log catches retries that
reach another process.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.chat import (
    BundleRefresher,
    CalendarSender,
    EmailSender,
    deliver,
    log_calendar,
    log_email,
    reader_voice,
)
from bot.clock import Clock
from bot.delivery import refresh_bundle_effect
from bot.inbound import ALREADY_DONE, InboundQueue, Later
from bot.slack.blocks import (
    FORM_CALLBACK,
    form_lang,
    form_values,
    home_view,
    message_payload,
    plain,
    read_metadata,
)
from bot.slack.channel import SLACK
from bot.slack.chat import SlackChat, SlackDirectory
from bot.work import SeenKeys, Worker
from handlers.common import Actor, Config, Context, Person
from handlers.dispatch import handle, handle_text
from handlers.forms import FormError, submit
from handlers.home import home
from handlers.i18n import form_voice, localise, voiced
from handlers.language import user_voice
from handlers.replies import Message, Outcome
from storage.db import Store

log = logging.getLogger("coregroup.slack")


def request_key(body: dict[str, Any]) -> str | None:
    """Slack's id for this delivery: a retry carries the same one."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


@dataclass
class SlackDeps:
    store: Store
    clock: Clock
    config: Config = field(default_factory=Config)
    email: EmailSender = log_email
    #: Calendar work after the ack (`CalendarJobs.notify` in `coregroup serve`).
    calendar: CalendarSender = log_calendar
    #: Edits the chair's bundle after a late report (the reminders' message).
    bundle: BundleRefresher = refresh_bundle_effect
    worker: Worker = field(default_factory=Worker)
    #: The durable queue between the ack and the work (made by `register` when not given).
    inbound: InboundQueue | None = None
    seen: SeenKeys = field(default_factory=SeenKeys)
    directory_cache: OrderedDict[str, Person | None] = field(default_factory=OrderedDict)
    directory_lock: threading.Lock = field(default_factory=threading.Lock)

    def context(
        self, client: WebClient, user: str, channel: str | None, key: str | None, *, defer: bool = False
    ) -> Context:
        return Context(
            actor=Actor(user, SLACK, "slack"),
            store=self.store,
            clock=self.clock,
            channel_id=channel,
            request_key=f"slack:{key}" if key else None,
            directory=SlackDirectory(client, self.directory_cache, self.directory_lock),
            config=self.config,
            defer_summaries=defer,
        )


def _ephemeral(message: Message) -> dict[str, Any]:
    return {
        **message_payload(message, voice=reader_voice()),
        "response_type": "ephemeral",
        "replace_original": False,
    }


def on_error(
    error: Exception, body: dict[str, Any] | None = None, logger: logging.Logger | None = None
) -> None:
    """The one error handler: the traceback goes to the log, never the request body."""
    kind = (body or {}).get("type") or ((body or {}).get("command") and "command") or "request"
    (logger or log).exception("listener failed on a %s", kind, exc_info=error)


def slim(kind: str, body: dict[str, Any], team_id: str | None = None) -> dict[str, Any]:
    """The least of a Slack body that redoes its work: what is stored in the inbound queue.
    Names and message contents Slack sends along are left out; `team_id` is what Bolt gives
    its per-request client, so the redo calls the Web API the same way."""
    keep: dict[str, Any] = {k: body[k] for k in ("trigger_id", "response_url", "event_id") if body.get(k)}
    if team_id:
        keep["team_id"] = team_id
    if kind == "command":
        keep.update({k: body.get(k) for k in ("user_id", "channel_id", "text")})
    elif kind in ("run", "dismiss", "form"):
        keep["user"] = {"id": (body.get("user") or {}).get("id")}
    if kind == "run":
        keep["channel"] = {"id": (body.get("channel") or {}).get("id")}
        keep["container"] = {"channel_id": (body.get("container") or {}).get("channel_id")}
        keep["actions"] = [{"value": (body.get("actions") or [{}])[0].get("value", "")}]
    elif kind == "form":
        view = body.get("view") or {}
        keep["view"] = {k: view.get(k) for k in ("id", "private_metadata", "state")}
    elif kind == "home":
        event = body.get("event") or {}
        keep["event"] = {"user": event.get("user"), "tab": event.get("tab", "home")}
    return keep


def register(app: App, deps: SlackDeps) -> None:
    """Wire every listener onto `app`; their work goes through the inbound queue."""
    if deps.inbound is None:
        deps.inbound = InboundQueue(deps.store, deps.clock, deps.worker, platform="slack")
    queue = deps.inbound
    base = app.client

    def client_for(body: dict[str, Any]) -> WebClient:
        """The client Bolt would have given this request's listener (App._init_context)."""
        return WebClient(
            token=base.token,
            base_url=base.base_url,
            timeout=base.timeout,
            ssl=base.ssl,
            proxy=base.proxy,
            headers=base.headers,
            team_id=body.get("team_id"),
            logger=base.logger,
            retry_handlers=list(base.retry_handlers or []),
        )

    def dedupe(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        key = request_key(req.body)
        if key is not None and not deps.seen.first_time(key):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("duplicate delivery dropped", extra={"retry": retry})
            return BoltResponse(status=200, body="")
        return next()

    app.use(dedupe)
    app.error(on_error)

    def respond_to(body: dict[str, Any]) -> Respond:
        return Respond(response_url=body.get("response_url"), proxy=base.proxy, ssl=base.ssl)

    def tell_reply(body: dict[str, Any], m: Message) -> None:
        respond_to(body)(**_ephemeral(m))

    def tell_user(body: dict[str, Any], m: Message) -> None:
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        if body.get("response_url"):
            tell_reply(body, m)
        elif user:
            SlackChat(client_for(body)).direct_message(user, m)

    def done_already(reply: Callable[[Message], object], outcome: Any, redo: bool) -> None:
        """A redo whose write had already committed: say so, rather than nothing."""
        if redo and outcome.duplicate:
            reply(ALREADY_DONE)

    def later(
        send: Callable[[Outcome | None], None], outcome: Outcome | None, ctx: Context | None
    ) -> Later | None:
        """Batched (SQLite): what to send once the batch commits. Else: send it now."""
        if queue.batched:
            return Later(send, outcome, ctx)
        send(outcome)
        return None

    # -- /coregroup ---------------------------------------------------------------------------

    def run_command(body: dict[str, Any], redo: bool) -> Later | None:
        client = client_for(body)
        ctx = deps.context(
            client, body["user_id"], body.get("channel_id"), request_key(body), defer=queue.batched
        )
        outcome = handle_text(ctx, body.get("text", ""))
        reply: Callable[[Message], object] = lambda m: tell_reply(body, m)  # noqa: E731

        def send(outcome: Outcome | None) -> None:
            assert outcome is not None
            done_already(reply, outcome, redo)
            deliver(
                outcome,
                ctx=ctx,
                port=SlackChat(client),
                reply_to_actor=reply,
                trigger=body.get("trigger_id"),
                email=deps.email,
                calendar=deps.calendar,
                bundle=deps.bundle,
            )

        return later(send, outcome, ctx)

    queue.register("command", run_command, tell_reply, batch=True)

    @app.command("/coregroup")
    def on_command(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        queue.accept("command", slim("command", body, context.team_id))
        ack()

    # -- buttons ------------------------------------------------------------------------------

    def actor_channel(body: dict[str, Any]) -> str | None:
        channel = (body.get("channel") or {}).get("id")
        return channel or (body.get("container") or {}).get("channel_id")

    def run_button(body: dict[str, Any], redo: bool) -> Later | None:
        client = client_for(body)
        action = body["actions"][0]
        ctx = deps.context(
            client, body["user"]["id"], actor_channel(body), request_key(body), defer=queue.batched
        )
        outcome = handle_text(ctx, action.get("value", ""))
        reply: Callable[[Message], object] = lambda m: tell_user(body, m)  # noqa: E731

        def send(outcome: Outcome | None) -> None:
            assert outcome is not None
            done_already(reply, outcome, redo)
            deliver(
                outcome,
                ctx=ctx,
                port=SlackChat(client),
                reply_to_actor=reply,
                trigger=body.get("trigger_id"),
                email=deps.email,
                calendar=deps.calendar,
                bundle=deps.bundle,
            )

        return later(send, outcome, ctx)

    queue.register("run", run_button, tell_user, batch=True)

    @app.action(re.compile(r"^cg\.run:"))
    def on_run(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        queue.accept("run", slim("run", body, context.team_id))
        ack()

    def run_dismiss(body: dict[str, Any], redo: bool) -> Later | None:
        def send(_: Outcome | None) -> None:
            respond_to(body)(delete_original=True)

        return later(send, None, None)

    queue.register("dismiss", run_dismiss, lambda body, m: None, batch=True)

    @app.action(re.compile(r"^cg\.dismiss:"))
    def on_dismiss(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        if body.get("response_url"):
            queue.accept("dismiss", slim("dismiss", body, context.team_id))
        ack()

    # -- forms --------------------------------------------------------------------------------

    def parse_form(body: dict[str, Any]) -> tuple[Any, str | None]:
        view = body["view"]
        form_id, context, channel = read_metadata(view)
        values = form_values(((view.get("state") or {}).get("values")) or {})
        return submit(form_id, values, context), channel

    def tell_form(body: dict[str, Any], m: Message) -> None:
        SlackChat(client_for(body)).direct_message(body["user"]["id"], m)

    def run_form(body: dict[str, Any], redo: bool) -> Later | None:
        client = client_for(body)
        command, channel = parse_form(body)
        user = body["user"]["id"]
        ctx = deps.context(
            client, user, channel, request_key(body) or f"view:{body['view']['id']}", defer=queue.batched
        )
        outcome = handle(ctx, command)
        port = SlackChat(client)

        def tell(m: Message) -> None:
            if channel:
                try:
                    port.post_ephemeral(channel, user, m)
                    return
                except Exception as exc:  # not in that channel (a DM): fall back to the app DM
                    log.info("ephemeral reply fell back to DM", extra={"error": type(exc).__name__})
            port.direct_message(user, m)

        def send(outcome: Outcome | None) -> None:
            assert outcome is not None
            done_already(tell, outcome, redo)
            deliver(
                outcome,
                ctx=ctx,
                port=port,
                reply_to_actor=tell,
                trigger=body.get("trigger_id"),
                email=deps.email,
                calendar=deps.calendar,
                bundle=deps.bundle,
            )

        return later(send, outcome, ctx)

    queue.register("form", run_form, tell_form, batch=True)

    @app.view(FORM_CALLBACK)
    def on_form(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        try:
            parse_form(body)
        except FormError as exc:
            # Beside each field, in the language the modal was shown in.
            lang = form_lang(body["view"])
            errors = {k: plain(localise(v, lang)) for k, v in exc.errors.items() if k != "_"}
            if errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            return
        queue.accept("form", slim("form", body, context.team_id))
        ack()

    # -- App Home -----------------------------------------------------------------------------

    def publish_home(body: dict[str, Any], redo: bool) -> None:
        client = client_for(body)
        user = body["event"]["user"]
        ctx = deps.context(client, user, None, None)
        voice = user_voice(ctx, user, None)
        pages = [voiced(m, voice) for m in home(ctx)]
        client.views_publish(user_id=user, view=home_view(pages, lang=form_voice(voice)))

    queue.register("home", publish_home, lambda body, m: None)

    @app.event("app_home_opened")
    def on_home(ack: Any, body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("tab", "home") == "home":
            queue.accept("home", slim("home", body, context.team_id))
        ack()
