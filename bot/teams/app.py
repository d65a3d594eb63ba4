"""The Teams adapter: Microsoft's Teams SDK (`microsoft-teams-apps`) receives and authenticates,
our handlers decide, the Bot Connector carries the answers.

Inbound, the SDK's `App` serves `/api/messages` (its FastAPI adapter, under uvicorn) and validates
every activity's JWT with the SDK's own validator: signature against the keys named by the Bot
Framework OpenID metadata, issuer, audience (our app id), expiry, and the `serviceurl` claim
against the activity's `serviceUrl`. An unsigned or wrongly signed activity gets 401 from the SDK
and never reaches a listener. `TEAMS_OPENID_METADATA_URL` points the SDK at other metadata
(national clouds, or the tests' local fake) through its `CloudEnvironment`.

Each listener writes the activity to the inbound queue (bot/inbound.py: on disk before the 200,
so a stop or crash loses nothing) and hands it to the worker, so Teams gets its 200 at once (Teams
expects the answer within 15 s, and may redeliver); parsing, the handlers and every connector
call happen on the worker, as on Slack. A retried activity (same id) is dropped here, and the
database's request log drops one that reaches another process.

- `@coregroup <sub-command …>` in a channel, or the same words in the bot's 1:1 chat → the text
  after the mention goes to `handlers.dispatch.handle_text`.
- A card's `Action.Submit` (a message activity with `value`, or an `adaptiveCard/action` invoke
  for Universal Actions) → a button's command line, or a form's values through
  `handlers.forms.submit`.
- Answers only the actor should see go to their 1:1 chat with the bot; if the app isn't installed
  for them (Teams refuses the 1:1 chat), to a threaded reply under their message in the channel.
- Every activity from a linked channel refreshes the stored conversation reference (audited, only
  when it changed), so the reminder sweep can post there proactively.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from bot.chat import (
    BundleRefresher,
    CalendarSender,
    ChatError,
    EmailSender,
    deliver,
    log_calendar,
    log_email,
    said,
)
from bot.clock import Clock
from bot.delivery import refresh_bundle_effect
from bot.edge import DEFAULT_MAX_BODY_BYTES, BodyLimit
from bot.inbound import ALREADY_DONE, InboundQueue
from bot.ops.health import Health
from bot.ops.routes import AckTimer, ops_routes
from bot.teams.cards import (
    CHANNEL,
    CONTEXT,
    FORM,
    KIND,
    LINE,
    card_voice,
    command_text,
    people_fields,
    submitted_values,
    typed_people,
)
from bot.teams.channel import TEAMS
from bot.teams.chat import (
    DEFAULT_SERVICE_URL,
    Here,
    PersonalChats,
    TeamsChat,
    TeamsDirectory,
    reference_json,
)
from bot.teams.connector import Connector
from bot.work import SeenKeys, Worker
from handlers.common import Actor, Config, Context, Person
from handlers.dispatch import handle, handle_text
from handlers.forms import FormError, problem_lines, submit
from handlers.i18n import _, form_voice, localise, verbatim, voiced
from handlers.language import user_voice
from handlers.replies import Message
from storage import repository as repo
from storage.db import Store
from storage.errors import UnknownChannel
from storage.models import CaseConversation, CoreGroup, Member, MemberAddress

log = logging.getLogger("coregroup.teams")

MESSAGES_PATH = "/api/messages"


@dataclass
class TeamsDeps:
    store: Store
    clock: Clock
    connector: Connector
    app_id: str
    tenant_id: str | None = None
    service_url: str = DEFAULT_SERVICE_URL
    config: Config = field(default_factory=Config)
    email: EmailSender = log_email
    #: Calendar work for the calendar worker (`CalendarJobs.notify`, set by `serve --teams`).
    calendar: CalendarSender = log_calendar
    #: Edits the chair's bundle after a late report (the reminders' message).
    bundle: BundleRefresher = refresh_bundle_effect
    worker: Worker = field(default_factory=Worker)
    #: The durable queue between the 200 and the work (made by `Listeners` when not given).
    inbound: InboundQueue | None = None
    seen: SeenKeys = field(default_factory=SeenKeys)
    personal: PersonalChats = field(default_factory=PersonalChats)
    #: Names seen in mentions and roster look-ups: how the bot mentions people back.
    names: OrderedDict[str, str] = field(default_factory=OrderedDict)
    directory_cache: OrderedDict[str, tuple[str, Person] | None] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The Bot Connector URL of the last activity (Teams sends each tenant's regional one).
    seen_service_url: str | None = None

    # -- lookups the chat port needs (store-backed, so the sweep's port has them too) --

    def reference_for(self, channel: str) -> dict[str, Any] | None:
        with self.store.read() as s:
            raw = s.execute(
                select(col(CaseConversation.reference)).where(
                    col(CaseConversation.kind) == TEAMS.name, col(CaseConversation.channel) == channel
                )
            ).scalar()
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def linked_case(self, channel: str) -> str | None:
        with self.store.read() as s:
            return s.execute(
                select(col(CoreGroup.reference))
                .join(CaseConversation, col(CaseConversation.case_id) == col(CoreGroup.id))
                .where(col(CaseConversation.kind) == TEAMS.name, col(CaseConversation.channel) == channel)
            ).scalar()

    def name_of(self, user: str) -> str:
        with self.lock:
            if user in self.names:
                return self.names[user]
        with self.store.read() as s:
            name = s.execute(
                select(col(Member.display_name))
                .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
                .where(
                    col(MemberAddress.kind) == TEAMS.name,
                    col(MemberAddress.whose) == "member",
                    col(MemberAddress.address) == user,
                )
                .order_by(col(Member.id).desc())
            ).scalar()
        return str(name) if name else "member"

    def remember_names(self, names: Mapping[str, str]) -> None:
        with self.lock:
            for uid, name in names.items():
                self.names[uid] = name
                self.names.move_to_end(uid)
            while len(self.names) > 20_000:
                self.names.popitem(last=False)

    def known_service_url(self) -> str:
        """Where proactive 1:1 chats start: the tenant's regional Bot Connector as last seen in an
        activity or a stored conversation reference, else TEAMS_SERVICE_URL."""
        if self.seen_service_url:
            return self.seen_service_url
        with self.store.read() as s:
            raw = s.execute(
                select(col(CaseConversation.reference))
                .where(col(CaseConversation.kind) == TEAMS.name, col(CaseConversation.reference).is_not(None))
                .order_by(col(CaseConversation.case_id).desc())
                .limit(1)
            ).scalar()
        try:
            url = json.loads(raw).get("serviceUrl") if raw else None
        except (ValueError, AttributeError):
            url = None
        return str(url or self.service_url)

    def chat(self, here: Here | None = None) -> TeamsChat:
        """The chat port, answering `here` when given; without it, proactive (the sweep)."""
        return TeamsChat(
            self.connector,
            app_id=self.app_id,
            tenant_id=self.tenant_id,
            service_url=here.service_url if here else self.known_service_url(),
            references=self.reference_for,
            linked_case=self.linked_case,
            name_of=self.name_of,
            personal=self.personal,
            here=here,
        )

    def context(self, here: Here, user: str, key: str | None) -> Context:
        roster = here.team_id or here.conversation_id
        return Context(
            actor=Actor(user, TEAMS, "teams"),
            store=self.store,
            clock=self.clock,
            channel_id=here.channel_id,
            request_key=f"teams:{key}" if key else None,
            directory=_NamingDirectory(
                TeamsDirectory(self.connector, here.service_url, roster, self.directory_cache, self.lock),
                self,
            ),
            config=self.config,
        )


class _NamingDirectory:
    """The roster, remembering each name it finds so replies can mention the person."""

    def __init__(self, inner: TeamsDirectory, deps: TeamsDeps) -> None:
        self.inner = inner
        self.deps = deps

    def person(self, user_id: str) -> Person | None:
        found = self.inner.lookup(user_id)
        if found is None:
            return None
        self.deps.remember_names({found[0]: found[1].name})
        return found[1]

    def teams_id(self, user_ref: str) -> str | None:
        found = self.inner.lookup(user_ref)
        return found[0] if found else None


def here_of(activity: Mapping[str, Any]) -> Here:
    conv = activity.get("conversation") or {}
    data = activity.get("channelData") or {}
    channel = (data.get("channel") or {}).get("id")
    if not channel and conv.get("conversationType") == "channel":
        channel = str(conv.get("id", "")).split(";", 1)[0] or None
    return Here(
        service_url=str(activity.get("serviceUrl") or DEFAULT_SERVICE_URL),
        conversation_id=str(conv.get("id") or ""),
        tenant_id=(data.get("tenant") or {}).get("id") or conv.get("tenantId"),
        channel_id=channel,
        team_id=(data.get("team") or {}).get("id"),
        bot_id=(activity.get("recipient") or {}).get("id"),
        activity_id=activity.get("id"),
    )


class Listeners:
    """What each kind of activity does (after the acknowledgement, on the worker)."""

    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps
        if deps.inbound is None:
            deps.inbound = InboundQueue(deps.store, deps.clock, deps.worker, platform="teams")
        self.queue = deps.inbound
        self._redo = threading.local()
        self.queue.register(
            "message", lambda activity, redo: self._again(redo, self.on_message, activity), self._tell
        )
        self.queue.register(
            "card",
            lambda body, redo: self._again(redo, self.on_submit, body["activity"], body["data"]),
            lambda body, m: self._tell(body["activity"], m),
        )

    def _again(self, redo: bool, fn: Callable[..., None], *args: Any) -> None:
        self._redo.value = redo
        try:
            fn(*args)
        finally:
            self._redo.value = False

    def _done_already(self, outcome: Any, tell: Callable[[Message], object]) -> None:
        """A redo (after a restart or a retry) whose write had committed: say so."""
        if outcome.duplicate and getattr(self._redo, "value", False):
            tell(ALREADY_DONE)

    def _tell(self, activity: dict[str, Any], message: Message) -> None:
        self._teller(activity)(message)

    # -- entry: called off the event loop (it writes the activity to the inbound queue) --

    def accept(self, activity: dict[str, Any]) -> None:
        key = activity.get("id")
        if activity.get("serviceUrl"):
            self.deps.seen_service_url = str(activity["serviceUrl"])
        tenant = here_of(activity).tenant_id
        if self.deps.tenant_id and tenant != self.deps.tenant_id:
            # Case records are for this council's tenant only, whoever else installs the app.
            log.warning("activity from another tenant dropped")
            return
        if key and not self.deps.seen.first_time(f"teams:{key}"):
            log.info("duplicate teams activity dropped")
            return
        kind = activity.get("type")
        if kind == "message":
            self.queue.accept("message", activity)
        elif kind == "invoke" and activity.get("name") == "adaptiveCard/action":
            action = (activity.get("value") or {}).get("action") or {}
            self.queue.accept("card", {"activity": activity, "data": dict(action.get("data") or {})})

    # -- helpers --

    def _teller(self, activity: Mapping[str, Any]) -> Callable[[Message], object]:
        """Private answers: the person's 1:1 chat; threaded reply in the channel if that fails."""
        here = here_of(activity)
        port = self.deps.chat(here)
        user = str((activity.get("from") or {}).get("id") or "")

        def tell(message: Message) -> None:
            if here.channel_id is None:  # already in a 1:1 (or group) chat: answer right there
                port.reply_here(message)
                return
            try:
                port.direct_message(user, message)
            except ChatError as exc:
                log.info("1:1 chat refused; answering in the thread", extra={"code": exc.code})
                thread = (
                    here.conversation_id.split(";messageid=")[-1]
                    if ";messageid=" in here.conversation_id
                    else here.activity_id
                )
                port.post_message(here.channel_id, message, thread=thread)

        return tell

    def _remember(self, here: Here) -> None:
        """Keep the linked case's conversation reference current (for proactive reminders)."""
        if not here.channel_id:
            return
        value = reference_json(here)
        with self.deps.store.transaction() as s:
            try:
                case = repo.case_by_channel(s, here.channel_id)
            except UnknownChannel:
                return
            conv = repo.conversation(s, case.reference, TEAMS.name)
            if conv is None or conv.reference != value:
                repo.set_conversation_reference(
                    s, case.reference, TEAMS.name, value, actor="teams:bot", now=self.deps.clock()
                )

    def _run(self, activity: dict[str, Any], text: str, *, key: str | None) -> None:
        here = here_of(activity)
        user = str((activity.get("from") or {}).get("id") or "")
        ctx = self.deps.context(here, user, key)
        if _is_new(text):
            taken = self.deps.linked_case(here.channel_id) if here.channel_id else None
            if here.channel_id is None or taken:
                answer = _channel_taken(taken) if taken else NEW_IN_A_CHANNEL
                self._teller(activity)(voiced(answer, user_voice(ctx, user, None)))
                return
        outcome = handle_text(ctx, text)
        self._done_already(outcome, self._teller(activity))
        deliver(
            outcome,
            ctx=ctx,
            port=self.deps.chat(here),
            reply_to_actor=self._teller(activity),
            trigger=user,
            email=self.deps.email,
            calendar=self.deps.calendar,
            bundle=self.deps.bundle,
        )
        self._remember(here)

    # -- kinds of activity --

    def on_message(self, activity: dict[str, Any]) -> None:
        value = activity.get("value")
        if isinstance(value, dict) and value.get(KIND):
            self.on_submit(activity, value)
            return
        recipient = (activity.get("recipient") or {}).get("id")
        frm = activity.get("from") or {}
        text, names = command_text(str(activity.get("text") or ""), activity.get("entities"), recipient)
        if frm.get("id") and frm.get("name"):
            names[str(frm["id"])] = str(frm["name"])
        self.deps.remember_names(names)
        self._run(activity, text or "help", key=activity.get("id"))

    def on_submit(self, activity: dict[str, Any], data: dict[str, Any]) -> None:
        kind = data.get(KIND)
        if kind == "run":
            self._run(activity, str(data.get(LINE) or ""), key=activity.get("id"))
        elif kind == "dismiss":
            here = here_of(activity)
            reply_to = activity.get("replyToId")
            if reply_to:
                try:
                    self.deps.chat(here).delete_message(here.conversation_id, str(reply_to))
                except ChatError as exc:
                    log.info("could not remove the card", extra={"code": exc.code})
        elif kind == "form":
            self.on_form(activity, data)

    def on_form(self, activity: dict[str, Any], data: dict[str, Any]) -> None:
        form_id, context = str(data.get(FORM) or ""), str(data.get(CONTEXT) or "")
        channel = str(data.get(CHANNEL) or "") or None
        here = replace(here_of(activity), channel_id=channel)
        ref = self.deps.reference_for(channel) if channel else None
        if ref and ref.get("teamId"):  # the roster to find people in is the channel's team
            here = replace(here, team_id=str(ref["teamId"]))
        user = str((activity.get("from") or {}).get("id") or "")
        tell = self._teller(activity)
        ctx = self.deps.context(here, user, activity.get("id"))
        if form_id == "new" and channel is None:
            tell(voiced(NEW_IN_A_CHANNEL, form_voice(card_voice(data))))
            return
        values = submitted_values(data)
        values.update(typed_people(data, values))  # phones: an address typed instead of a pick
        values = self._people(ctx, people_fields(data), values)
        try:
            command = submit(form_id, values, context)
        except FormError as exc:
            problems = problem_lines(form_id, exc.errors)
            # In the language the card was written in (a problem line names a field by its label).
            lang = form_voice(card_voice(data))
            tell(
                voiced(
                    Message(
                        _("That form needs another look; nothing was saved."),
                        (
                            *(verbatim(localise(p, lang)) for p in problems),
                            _("Correct it in the card and press the button again."),
                        ),
                    ),
                    lang,
                )
            )
            return
        outcome = handle(ctx, command)
        self._done_already(outcome, tell)
        deliver(
            outcome,
            ctx=ctx,
            port=self.deps.chat(here),
            reply_to_actor=tell,
            trigger=user,
            email=self.deps.email,
            calendar=self.deps.calendar,
            bundle=self.deps.bundle,
        )
        self._remember(here)

    @staticmethod
    def _people(ctx: Context, fields: list[str], values: dict[str, Any]) -> dict[str, Any]:
        """The people picker answers with Entra object ids, its typed companion with a work email
        or sign-in name (the Bot Connector looks members up by either); the grammar wants Teams ids."""
        if not isinstance(ctx.directory, _NamingDirectory):
            return values
        for key in fields:
            raw = values.get(key)
            if isinstance(raw, str) and raw and not raw.startswith("29:"):
                values[key] = ctx.directory.teams_id(raw) or raw
        return values


