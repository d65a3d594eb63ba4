"""Fixtures for the storage suite: the same tests run against SQLite and PostgreSQL.

`db_url` is parametrised over both backends; each test gets a fresh database already at the
migration head (a copy of a template migrated once per session, so the suite stays fast).
`backend`, `empty_db_url` (an empty database, for the migration tests) and the SQLite template are
tests/conftest.py's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pg import PostgresServer

from storage import migrate
from storage.db import Store, make_engine

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    name = url.rsplit("/", 1)[1]
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the migration head on the backend under test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "coregroup.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def now() -> datetime:
    """Monday 4 January 2027, 09:00 in London: the suite's injected clock."""
    return datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)
