"""Requests built as Slack sends them, signed with the app's signing secret.

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 and sends the result as
`x-slack-signature: v0=<hex>` beside `x-slack-request-timestamp`; the body is the exact bytes that
were signed. These builders produce that body (form-encoded for commands and interactions, JSON for
events) and the headers, so tests exercise Bolt's real verification.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0000TEST"
APP_ID = "A0000TEST"

_counter = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):06d}"


@dataclass(frozen=True)
class SignedRequest:
    """A body and its headers, ready for `BoltRequest(body=…, headers=…)` or an HTTP POST."""

    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def with_retry(self, num: int = 1, reason: str = "http_timeout") -> SignedRequest:
        """The same request as Slack's retry: same body and signature, plus the retry headers."""
        headers = {**self.headers, "x-slack-retry-num": str(num), "x-slack-retry-reason": reason}
        return replace(self, headers=headers)

    def tampered(self) -> SignedRequest:
        """The same headers with a changed body: the signature no longer matches."""
        return replace(self, body=self.body.replace("coregroup", "coregrouq", 1) + "&x=1")

    def bolt_headers(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.headers.items()}


def sign(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> SignedRequest:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return SignedRequest(
        body=body,
        headers={
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": str(signature),
        },
    )


def slash_command(
    text: str,
    *,
    user_id: str = "U0LEAD",
    user_name: str = "lead",
    channel_id: str = "D0DIRECT",
    channel_name: str = "directmessage",
    response_url: str = "https://hooks.slack.test/commands/T0000TEST/1/x",
    trigger_id: str | None = None,
    command: str = "/coregroup",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SignedRequest:
    """A slash command as Slack posts it: a form body with the documented fields."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _unique("1337.42.trigger"),
    }
    return sign(urlencode(fields), secret=secret, timestamp=timestamp)


def _interaction(payload: dict[str, Any], secret: str, timestamp: int | None) -> SignedRequest:
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
    return sign(body, secret=secret, timestamp=timestamp)


def block_actions(
    action_id: str,
    value: str = "",
    *,
    user_id: str = "U0LEAD",
    channel_id: str | None = "C0CASE",
    message_ts: str | None = "1800000000.000100",
    response_url: str = "https://hooks.slack.test/actions/T0000TEST/1/x",
    trigger_id: str | None = None,
    block_id: str = "b1",
    view: dict[str, Any] | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SignedRequest:
    """A button press (`block_actions`) in a message, or in a view when `view` is given."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "someone", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "trigger_id": trigger_id or _unique("1337.42.trigger"),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": "button"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "private-channel"}
        payload["message"] = {"type": "message", "ts": message_ts, "text": "", "blocks": []}
        payload["response_url"] = response_url
    return _interaction(payload, secret, timestamp)


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    private_metadata: str = "",
    user_id: str = "U0LEAD",
    view_id: str = "V0VIEW",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SignedRequest:
    """A modal's submission: `values` is `{block_id: {action_id: {type…, value…}}}` as Slack sends."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user_id, "username": "someone", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "deprecated-verification-token",
        "trigger_id": _unique("1337.42.trigger"),
        "view": {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "title": {"type": "plain_text", "text": "Form"},
            "blocks": [],
            "state": {"values": values},
            "hash": "156772938.1827394",
            "app_id": APP_ID,
            "bot_id": "B0BOT",
        },
        "response_urls": [],
    }
    return _interaction(payload, secret, timestamp)


def event_callback(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
) -> SignedRequest:
    """An Events API delivery (JSON body); a retry of it keeps the same `event_id`."""
    body = {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _unique("Ev0"),
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
        ],
    }
    return sign(
        json.dumps(body, separators=(",", ":")),
        secret=secret,
        timestamp=timestamp,
        content_type="application/json",
    )


def app_home_opened(user_id: str, *, event_id: str | None = None) -> SignedRequest:
    return event_callback(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        },
        event_id=event_id,
    )


# -- helpers for reading form state in tests ----------------------------------------------------


def plain(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def date_value(value: str) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": value}


def select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def users(ids: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": ids}


def checked(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [{"value": v} for v in values]}
