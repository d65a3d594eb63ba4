"""Fixtures for the reminders suite: a migrated SQLite store, the fake Slack Web API, a PostgreSQL
server for the two-process test (tests/pg.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes and pg
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this directory, for world

from fakes.env import migrated_template, store_from
from fakes.slack_api import FakeSlackAPI
from pg import postgres_server

from storage.db import Store

__all__ = ["postgres_server"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("reminders-template"))


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = store_from(sqlite_template, tmp_path)
    yield s
    s.dispose()


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as f:
        yield f
