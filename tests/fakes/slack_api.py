"""A local fake of the Slack Web API, served over real HTTP from a thread.

Why a server and not a mock: the bot's `slack_sdk.WebClient` (and Bolt's `respond()` through a
`response_url`) then run unchanged -- headers, form/JSON encoding, retries on 429 and all -- and the
tests see what Slack would have received. The fake is strict where Slack is strict (token, each
method's required arguments, Block Kit limits) so a message that Slack would refuse fails here
first, and it keeps just enough state (channels, members, pins, messages, views) for assertions.

Point a client at it with `WebClient(token="xoxb-test", base_url=fake.base_url)`; Slack's
`response_url` for a command is `fake.response_url("…")`. Every request is recorded in
`fake.calls`, failures included.

Knobs for the nasty cases: `fake.delay = 5.0` (or `fake.delay_methods`) to answer slowly,
`fake.rate_limit(method, times=2, retry_after=1)` for bursts of HTTP 429 with `Retry-After`,
`fake.fail(method, "channel_not_found")` for one-off API errors.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# --- Slack's documented limits (https://api.slack.com/reference/block-kit) ------------------------

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio buttons
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_CHANNEL_NAME = 80

#: Required arguments per method. A tuple inside the tuple means "at least one of these".
REQUIRED_ARGS: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "auth.test": (),
    "api.test": (),
    "chat.postMessage": ("channel", ("text", "blocks", "attachments")),
    "chat.postEphemeral": ("channel", "user", ("text", "blocks", "attachments")),
    "chat.update": ("channel", "ts"),
    "chat.delete": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "conversations.create": ("name",),
    "conversations.invite": ("channel", "users"),
    "conversations.kick": ("channel", "user"),
    "conversations.archive": ("channel",),
    "conversations.info": ("channel",),
    "conversations.members": ("channel",),
    "conversations.open": (("users", "channel"),),
    "conversations.setPurpose": ("channel", "purpose"),
    "conversations.setTopic": ("channel", "topic"),
    "pins.add": ("channel", "timestamp"),
    "pins.remove": ("channel", "timestamp"),
    "users.info": ("user",),
    "users.lookupByEmail": ("email",),
    "views.open": (("trigger_id", "interactivity_pointer"), "view"),
    "views.push": (("trigger_id", "interactivity_pointer"), "view"),
    "views.update": ("view", ("view_id", "external_id")),
    "views.publish": ("user_id", "view"),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
}

#: Arguments Slack sends as JSON strings inside a form body.
_JSON_ARGS = ("blocks", "attachments", "view", "metadata")

_CHANNEL_NAME = re.compile(r"^[a-z0-9_\-\u00c0-\uffff]+$")
_TEXT_TYPES = ("plain_text", "mrkdwn")


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    status: int = 200
    ok: bool = True
    error: str | None = None
    #: `time.monotonic()` when the request arrived, and when it was answered (after any delay).
    at: float = field(default_factory=time.monotonic)
    answered_at: float = 0.0
    #: The URL path it was posted to (tells one `response_url` from another).
    path: str = ""


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False
    team_id: str = "T0000TEST"

    def as_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"real_name": self.real_name, "display_name": self.name}
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "tz": "Europe/London",
            "profile": profile,
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    creator: str
    members: set[str] = field(default_factory=set)
    pins: list[str] = field(default_factory=list)
    is_archived: bool = False
    purpose: str = ""
    topic: str = ""


class BlockKitError(ValueError):
    """The blocks or view break a Block Kit rule; `errors` lists each problem like Slack does."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


# --- Block Kit validation: a pure function, usable on its own in unit tests ----------------------


