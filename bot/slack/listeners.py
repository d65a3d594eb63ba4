"""The Slack listeners: acknowledge at once, then do the work on the worker.

One slash command (`/coregroup`), two kinds of button (`cg.run:*` runs a command line carried in
the button's value, `cg.dismiss:*` clears an ephemeral question), one modal callback (`cg.form`)
and one event (`app_home_opened`). Every listener queues its work on the worker (a non-blocking
hand-off, so no work is lost between the ack and the queue) and acknowledges at once; parsing, the
database and every Web API call happen on the worker. A retry of something already seen (same `event_id` or
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

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.chat import CalendarSender, EmailSender, _log_calendar, _log_email, deliver
from bot.clock import Clock
from bot.slack.blocks import (
    FORM_CALLBACK,
    form_values,
    home_view,
    message_payload,
    plain,
    read_metadata,
)
from bot.slack.chat import SlackChat, SlackDirectory
from bot.slack.worker import Worker
from handlers.common import Actor, Config, Context, Person
from handlers.dispatch import handle, handle_text
from handlers.forms import FormError, submit
from handlers.home import home
from handlers.replies import Message
from storage.db import Store

log = logging.getLogger("coregroup.slack")

OOPS = Message(
    "Something went wrong on my side; it has been logged.",
    ("Check `/coregroup status` before trying again: part of the change may have been saved.",),
)


class SeenKeys:
    """The request ids this process has already taken (bounded, oldest forgotten first)."""

    def __init__(self, size: int = 20_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


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
    email: EmailSender = _log_email
    #: Calendar work after the ack (`CalendarJobs.notify` in `coregroup serve`).
    calendar: CalendarSender = _log_calendar
    worker: Worker = field(default_factory=Worker)
    seen: SeenKeys = field(default_factory=SeenKeys)
    directory_cache: OrderedDict[str, Person | None] = field(default_factory=OrderedDict)
    directory_lock: threading.Lock = field(default_factory=threading.Lock)

    def context(self, client: WebClient, user: str, channel: str | None,
                key: str | None) -> Context:
        return Context(
            actor=Actor(user, "slack", "slack"),
            store=self.store,
            clock=self.clock,
            channel_id=channel,
            request_key=f"slack:{key}" if key else None,
            directory=SlackDirectory(client, self.directory_cache, self.directory_lock),
            config=self.config,
        )


def _ephemeral(message: Message) -> dict[str, Any]:
    return {**message_payload(message), "response_type": "ephemeral", "replace_original": False}


def on_error(error: Exception, body: dict[str, Any] | None = None,
             logger: logging.Logger | None = None) -> None:
    """The one error handler: the traceback goes to the log, never the request body."""
    kind = (body or {}).get("type") or ((body or {}).get("command") and "command") or "request"
    (logger or log).exception("listener failed on a %s", kind, exc_info=error)


def register(app: App, deps: SlackDeps) -> None:
    """Wire every listener onto `app`."""

    def dedupe(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
               ) -> BoltResponse:
        key = request_key(req.body)
        if key is not None and not deps.seen.first_time(key):
            retry = req.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("duplicate delivery dropped", extra={"retry": retry})
            return BoltResponse(status=200, body="")
        return next()

    app.use(dedupe)
    app.error(on_error)

    def later(fn: Callable[..., None], *args: Any, tell: Callable[[Message], object]) -> None:
        def guarded() -> None:
            try:
                fn(*args)
            except Exception as exc:
                on_error(exc)
                try:
                    tell(OOPS)
                except Exception as inner:  # the platform is down too: the log has both
                    on_error(inner)

        deps.worker.submit(guarded)

    # -- /coregroup ---------------------------------------------------------------------------

    def run_command(body: dict[str, Any], client: WebClient, respond: Any) -> None:
        ctx = deps.context(client, body["user_id"], body.get("channel_id"), request_key(body))
        outcome = handle_text(ctx, body.get("text", ""))
        deliver(outcome, ctx=ctx, port=SlackChat(client),
                reply_to_actor=lambda m: respond(**_ephemeral(m)),
                trigger=body.get("trigger_id"), email=deps.email, calendar=deps.calendar)

    @app.command("/coregroup")
    def on_command(ack: Any, body: dict[str, Any], client: WebClient, respond: Any) -> None:
        later(run_command, body, client, respond, tell=lambda m: respond(**_ephemeral(m)))
        ack()

    # -- buttons ------------------------------------------------------------------------------

    def actor_channel(body: dict[str, Any]) -> str | None:
        channel = (body.get("channel") or {}).get("id")
        return channel or (body.get("container") or {}).get("channel_id")

    def teller(body: dict[str, Any], client: WebClient, respond: Any
               ) -> Callable[[Message], object]:
        user = body["user"]["id"]
        if body.get("response_url"):
            return lambda m: respond(**_ephemeral(m))
        return lambda m: SlackChat(client).direct_message(user, m)

    def run_button(body: dict[str, Any], client: WebClient, respond: Any) -> None:
        action = body["actions"][0]
        ctx = deps.context(client, body["user"]["id"], actor_channel(body), request_key(body))
        outcome = handle_text(ctx, action.get("value", ""))
        deliver(outcome, ctx=ctx, port=SlackChat(client), reply_to_actor=teller(body, client, respond),
                trigger=body.get("trigger_id"), email=deps.email, calendar=deps.calendar)

    @app.action(re.compile(r"^cg\.run:"))
    def on_run(ack: Any, body: dict[str, Any], client: WebClient, respond: Any) -> None:
        later(run_button, body, client, respond, tell=teller(body, client, respond))
        ack()

    @app.action(re.compile(r"^cg\.dismiss:"))
    def on_dismiss(ack: Any, body: dict[str, Any], respond: Any) -> None:
        if body.get("response_url"):
            later(lambda: respond(delete_original=True), tell=lambda m: None)
        ack()

    # -- forms --------------------------------------------------------------------------------

    def parse_form(body: dict[str, Any]) -> tuple[Any, str | None]:
        view = body["view"]
        form_id, context, channel = read_metadata(view)
        values = form_values(((view.get("state") or {}).get("values")) or {})
        return submit(form_id, values, context), channel

    def run_form(body: dict[str, Any], client: WebClient) -> None:
        command, channel = parse_form(body)
        user = body["user"]["id"]
        ctx = deps.context(client, user, channel, request_key(body) or f"view:{body['view']['id']}")
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

        deliver(outcome, ctx=ctx, port=port, reply_to_actor=tell, trigger=body.get("trigger_id"),
                email=deps.email, calendar=deps.calendar)

    @app.view(FORM_CALLBACK)
    def on_form(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        try:
            parse_form(body)
        except FormError as exc:
            errors = {k: plain(v) for k, v in exc.errors.items() if k != "_"}
            if errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            return
        user = body["user"]["id"]
        later(run_form, body, client,
              tell=lambda m: SlackChat(client).direct_message(user, m))
        ack()

    # -- App Home -----------------------------------------------------------------------------

    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        ctx = deps.context(client, event["user"], None, None)
        client.views_publish(user_id=event["user"], view=home_view(home(ctx)))

    @app.event("app_home_opened")
    def on_home(ack: Any, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home":
            later(publish_home, event, client, tell=lambda m: None)
        ack()
