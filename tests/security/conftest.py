"""Fixtures of the security suite: every attack runs over the wire -- the real Slack (Bolt) and Teams
(SDK) endpoints under uvicorn against the fake platforms, the console, and the contract drivers that
run one story on all three with the deployment's `Config` of the test. Storage-level checks use
`empty_db_url` (SQLite and PostgreSQL); it, the store and the clock are tests/conftest.py's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest
from drivers import ADAPTERS, Driver, driver_for
from fakes.env import PEOPLE, MovableClock
from fakes.slack_api import FakeSlackAPI, User
from fakes.slack_harness import TOKEN, SlackHarness
from fakes.slack_harness import running as slack_running
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import ROSTER, TeamsHarness
from fakes.teams_harness import running as teams_running

from handlers.common import Config
from storage.db import Store

DriverFactory = Callable[..., AbstractContextManager[Driver]]


@pytest.fixture(params=ADAPTERS)
def adapter_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_driver(adapter_name: str, sqlite_template: Path, tmp_path: Path) -> DriverFactory:
    """`with make_driver(config) as d:` — the adapter under test, with that deployment config."""

    def make(config: Config | None = None) -> AbstractContextManager[Driver]:
        return driver_for(adapter_name, sqlite_template, tmp_path / adapter_name, config)

    return make


@pytest.fixture
def adapter(make_driver: DriverFactory) -> Iterator[Driver]:
    with make_driver() as d:
        yield d


@pytest.fixture
def every_adapter(sqlite_template: Path, tmp_path: Path) -> Iterator[dict[str, Driver]]:
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(driver_for(name, sqlite_template, tmp_path / name)) for name in ADAPTERS
        }


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