#: Teams can't make a channel for the case everywhere, so `new` links the channel it is typed in;
#: from a 1:1 chat there is none, and a case without a channel would never get channel posts.
NEW_IN_A_CHANNEL = Message(
    _("In Teams, a core group lives in a team channel: type `@coregroup new …` there."),
    (
        _("I link the channel you type it in to the case; nothing has been saved yet."),
        _(
            "Try `{example}` in the channel.",
            example="@coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
        ),
    ),
)


def _channel_taken(reference: str) -> Message:
    return Message(
        _("This channel is already {reference}'s core group channel.", reference=reference),
        (
            _(
                "Nothing has been saved. Make a channel for the new case (private where your tenant "
                "allows), add the app to it, and type `@coregroup new …` there."
            ),
        ),
    )


def _is_new(text: str) -> bool:
    from handlers.parse import CommandError, NewCase, parse

    try:
        return isinstance(parse(text), NewCase)
    except CommandError:
        return text.strip().lower().split(" ", 1)[0] == "new"


# --- the SDK app ---------------------------------------------------------------------------------


def build_app(
    deps: TeamsDeps,
    *,
    app_password: str | None,
    openid_metadata_url: str | None = None,
    messaging_path: str = MESSAGES_PATH,
) -> Any:
    """The Teams SDK `App` with our two routes, initialised (its JWT validator is ready).

    Returns the SDK app; `asgi(app)` is what uvicorn serves.
    """
    import asyncio
    import warnings

    with warnings.catch_warnings():
        # The SDK warns about its own internals (an HTML widget in preview, its deprecated bot
        # client, which it still constructs); nothing here uses either.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*in preview.*")
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
        from microsoft_teams.apps import App, FastAPIAdapter

        cloud = with_overrides(PUBLIC, openid_metadata_url=openid_metadata_url)
        # The secret is only for the SDK's own sending, which this adapter doesn't use
        # (certificate-only deployments pass a placeholder); inbound validation needs the id.
        app = App(
            client_id=deps.app_id,
            client_secret=app_password or "unused-for-inbound",
            tenant_id=deps.tenant_id,
            service_url=deps.service_url,
            cloud=cloud,
            http_server_adapter=FastAPIAdapter(),
            messaging_endpoint=messaging_path,
            dangerously_allow_unauthenticated_requests=False,
        )
    listeners = Listeners(deps)

    # The activity is written to the inbound queue before the 200: off the event loop.
    async def on_message(ctx: Any) -> None:
        await asyncio.to_thread(
            listeners.accept, ctx.activity.model_dump(by_alias=True, exclude_none=True, mode="json")
        )

    async def on_card_action(ctx: Any) -> Any:
        from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
            AdaptiveCardActionMessageResponse,
        )

        activity = ctx.activity.model_dump(by_alias=True, exclude_none=True, mode="json")
        await asyncio.to_thread(listeners.accept, activity)
        # In the voice of the card that was pressed: no lookup stands between the press and this.
        data = ((activity.get("value") or {}).get("action") or {}).get("data") or {}
        return AdaptiveCardActionMessageResponse(value=said(_("Got it: working on it."), card_voice(data)))

    app.on_message(on_message)
    app.on_card_action(on_card_action)
    asyncio.run(app.initialize())
    return app