def validate_blocks(blocks: Any, surface: str = "message", *, max_buttons: int | None = 5) -> list[str]:
    """Every Block Kit problem in `blocks` for `surface` ("message", "modal" or "home").

    `max_buttons` is a house rule stricter than Slack's 25 elements per actions block: a message
    offers the few expected answers, with at most one primary button (messages.md). None turns it
    off.
    """
    errors: list[str] = []
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    limit = MAX_MESSAGE_BLOCKS if surface == "message" else MAX_VIEW_BLOCKS
    if len(blocks) > limit:
        errors.append(f"must provide no more than {limit} items [json-pointer:/blocks]")
    block_ids: set[str] = set()
    primaries = 0
    buttons = 0
    for i, block in enumerate(blocks):
        where = f"/blocks/{i}"
        if not isinstance(block, Mapping) or "type" not in block:
            errors.append(f"block must be an object with a type [json-pointer:{where}]")
            continue
        bid = block.get("block_id")
        if bid is not None:
            if not isinstance(bid, str) or not 0 < len(bid) <= MAX_BLOCK_ID:
                errors.append(f"block_id must be 1-{MAX_BLOCK_ID} chars [json-pointer:{where}]")
            elif bid in block_ids:
                errors.append(f"block_id {bid!r} is not unique [json-pointer:{where}/block_id]")
            block_ids.add(str(bid))
        kind = block["type"]
        # Slack: an action_id must be unique among the elements of its containing block.
        action_ids: set[str] = set()
        if kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                errors.append(f"section needs text or fields [json-pointer:{where}]")
            if text is not None:
                errors += _text(text, f"{where}/text", MAX_SECTION_TEXT, _TEXT_TYPES)
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > MAX_SECTION_FIELDS:
                    errors.append(f"fields: at most {MAX_SECTION_FIELDS} [json-pointer:{where}]")
                else:
                    for j, f in enumerate(fields):
                        errors += _text(f, f"{where}/fields/{j}", MAX_FIELD_TEXT, _TEXT_TYPES)
            acc = block.get("accessory")
            if acc is not None:
                b, p = _element(acc, f"{where}/accessory", action_ids, errors)
                buttons += b
                primaries += p
        elif kind == "header":
            errors += _text(block.get("text"), f"{where}/text", MAX_HEADER_TEXT, ("plain_text",))
        elif kind == "divider":
            pass
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS:
                errors.append(f"context needs 1-{MAX_CONTEXT_ELEMENTS} elements [json-pointer:{where}]")
            else:
                for j, el in enumerate(elements):
                    if isinstance(el, Mapping) and el.get("type") == "image":
                        continue
                    errors += _text(el, f"{where}/elements/{j}", MAX_SECTION_TEXT, _TEXT_TYPES)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 0 < len(elements) <= MAX_ACTIONS_ELEMENTS:
                errors.append(f"actions needs 1-{MAX_ACTIONS_ELEMENTS} elements [json-pointer:{where}]")
            else:
                for j, el in enumerate(elements):
                    b, p = _element(el, f"{where}/elements/{j}", action_ids, errors)
                    buttons += b
                    primaries += p
        elif kind == "input":
            if surface == "message":
                errors.append(f"input blocks belong in modals [json-pointer:{where}]")
            errors += _text(block.get("label"), f"{where}/label", MAX_LABEL, ("plain_text",))
            if block.get("hint") is not None:
                errors += _text(block["hint"], f"{where}/hint", MAX_LABEL, ("plain_text",))
            el = block.get("element")
            if el is None:
                errors.append(f"input needs an element [json-pointer:{where}]")
            else:
                _element(el, f"{where}/element", action_ids, errors)
        elif kind in ("rich_text", "image", "file", "video"):
            pass
        else:
            errors.append(f"unknown block type {kind!r} [json-pointer:{where}/type]")
    if max_buttons is not None and surface == "message" and buttons > max_buttons:
        errors.append(f"house rule: at most {max_buttons} buttons in a message, got {buttons}")
    if surface == "message" and primaries > 1:
        errors.append(f"house rule: at most one primary button in a message, got {primaries}")
    return errors


