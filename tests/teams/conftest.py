"""Fixtures for the Teams suite: the real Teams SDK app behind uvicorn, the fake Bot Framework
(OpenID metadata, signing keys, Bot Connector), a migrated SQLite store and a clock you can move."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes

from fakes.env import MovableClock, migrated_template, store_from
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import ROSTER, TeamsHarness, running

from storage.db import Store


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("teams-template"))


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = store_from(sqlite_template, tmp_path)
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2027-01-04T14:00")


@pytest.fixture
def fake() -> Iterator[FakeTeams]:
    with FakeTeams(roster=list(ROSTER)) as f:
        yield f


@pytest.fixture
def teams(fake: FakeTeams, store: Store, clock: MovableClock) -> Iterator[TeamsHarness]:
    with running(fake, store, clock) as h:
        yield h


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Teams SDK warns about its own internals on every activity (its deprecated bot client,
    an HTML widget in preview); nothing here uses either."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.filterwarnings("ignore:The bot client is deprecated"))
            item.add_marker(pytest.mark.filterwarnings("ignore:.*in preview"))
