"""A local fake of the Bot Framework side of Teams: the OpenID metadata and signing keys that
inbound tokens are checked against, the Bot Connector REST API that replies go to, and a helper
that signs activities' tokens as the Bot Framework does (RS256, `kid`, issuer, audience,
`serviceurl`) with a test RSA key.

The connector records every call (method, path, JSON body) so tests assert bodies field by
field, checks the bearer token, answers 429 + Retry-After when told to (`throttle`), keeps a team
roster for `GET …/members/{id}` (by Teams id, Entra object id or user principal name), and creates
1:1 conversations.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
APP_ID = "00000000-0000-4000-8000-00000000b07a"
TENANT = "11111111-2222-4333-8444-555555555555"
CONNECTOR_TOKEN = "connector-token-for-tests"
BOT_ID = f"28:{APP_ID}"


class SigningKey:
    """An RSA key with a key id; `jwk()` is its public half as the JWKS lists it."""

    def __init__(self, kid: str | None = None) -> None:
        self.kid = kid or f"test-{uuid.uuid4().hex[:8]}"
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        data.update({"kid": self.kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
        return data

    def token(
        self,
        *,
        service_url: str,
        audience: str = APP_ID,
        issuer: str = ISSUER,
        lifetime: int = 3600,
        now: float | None = None,
        **claims: Any,
    ) -> str:
        at = int(now if now is not None else time.time())
        payload = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": at - 5,
            "iat": at - 5,
            "exp": at + lifetime,
            **claims,
        }
        return jwt.encode(payload, self.private, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class Call:
    method: str
    path: str
    body: Any
    status: int
    authorization: str | None


@dataclass
class RosterEntry:
    id: str
    name: str
    email: str
    aad: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "userPrincipalName": self.email,
            "aadObjectId": self.aad,
            "givenName": self.name.split(" ")[0],
            "tenantId": TENANT,
        }


class FakeTeams:
    """OpenID metadata + JWKS + Bot Connector, on one local port."""

    def __init__(
        self,
        *,
        token: str = CONNECTOR_TOKEN,
        roster: list[RosterEntry] | None = None,
        no_personal_chat: set[str] | None = None,
    ) -> None:
        self.key = SigningKey()
        self.keys = [self.key]
        self.token = token
        self.roster = {r.id: r for r in roster or []}
        #: Users the bot may not open a 1:1 chat with (app not installed for them): 403.
        self.no_personal_chat = set(no_personal_chat or ())
        self.calls: list[Call] = []
        self._throttle: list[int] = []  # Retry-After seconds for the next calls, in order
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.metadata_hits = 0

    # -- lifecycle --

    def __enter__(self) -> FakeTeams:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        """What activities carry as `serviceUrl` (the connector's base, with a trailing slash)."""
        return f"{self.base_url}/teams/"

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    # -- test controls --

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` connector calls get 429 with this Retry-After."""
        with self._lock:
            self._throttle += [retry_after] * times

    def add(self, entry: RosterEntry) -> RosterEntry:
        self.roster[entry.id] = entry
        return entry

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def activities(self, conversation: str | None = None, method: str = "POST") -> list[Any]:
        """Bodies sent to `…/activities` (optionally of one conversation), oldest first."""
        out = []
        for c in list(self.calls):
            if c.method != method or c.status >= 400 or "/activities" not in c.path:
                continue
            conv = c.path.split("/v3/conversations/", 1)[1].split("/activities", 1)[0]
            if conversation is None or conv == conversation:
                out.append(c.body)
        return out

    def conversations_created(self) -> list[Any]:
        return [
            c.body
            for c in self.calls
            if c.method == "POST" and c.path.endswith("/v3/conversations") and c.status < 400
        ]

    def personal_conversation(self, user: str) -> str:
        return f"a:1:personal-{user}"

    # -- the server --

    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        path = urlparse(req.path).path
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        auth = req.headers.get("Authorization")
        if path == "/v1/.well-known/openidconfiguration":
            self.metadata_hits += 1
            self._reply(
                req,
                200,
                {
                    "issuer": ISSUER,
                    "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
            )
            return
        if path == "/v1/.well-known/keys":
            self._reply(req, 200, {"keys": [k.jwk() for k in self.keys]})
            return
        status, answer, headers = self._connector(method, path, body, auth)
        with self._lock:
            self.calls.append(Call(method, unquote(path), body, status, auth))
        self._reply(req, status, answer, headers)

    def _connector(
        self, method: str, path: str, body: Any, auth: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        if not path.startswith("/teams/v3/"):
            return 404, {"error": {"code": "NotFound", "message": path}}, {}
        if auth != f"Bearer {self.token}":
            return 401, {"error": {"code": "Unauthorized", "message": "bad token"}}, {}
        with self._lock:
            if self._throttle:
                wait = self._throttle.pop(0)
                return (
                    429,
                    {"error": {"code": "TooManyRequests", "message": "slow down"}},
                    {"Retry-After": str(wait)},
                )
        parts = [unquote(p) for p in path[len("/teams/v3/") :].split("/")]
        if parts == ["conversations"] and method == "POST":
            members = (body or {}).get("members") or []
            if body.get("isGroup") is False and len(members) == 1:
                user = members[0].get("id")
                if user in self.no_personal_chat:
                    return (
                        403,
                        {
                            "error": {
                                "code": "Forbidden",
                                "message": "Bot is not installed in user's personal scope",
                            }
                        },
                        {},
                    )
                return 201, {"id": self.personal_conversation(user)}, {}
            return 400, {"error": {"code": "BadArgument", "message": "unsupported"}}, {}
        if len(parts) >= 3 and parts[0] == "conversations" and parts[2] == "activities":
            if method == "POST" and len(parts) == 3:
                problems = _check_activity(body)
                if problems:
                    return 400, {"error": {"code": "BadArgument", "message": "; ".join(problems)}}, {}
                return 201, {"id": f"act-{next(self._ids)}"}, {}
            if method == "PUT" and len(parts) == 4:
                return 200, {"id": parts[3]}, {}
            if method == "DELETE" and len(parts) == 4:
                return 200, None, {}
        if len(parts) == 4 and parts[0] == "conversations" and parts[2] == "members" and method == "GET":
            for entry in self.roster.values():
                # As the real one: by Teams id, Entra object id, or user principal name.
                if parts[3] in (entry.id, entry.aad) or parts[3].lower() == entry.email.lower():
                    return 200, entry.as_json(), {}
            return 404, {"error": {"code": "MemberNotFoundInConversation", "message": "no such"}}, {}
        return 404, {"error": {"code": "NotFound", "message": path}}, {}

    @staticmethod
    def _reply(
        req: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)


def _check_activity(body: Any) -> list[str]:
    """What the real connector would refuse: no type, or a card that isn't an Adaptive Card."""
    problems = []
    if not isinstance(body, dict) or body.get("type") != "message":
        return ["activity type must be message"]
    if not body.get("text") and not body.get("attachments"):
        problems.append("a message needs text or attachments")
    for a in body.get("attachments") or []:
        card = a.get("content") or {}
        if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
            problems.append(f"unexpected contentType {a.get('contentType')}")
        if card.get("type") != "AdaptiveCard" or not card.get("version"):
            problems.append("card must be an AdaptiveCard with a version")
        entities = (card.get("msteams") or {}).get("entities") or []
        texts = json.dumps(card.get("body") or [])
        for e in entities:
            if str(e.get("text")) not in texts:
                problems.append(f"mention {e.get('text')} not in the card's text")
        if len(json.dumps(card)) > 28_000:
            problems.append("card over 28 KB")
    return problems


# --- activities as Teams sends them --------------------------------------------------------------

CHANNEL = "19:core-group-channel@thread.tacv2"
TEAM = "19:team-general@thread.tacv2"


def _base(
    fake: FakeTeams,
    user: RosterEntry,
    *,
    conversation: dict[str, Any],
    channel_data: dict[str, Any],
    activity_id: str | None,
) -> dict[str, Any]:
    return {
        "type": "message",
        "id": activity_id or f"{int(time.time() * 1000)}{uuid.uuid4().int % 10_000:04d}",
        "timestamp": "2027-01-04T14:00:00.000Z",
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "coregroup"},
        "channelData": channel_data,
        "locale": "en-GB",
    }


def channel_message(
    fake: FakeTeams,
    user: RosterEntry,
    text: str,
    *,
    mentions: list[RosterEntry] | None = None,
    channel: str = CHANNEL,
    activity_id: str | None = None,
) -> dict[str, Any]:
    """`@coregroup <text>` typed in a team channel; `@Name` in `text` for each of `mentions`."""
    entities: list[dict[str, Any]] = [
        {"type": "mention", "text": "<at>coregroup</at>", "mentioned": {"id": BOT_ID, "name": "coregroup"}}
    ]
    for who in mentions or []:
        tag = f"<at>{who.name}</at>"
        text = text.replace(f"@{who.name}", tag)
        entities.append({"type": "mention", "text": tag, "mentioned": {"id": who.id, "name": who.name}})
    activity = _base(
        fake,
        user,
        activity_id=activity_id,
        conversation={
            "id": f"{channel};messageid=1700000000001",
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
        },
        channel_data={
            "teamsChannelId": channel,
            "teamsTeamId": TEAM,
            "channel": {"id": channel},
            "team": {"id": TEAM},
            "tenant": {"id": TENANT},
        },
    )
    activity["text"] = f"<at>coregroup</at> {text}"
    activity["textFormat"] = "plain"
    activity["entities"] = [*entities, {"type": "clientInfo", "locale": "en-GB"}]
    return activity


def personal_message(
    fake: FakeTeams, user: RosterEntry, text: str, *, activity_id: str | None = None
) -> dict[str, Any]:
    activity = _base(
        fake,
        user,
        activity_id=activity_id,
        conversation={
            "id": fake.personal_conversation(user.id),
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        channel_data={"tenant": {"id": TENANT}},
    )
    activity["text"] = text
    return activity


def card_submit(
    fake: FakeTeams,
    user: RosterEntry,
    data: dict[str, Any],
    *,
    reply_to: str = "act-1",
    in_channel: str | None = None,
    activity_id: str | None = None,
) -> dict[str, Any]:
    """An Action.Submit press: a message activity with no text and the data (+ inputs) as value."""
    if in_channel:
        activity = _base(
            fake,
            user,
            activity_id=activity_id,
            conversation={
                "id": f"{in_channel};messageid=1700000000001",
                "isGroup": True,
                "conversationType": "channel",
                "tenantId": TENANT,
            },
            channel_data={"channel": {"id": in_channel}, "team": {"id": TEAM}, "tenant": {"id": TENANT}},
        )
    else:
        activity = _base(
            fake,
            user,
            activity_id=activity_id,
            conversation={
                "id": fake.personal_conversation(user.id),
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            channel_data={"tenant": {"id": TENANT}},
        )
    activity["replyToId"] = reply_to
    activity["value"] = data
    return activity


def card_invoke(
    fake: FakeTeams,
    user: RosterEntry,
    data: dict[str, Any],
    *,
    in_channel: str | None = None,
    activity_id: str | None = None,
) -> dict[str, Any]:
    """A Universal Action (Action.Execute): an `adaptiveCard/action` invoke."""
    activity = card_submit(fake, user, {}, in_channel=in_channel, activity_id=activity_id)
    activity.pop("value")
    activity.update(
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "value": {
                "action": {"type": "Action.Execute", "verb": "submit", "data": data},
                "trigger": "manual",
            },
        }
    )
    return activity
