"""Fixtures for the Slack suite: the real Bolt app (HTTP mode, behind our Starlette endpoint, under
uvicorn) against the fake Web API server (the store and the clock are tests/conftest.py's).

`slack.send(request)` posts a signed request the way Slack does and returns the HTTP response;
`slack.settle()` waits until the slow work after the acknowledgement has finished.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.env import PEOPLE, MovableClock
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness, running

from storage.db import Store


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    users = [User(uid, uid.lower(), p.name, p.email, is_bot=p.is_bot) for uid, p in PEOPLE.items()]
    with FakeSlackAPI(TOKEN, users=users) as api:
        yield api


@pytest.fixture
def slack(fake: FakeSlackAPI, store: Store, clock: MovableClock) -> Iterator[SlackHarness]:
    with running(fake, store, clock) as h:
        fake.reset_calls()  # auth.test at start-up is not part of any test's story
        yield h
