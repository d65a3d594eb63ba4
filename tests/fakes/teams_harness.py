"""The Teams test harness: the real Teams SDK app (JWT validation and all) served over HTTP by
uvicorn, as `coregroup serve --teams` runs it, against the fake Bot Framework (`teams_connector`).

`h.send(activity)` signs a token for it with the fake's key and posts it to /api/messages;
`h.settle()` waits for the work after the acknowledgement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.ops.health import Health
from bot.slack.http import ServerThread
from bot.teams.app import MESSAGES_PATH, TeamsDeps, asgi, build_app
from bot.teams.cards import card_text
from bot.teams.connector import Connector, StaticToken
from bot.work import Worker
from fakes.env import MovableClock
from fakes.teams_connector import (
    APP_ID,
    CHANNEL,
    CONNECTOR_TOKEN,
    TENANT,
    FakeTeams,
    RosterEntry,
    card_submit,
    channel_message,
)
from handlers.common import Config
from storage.db import Store

#: Invented people: role-like names, never real ones. Same roles as fakes.env.PEOPLE.
LEAD = RosterEntry("29:1lead-social-worker", "Lead Social Worker", "lead@example.org")
HV = RosterEntry("29:1health-visitor", "Health Visitor", "hv@example.org")
TEACH = RosterEntry("29:1designated-teacher", "Designated Teacher", "teacher@example.org")
POLICE = RosterEntry("29:1police-officer", "Police Officer", "police@example.org")
OTHER = RosterEntry("29:1someone-else", "Someone Else", "other@example.org")
MGR = RosterEntry("29:1team-manager", "Team Manager", "manager@example.org")
ROSTER = [LEAD, HV, TEACH, POLICE, OTHER, MGR]


@dataclass
class TeamsHarness:
    fake: FakeTeams
    deps: TeamsDeps
    client: httpx.Client
    store: Store
    clock: MovableClock
    sleeps: list[float]

    def send(
        self, activity: dict[str, Any], *, token: str | None = None, settle: bool = True
    ) -> httpx.Response:
        if token is None:
            token = self.fake.key.token(service_url=activity["serviceUrl"])
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = self.client.post(MESSAGES_PATH, json=activity, headers=headers)
        if settle:
            self.settle()
        return resp

    def say(
        self,
        user: RosterEntry,
        text: str,
        *,
        mentions: list[RosterEntry] | None = None,
        channel: str = CHANNEL,
        **kw: Any,
    ) -> httpx.Response:
        return self.send(channel_message(self.fake, user, text, mentions=mentions, channel=channel), **kw)

    def submit(self, user: RosterEntry, data: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.send(card_submit(self.fake, user, data, **kw))

    def settle(self, timeout: float = 10.0) -> None:
        assert self.deps.worker.drain(timeout), "slow work did not finish in time"

    def private(self, user: RosterEntry) -> list[str]:
        """What went to the person's 1:1 chat with the bot, as text, oldest first."""
        conv = self.fake.personal_conversation(user.id)
        return [card_text(a) for a in self.fake.activities(conv)]

    def channel(self, channel: str = CHANNEL) -> list[str]:
        return [card_text(a) for a in self.fake.activities(channel)]

    def last_form(self, user: RosterEntry) -> dict[str, Any]:
        """The last form card sent to the person (its Action.Submit data included)."""
        conv = self.fake.personal_conversation(user.id)
        for a in reversed(self.fake.activities(conv)):
            card = a["attachments"][0]["content"]
            if any(b.get("type", "").startswith("Input.") for b in card["body"]):
                return dict(card)
        raise AssertionError("no form was sent")


def make_deps(
    fake: FakeTeams, store: Store, clock: MovableClock, sleeps: list[float], config: Config | None = None
) -> TeamsDeps:
    connector = Connector(StaticToken(CONNECTOR_TOKEN), sleep=sleeps.append)
    return TeamsDeps(
        store=store,
        clock=clock,
        connector=connector,
        app_id=APP_ID,
        tenant_id=TENANT,
        service_url=fake.service_url,
        config=config or Config(channel_prefix="cg-"),
        worker=Worker(threads=4),
    )


@contextmanager
def running(
    fake: FakeTeams, store: Store, clock: MovableClock, config: Config | None = None
) -> Iterator[TeamsHarness]:
    sleeps: list[float] = []
    deps = make_deps(fake, store, clock, sleeps, config)
    app = build_app(deps, app_password="secret", openid_metadata_url=fake.openid_metadata_url)
    health = Health(store, clock)  # /readyz and /metrics as `serve --teams` has them (bot/ops)
    with (
        ServerThread(asgi(app, health=health)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        try:
            yield TeamsHarness(fake, deps, client, store, clock, sleeps)
        finally:
            deps.worker.drain(10)
            deps.worker.shutdown()
            deps.connector.close()