def asgi(
    app: Any,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    health: Health | None = None,
    extra_routes: Any = (),
) -> Any:
    """The ASGI app uvicorn serves: the SDK's FastAPI app, plus `/healthz`, `/readyz` and `/metrics`
    (bot/ops/routes.py; `health` is what readiness checks), with each activity's acknowledgement
    timed (`coregroup_ack_seconds{platform="teams"}`), the answer page (`extra_routes`,
    bot/page/) on the same port, and the request body
    capped (`bot.edge.BodyLimit`: 413 before an oversized body is read whole) and required to be a
    JSON object (400 otherwise, where the SDK would answer 500 with a traceback)."""
    fastapi = app.server.adapter.app
    if not any(m.cls is BodyLimit for m in fastapi.user_middleware):
        fastapi.add_middleware(BodyLimit, max_bytes=max_body_bytes, json_paths=[MESSAGES_PATH])
        fastapi.add_middleware(AckTimer, platform="teams", paths=[MESSAGES_PATH])
    if not any(getattr(r, "path", None) == "/healthz" for r in fastapi.routes):
        fastapi.router.routes.extend(ops_routes(health))
    for route in extra_routes:  # the answer page (bot/page/), on the same port
        if route not in fastapi.router.routes:
            fastapi.router.routes.append(route)
    return fastapi
