"""Fixtures for the security suite: the real Slack (Bolt) and Teams (SDK) endpoints under uvicorn
against the fake platforms, a migrated SQLite store and a clock you can move -- the same harnesses
as tests/slack and tests/teams, so each attack goes over the wire."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes

from fakes.env import PEOPLE, MovableClock, migrated_template, store_from
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness
from fakes.slack_harness import running as slack_running
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import ROSTER, TeamsHarness
from fakes.teams_harness import running as teams_running

from storage.db import Store


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("security-template"))


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
    with slack_running(fake, store, clock) as h:
        fake.reset_calls()
        yield h


@pytest.fixture
def teams_fake() -> Iterator[FakeTeams]:
    with FakeTeams(roster=list(ROSTER)) as f:
        yield f


@pytest.fixture
def teams(teams_fake: FakeTeams, store: Store, clock: MovableClock) -> Iterator[TeamsHarness]:
    with teams_running(teams_fake, store, clock) as h:
        yield h
