"""The Slack test harness: the real Bolt app served over HTTP by uvicorn (as `coregroup serve`
runs it) against the fake Web API, with helpers to send signed requests and wait for the slow work.

Shared by the Slack suite and anyone else who needs the bot on the wire (the reminders suite).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.ops.health import Health
from bot.slack.app import build_app
from bot.slack.http import EVENTS_PATH, ServerThread, http_app
from bot.slack.listeners import SlackDeps
from bot.work import Worker
from fakes import signing
from fakes.env import MovableClock
from fakes.slack_api import FakeSlackAPI
from handlers.common import Config
from storage.db import Store

TOKEN = "xoxb-test"


@dataclass
class SlackHarness:
    fake: FakeSlackAPI
    deps: SlackDeps
    client: httpx.Client
    store: Store
    clock: MovableClock

    def send(self, req: signing.SignedRequest) -> httpx.Response:
        return self.client.post(EVENTS_PATH, content=req.body.encode(), headers=req.headers)

    def command(
        self,
        text: str,
        *,
        user: str = "U0LEAD",
        channel: str = "D0DIRECT",
        retry: int | None = None,
        settle: bool = True,
        **kw: Any,
    ) -> httpx.Response:
        req = signing.slash_command(
            text, user_id=user, channel_id=channel, response_url=self.fake.response_url(), **kw
        )
        if retry:
            req = req.with_retry(retry)
        resp = self.send(req)
        if settle:
            self.settle()
        return resp

    def settle(self, timeout: float = 10.0) -> None:
        assert self.deps.worker.drain(timeout), "slow work did not finish in time"

    def replies(self) -> list[dict[str, Any]]:
        """What was sent back through response_url (ephemeral answers), oldest first."""
        return self.fake.args_of("response_url")

    def last_reply_text(self) -> str:
        return _all_text(self.replies()[-1])

    def channel_posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            a for a in self.fake.args_of("chat.postMessage") if channel is None or a["channel"] == channel
        ]


def _all_text(payload: dict[str, Any]) -> str:
    parts = [str(payload.get("text", ""))]
    for b in payload.get("blocks") or []:
        if "text" in b and isinstance(b["text"], dict):
            parts.append(b["text"].get("text", ""))
        for el in b.get("elements", []) or []:
            if isinstance(el, dict):
                t = el.get("text")
                parts.append(t.get("text", "") if isinstance(t, dict) else str(t or ""))
    return "\n".join(parts)


all_text = _all_text


def make_deps(store: Store, clock: MovableClock, config: Config | None = None) -> SlackDeps:
    return SlackDeps(
        store=store, clock=clock, config=config or Config(channel_prefix="cg-"), worker=Worker(threads=8)
    )


@contextmanager
def running(
    fake: FakeSlackAPI, store: Store, clock: MovableClock, config: Config | None = None
) -> Iterator[SlackHarness]:
    """The bot's HTTP endpoint served by uvicorn on a free port, as `coregroup serve` runs it."""
    deps = make_deps(store, clock, config)
    app = build_app(token=TOKEN, signing_secret=signing.SIGNING_SECRET, api_url=fake.base_url, deps=deps)
    health = Health(store, clock)  # /readyz and /metrics as `serve` has them (bot/ops)
    with (
        ServerThread(http_app(app, health=health)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        try:
            yield SlackHarness(fake, deps, client, store, clock)
        finally:
            deps.worker.drain(10)
            deps.worker.shutdown()
