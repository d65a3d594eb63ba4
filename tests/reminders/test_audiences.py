"""Who gets the chair's bundle, through the sweep and delivery to the fake Slack Web API: the chair
recorded on the meeting, else the lead social worker (docs/reminders.md, "Audiences")."""

from __future__ import annotations

from datetime import date

import pytest
from fakes.slack_api import FakeSlackAPI
from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store

BUNDLE = "in for the core group on Tue 19 Jan"


@pytest.fixture
def port(fake: FakeSlackAPI) -> SlackChat:
    return SlackChat(make_client("xoxb-test", fake.base_url))


def _bundles_to(store: Store, fake: FakeSlackAPI, port: SlackChat, chair: str | None) -> list[str]:
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        repo.schedule_meeting(
            s,
            c.reference,
            actor=ACTOR,
            now=clock(),
            starts_at=london(date(2027, 1, 19), "10:00"),
            chair_member_id=c.members[chair] if chair else None,
        )
    clock.set(date(2027, 1, 18), "10:05")  # 10:00 the working day before
    run_sweep(store, port, clock)
    return [a["channel"] for a in fake.args_of("chat.postMessage") if BUNDLE in a["text"]]


def test_with_no_chair_recorded_the_lead_social_worker_gets_the_bundle_once(
    store: Store, fake: FakeSlackAPI, port: SlackChat
) -> None:
    assert _bundles_to(store, fake, port, None) == ["UALEAD"]


def test_the_recorded_chair_gets_the_bundle(store: Store, fake: FakeSlackAPI, port: SlackChat) -> None:
    assert _bundles_to(store, fake, port, "hv") == ["UAHV"]
