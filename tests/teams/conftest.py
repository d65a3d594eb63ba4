"""Fixtures for the Teams suite: the real Teams SDK app behind uvicorn, the fake Bot Framework
(OpenID metadata, signing keys, Bot Connector); the store, the clock and the filter for the SDK's
own warnings are tests/conftest.py's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.env import MovableClock
from fakes.teams_connector import FakeTeams
from fakes.teams_harness import ROSTER, TeamsHarness, running

from storage.db import Store


@pytest.fixture
def fake() -> Iterator[FakeTeams]:
    with FakeTeams(roster=list(ROSTER)) as f:
        yield f


@pytest.fixture
def teams(fake: FakeTeams, store: Store, clock: MovableClock) -> Iterator[TeamsHarness]:
    with running(fake, store, clock) as h:
        yield h