def _text(obj: Any, where: str, limit: int, types: tuple[str, ...]) -> list[str]:
    if not isinstance(obj, Mapping):
        return [f"must be a text object [json-pointer:{where}]"]
    if obj.get("type") not in types:
        return [f"text type must be one of {', '.join(types)} [json-pointer:{where}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"text must be a non-empty string [json-pointer:{where}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []


def _options(opts: Any, where: str, limit: int, errors: list[str]) -> None:
    if not isinstance(opts, list) or not 0 < len(opts) <= limit:
        errors.append(f"needs 1-{limit} options [json-pointer:{where}]")
        return
    values: set[str] = set()
    for k, opt in enumerate(opts):
        ow = f"{where}/{k}"
        if not isinstance(opt, Mapping):
            errors.append(f"option must be an object [json-pointer:{ow}]")
            continue
        errors += _text(opt.get("text"), f"{ow}/text", MAX_OPTION_TEXT, _TEXT_TYPES)
        value = opt.get("value")
        if not isinstance(value, str) or not 0 < len(value) <= MAX_OPTION_VALUE:
            errors.append(f"option value must be 1-{MAX_OPTION_VALUE} chars [json-pointer:{ow}]")
        elif value in values:
            errors.append(f"option value {value!r} is repeated [json-pointer:{ow}/value]")
        else:
            values.add(value)


def _element(el: Any, where: str, action_ids: set[str], errors: list[str]) -> tuple[int, int]:
    """Check one interactive element; returns (buttons, primary buttons) it adds."""
    if not isinstance(el, Mapping) or "type" not in el:
        errors.append(f"element must be an object with a type [json-pointer:{where}]")
        return 0, 0
    aid = el.get("action_id")
    if aid is not None:
        if not isinstance(aid, str) or not 0 < len(aid) <= MAX_ACTION_ID:
            errors.append(f"action_id must be 1-{MAX_ACTION_ID} chars [json-pointer:{where}]")
        elif aid in action_ids:
            errors.append(f"action_id {aid!r} is not unique [json-pointer:{where}/action_id]")
        action_ids.add(str(aid))
    kind = el["type"]
    if kind == "button":
        errors += _text(el.get("text"), f"{where}/text", MAX_BUTTON_TEXT, ("plain_text",))
        value = el.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > MAX_BUTTON_VALUE):
            errors.append(f"value must be at most {MAX_BUTTON_VALUE} chars [json-pointer:{where}]")
        style = el.get("style")
        if style not in (None, "primary", "danger"):
            errors.append(f"style must be primary or danger [json-pointer:{where}/style]")
        return 1, int(style == "primary")
    if kind == "plain_text_input":
        ph = el.get("placeholder")
        if ph is not None:
            errors += _text(ph, f"{where}/placeholder", MAX_PLACEHOLDER, ("plain_text",))
        mx = el.get("max_length")
        if mx is not None and (not isinstance(mx, int) or not 0 < mx <= 3000):
            errors.append(f"max_length must be 1-3000 [json-pointer:{where}/max_length]")
    elif kind in ("static_select", "multi_static_select", "overflow"):
        if "option_groups" not in el:
            limit = 5 if kind == "overflow" else MAX_OPTIONS
            _options(el.get("options"), f"{where}/options", limit, errors)
    elif kind in ("checkboxes", "radio_buttons"):
        _options(el.get("options"), f"{where}/options", MAX_CHOICE_OPTIONS, errors)
    elif kind in (
        "datepicker",
        "timepicker",
        "datetimepicker",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "email_text_input",
        "number_input",
        "url_text_input",
        "external_select",
        "multi_external_select",
    ):
        pass
    else:
        errors.append(f"unknown element type {kind!r} [json-pointer:{where}/type]")
    return 0, 0


def validate_view(view: Any) -> list[str]:
    """Every problem in a modal or App Home view object."""
    if not isinstance(view, Mapping):
        return ["view must be an object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view type must be modal or home, got {kind!r}"]
    errors: list[str] = []
    blocks = view.get("blocks")
    errors += validate_blocks(blocks, kind, max_buttons=None)
    if kind == "modal":
        errors += _text(view.get("title"), "/view/title", MAX_VIEW_TITLE, ("plain_text",))
        for key in ("submit", "close"):
            if view.get(key) is not None:
                errors += _text(view[key], f"/view/{key}", MAX_VIEW_TITLE, ("plain_text",))
        has_input = isinstance(blocks, list) and any(
            isinstance(b, Mapping) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            errors.append("a modal with input blocks needs a submit button [json-pointer:/view]")
    cid = view.get("callback_id")
    if cid is not None and (not isinstance(cid, str) or len(cid) > MAX_CALLBACK_ID):
        errors.append(f"callback_id must be at most {MAX_CALLBACK_ID} chars")
    meta = view.get("private_metadata")
    if meta is not None and (not isinstance(meta, str) or len(meta) > MAX_PRIVATE_METADATA):
        errors.append(f"private_metadata must be at most {MAX_PRIVATE_METADATA} chars")
    return errors


# --- the server ---------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


class FakeSlackAPI:
    """The fake Web API. Use as a context manager, or call `start()` / `stop()`."""

    def __init__(
        self,
        token: str = "xoxb-test",
        *,
        app_token: str = "xapp-test",
        team_id: str = "T0000TEST",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        max_buttons: int | None = 5,
        users: Iterable[User] = (),
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.max_buttons = max_buttons
        #: Seconds every request waits before answering (a slow Slack).
        self.delay = 0.0
        #: Per-method delays, overriding `delay`.
        self.delay_methods: dict[str, float] = {}
        self.calls: list[Call] = []
        self.users: dict[str, User] = {u.id: u for u in users}
        self.channels: dict[str, Channel] = {}
        self.messages: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        #: Files by id (files_upload_v2): name, title, length, content (bytes), channels.
        self.files: dict[str, dict[str, Any]] = {}
        self._rate_limits: dict[str, list[int]] = {}
        self._failures: dict[str, list[str]] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add_user(User(bot_user_id, "coregroup", "Core group bot", is_bot=True))

    # -- lifecycle --

    def start(self) -> FakeSlackAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The Web API base for `WebClient(base_url=…)`; ends with `/` as slack_sdk requires."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A `response_url` as Slack puts in a command or action; posts to it are recorded."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- configuration --

    def add_user(self, user: User) -> User:
        with self._lock:
            self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        with self._lock:
            self.channels[channel.id] = channel
        return channel

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and `Retry-After`."""
        with self._lock:
            self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- inspection --

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def args_of(self, method: str) -> list[dict[str, Any]]:
        """Arguments of the successful calls to `method`, oldest first."""
        return [c.args for c in self.calls_to(method, ok=True)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` successful calls of `method` arrived; the calls, or AssertionError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                calls = [c for c in self.calls if c.method == method and c.ok]
                if len(calls) >= count:
                    return calls
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(
                        f"expected {count} successful {method} call(s) within {timeout}s, got "
                        f"{len(calls)}; methods seen: {seen}; errors: "
                        f"{[(c.method, c.error) for c in self.calls if not c.ok]}"
                    )
                self._changed.wait(left)

    def channel_named(self, name: str) -> Channel | None:
        with self._lock:
            return next((c for c in self.channels.values() if c.name == name), None)

    def errors(self) -> list[tuple[str, str | None]]:
        """(method, error) of every refused call: a test that expects none asserts this is []."""
        with self._lock:
            return [(c.method, c.error) for c in self.calls if not c.ok]

    # -- request handling --

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in req.headers.items()}
        if url.path.startswith("/upload/v1/"):
            self._receive_upload(req, url.path.rsplit("/", 1)[-1], raw, headers)
            return
        args = self._args(url.query, raw, headers.get("content-type", ""))
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else args.pop("token", None)

        if url.path.startswith("/response/"):
            method = "response_url"
        elif url.path.startswith("/api/"):
            method = url.path[len("/api/") :]
        else:
            self._send(req, 404, {"ok": False, "error": "not_found"})
            return
        call = Call(method=method, args=args, token=token, headers=headers, path=url.path)
        delay = self.delay_methods.get(method, self.delay)
        if delay:
            time.sleep(delay)
        status, extra_headers = 200, {}
        body: dict[str, Any] = {"ok": True}
        try:
            with self._lock:
                retry = self._rate_limits.get(method)
                if retry:
                    wait = retry.pop(0)
                    extra_headers["Retry-After"] = str(wait)
                    raise _ApiError("ratelimited", status=429)
                body = self._dispatch(method, args, token, call)
        except _ApiError as exc:
            status = exc.status
            body = {"ok": False, "error": exc.error, **exc.extra}
            call.ok, call.error, call.status = False, exc.error, status
        call.answered_at = time.monotonic()
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if method == "response_url":
            self._send(req, status, None if call.ok else body, extra_headers)
        else:
            self._send(req, status, body, extra_headers)

    def _receive_upload(
        self, req: BaseHTTPRequestHandler, file_id: str, raw: bytes, headers: dict[str, str]
    ) -> None:
        """Step 2 of files_upload_v2: the bytes, POSTed to the URL step 1 handed out. Slack checks
        the length against the one declared in step 1; so does the fake."""
        call = Call(
            method="files.upload", args={"file_id": file_id, "bytes": len(raw)}, token=None, headers=headers
        )
        with self._lock:
            f = self.files.get(file_id)
            if f is None:
                call.ok, call.error, call.status = False, "file_not_found", 404
            elif len(raw) != f["length"]:
                call.ok, call.error, call.status = False, "length_mismatch", 400
            else:
                f["content"] = raw
        call.answered_at = time.monotonic()
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        data = f"OK - {len(raw)}".encode() if call.ok else str(call.error).encode()
        req.send_response(call.status)
        req.send_header("Content-Type", "text/plain")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    @staticmethod
    def _args(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
        args: dict[str, Any] = dict(parse_qsl(query))
        if raw:
            if "json" in content_type:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"_invalid_json": raw.decode("utf-8", "replace")}
                if isinstance(body, dict):
                    args.update(body)
            else:
                args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        for key in _JSON_ARGS:
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError as exc:
                    raise_later = f"invalid_{key}"
                    args[key] = {"_invalid_json": args[key], "_error": raise_later, "_exc": str(exc)}
        return args

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any] | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = b"ok" if body is None else json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "text/plain" if body is None else "application/json")
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _new_ts(self) -> str:
        return f"{1_800_000_000 + next(self._ts)}.000100"

    def _dispatch(self, method: str, args: dict[str, Any], token: str | None, call: Call) -> Any:
        if method == "response_url":
            self._check_message(args, require_text=False)
            self.messages.append({"response_url": True, **args})
            return {"ok": True}
        if method == "apps.connections.open":
            if token != self.app_token:
                raise _ApiError("invalid_auth" if token else "not_authed")
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if not token:
            raise _ApiError("not_authed")
        if token != self.token:
            raise _ApiError("invalid_auth")
        if method not in REQUIRED_ARGS:
            raise _ApiError("unknown_method")
        for need in REQUIRED_ARGS[method]:
            names = need if isinstance(need, tuple) else (need,)
            if not any(args.get(n) not in (None, "", []) for n in names):
                raise _ApiError("invalid_arguments", response_metadata={"messages": [f"missing {names}"]})
        failures = self._failures.get(method)
        if failures:
            raise _ApiError(failures.pop(0))
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        return handler(args) if handler else {"ok": True}

    # -- checks shared by the message methods --

    def _check_message(self, args: Mapping[str, Any], *, require_text: bool = True) -> None:
        text = args.get("text")
        if text is not None and len(str(text)) > MAX_MESSAGE_TEXT:
            raise _ApiError("msg_too_long")
        blocks = args.get("blocks")
        if isinstance(blocks, Mapping) and "_error" in blocks:
            raise _ApiError("invalid_blocks_format")
        if blocks is not None:
            errors = validate_blocks(blocks, "message", max_buttons=self.max_buttons)
            if errors:
                raise _ApiError("invalid_blocks", errors=errors)

    def _check_view(self, args: Mapping[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if isinstance(view, Mapping) and "_error" in view:
            raise _ApiError("invalid_arguments")
        errors = validate_view(view)
        if errors:
            raise _ApiError("invalid_arguments", response_metadata={"messages": errors})
        assert isinstance(view, dict)
        return view

    def _channel(self, channel_id: str) -> Channel:
        ch = self.channels.get(channel_id)
        if ch is None:
            raise _ApiError("channel_not_found")
        if ch.is_archived:
            raise _ApiError("is_archived")
        return ch

    def _user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise _ApiError("user_not_found")
        return user

    # -- methods --

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake team",
            "team_id": self.team_id,
            "user": "coregroup",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post(self, args: dict[str, Any], ephemeral: bool = False) -> dict[str, Any]:
        self._check_message(args)
        channel = str(args["channel"])
        if channel.startswith(("C", "G")) and channel in self.channels:
            ch = self._channel(channel)
            if self.bot_user_id not in ch.members and ch.is_private:
                raise _ApiError("not_in_channel")
        ts = self._new_ts()
        self.messages.append({"ts": ts, "ephemeral": ephemeral, **args})
        return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, **args}}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._post(args)

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._user(str(args["user"]))
        out = self._post(args, ephemeral=True)
        return {"ok": True, "message_ts": out["ts"]}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        self._check_message(args)
        for m in self.messages:
            if m.get("ts") == args["ts"] and m.get("channel") == args["channel"]:
                m.update(args)
                return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        raise _ApiError("message_not_found")

    def _m_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        link = f"https://fake.slack.test/archives/{args['channel']}/p{args['message_ts']}"
        return {"ok": True, "permalink": link}

    def _m_conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args["name"])
        if len(name) > MAX_CHANNEL_NAME or not _CHANNEL_NAME.match(name):
            raise _ApiError("invalid_name_specials")
        if any(c.name == name for c in self.channels.values()):
            raise _ApiError("name_taken")
        private = str(args.get("is_private", "")).lower() in ("1", "true")
        ch = Channel(
            self._new_id("G" if private else "C"),
            name,
            private,
            self.bot_user_id,
            members={self.bot_user_id},
        )
        self.channels[ch.id] = ch
        return {"ok": True, "channel": self._channel_json(ch)}

    def _channel_json(self, ch: Channel) -> dict[str, Any]:
        return {
            "id": ch.id,
            "name": ch.name,
            "is_channel": not ch.is_private,
            "is_group": False,
            "is_private": ch.is_private,
            "is_archived": ch.is_archived,
            "creator": ch.creator,
            "purpose": {"value": ch.purpose},
            "topic": {"value": ch.topic},
        }

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self.channels.get(str(args["channel"]))
        if ch is None:
            raise _ApiError("channel_not_found")
        return {"ok": True, "channel": self._channel_json(ch)}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        return {"ok": True, "members": sorted(ch.members), "response_metadata": {"next_cursor": ""}}

    def _m_conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        if self.bot_user_id not in ch.members:
            raise _ApiError("not_in_channel")
        users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
        if len(users) > 1000:
            raise _ApiError("too_many_users")
        for u in users:
            self._user(u)
        if all(u in ch.members for u in users):
            raise _ApiError("already_in_channel")
        ch.members.update(users)
        return {"ok": True, "channel": self._channel_json(ch)}

    def _m_conversations_kick(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        user = str(args["user"])
        if user == self.bot_user_id:
            raise _ApiError("cant_kick_self")
        if user not in ch.members:
            raise _ApiError("not_in_channel")
        ch.members.discard(user)
        return {"ok": True}

    def _m_conversations_archive(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        ch.is_archived = True
        return {"ok": True}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "")
        if users:
            for u in users.split(","):
                self._user(u.strip())
        return {"ok": True, "channel": {"id": "D" + (users.split(",")[0][1:] or "CHANNEL")}}

    def _m_conversations_setPurpose(self, args: dict[str, Any]) -> dict[str, Any]:
        self._channel(str(args["channel"])).purpose = str(args["purpose"])
        return {"ok": True, "purpose": args["purpose"]}

    def _m_conversations_setTopic(self, args: dict[str, Any]) -> dict[str, Any]:
        self._channel(str(args["channel"])).topic = str(args["topic"])
        return {"ok": True, "topic": args["topic"]}

    def _m_pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        ts = str(args["timestamp"])
        if not any(m.get("ts") == ts and m.get("channel") == ch.id for m in self.messages):
            raise _ApiError("message_not_found")
        if ts in ch.pins:
            raise _ApiError("already_pinned")
        ch.pins.append(ts)
        return {"ok": True}

    def _m_pins_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._channel(str(args["channel"]))
        ts = str(args["timestamp"])
        if ts not in ch.pins:
            raise _ApiError("no_pin")
        ch.pins.remove(ts)
        return {"ok": True}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": self._user(str(args["user"])).as_json()}

    def _m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).lower()
        for u in self.users.values():
            if u.email and u.email.lower() == email:
                return {"ok": True, "user": u.as_json()}
        raise _ApiError("users_not_found")

    def _view_json(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        return {"id": view_id, "team_id": self.team_id, "hash": f"h{view_id}", **view}

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args)
        if view.get("type") != "modal":
            raise _ApiError("invalid_arguments")
        view_id = self._new_id("V")
        self.views[view_id] = view
        return {"ok": True, "view": self._view_json(view, view_id)}

    _m_views_push = _m_views_open

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args)
        view_id = str(args.get("view_id") or args.get("external_id"))
        if view_id not in self.views:
            raise _ApiError("not_found")
        self.views[view_id] = view
        return {"ok": True, "view": self._view_json(view, view_id)}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise _ApiError("invalid_arguments") from None
        if length <= 0:
            raise _ApiError("invalid_arguments")
        file_id = self._new_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": str(args["filename"]),
            "length": length,
            "content": None,
            "title": None,
            "channels": [],
        }
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/v1/{file_id}",
        }

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        raw = args["files"]
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise _ApiError("invalid_arguments") from None
        if not isinstance(items, list) or not items:
            raise _ApiError("invalid_arguments")
        channel = args.get("channel_id") or args.get("channels")
        if channel:
            ch = self._channel(str(channel))
            if ch.is_private and self.bot_user_id not in ch.members:
                raise _ApiError("not_in_channel")
        done = []
        for item in items:
            f = self.files.get(str(item.get("id")))
            if f is None or f["content"] is None:
                raise _ApiError("file_not_found")
            f["title"] = item.get("title") or f["name"]
            if channel:
                f["channels"].append(str(channel))
            done.append({"id": f["id"], "name": f["name"], "title": f["title"]})
        if channel:
            self._check_message(args, require_text=False)
            ts = self._new_ts()
            self.messages.append(
                {
                    "ts": ts,
                    "channel": str(channel),
                    "ephemeral": False,
                    "text": args.get("initial_comment") or "",
                    "files": [d["id"] for d in done],
                }
            )
        return {"ok": True, "files": done}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(args)
        if view.get("type") != "home":
            raise _ApiError("invalid_arguments")
        user = str(args["user_id"])
        self._user(user)
        self.home_views[user] = view
        return {"ok": True, "view": self._view_json(view, "VHOME" + user)}
