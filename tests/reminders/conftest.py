"""Fixtures for the reminders suite: the fake Slack Web API (the store and the PostgreSQL server for
the two-process test are tests/conftest.py's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.slack_api import FakeSlackAPI


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as f:
        yield f
