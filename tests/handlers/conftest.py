"""Fixtures for the handler tests: a directory of invented chat users and a context factory (the
store and the clock are tests/conftest.py's)."""

from __future__ import annotations

import pytest
from fakes.env import CtxFactory, FakeDirectory, MovableClock

from bot.slack.channel import SLACK
from handlers.common import Actor, Context
from storage.db import Store


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def ctx(store: Store, clock: MovableClock, directory: FakeDirectory) -> CtxFactory:
    def make(user: str = "U0LEAD", channel: str | None = None, key: str | None = None) -> Context:
        return Context(
            Actor(user, SLACK, "slack"),
            store,
            clock,
            channel_id=channel,
            request_key=key,
            directory=directory,
        )

    return make
