"""Fixtures for the handler tests: a migrated SQLite store per test, a clock you can move, a
directory of invented chat users, and a context factory."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes

from fakes.env import CtxFactory, FakeDirectory, MovableClock, migrated_template, store_from

from bot.slack.channel import SLACK
from handlers.common import Actor, Context
from storage.db import Store


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("handlers-template"))


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = store_from(sqlite_template, tmp_path)
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2027-01-04T14:00")


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def ctx(store: Store, clock: MovableClock, directory: FakeDirectory) -> CtxFactory:
    def make(user: str = "U0LEAD", channel: str | None = None, key: str | None = None) -> Context:
        return Context(Actor(user, SLACK, "slack"), store, clock, channel_id=channel, request_key=key,
                       directory=directory)

    return make
