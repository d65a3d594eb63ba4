"""Fixtures for the Slack suite: the real Bolt app (HTTP mode, behind our Starlette endpoint, under
uvicorn) against the fake Web API server, a migrated SQLite store, and a clock you can move.

`slack.send(request)` posts a signed request the way Slack does and returns the HTTP response;
`slack.settle()` waits until the slow work after the acknowledgement has finished.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes

from fakes.env import PEOPLE, MovableClock, migrated_template, store_from
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness, running

from storage.db import Store


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("slack-template"))


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = store_from(sqlite_template, tmp_path)
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2027-01-04T14:00")


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
