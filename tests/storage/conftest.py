"""Fixtures for the storage suite: the same tests run against SQLite and PostgreSQL.

`db_url` is parametrised over both backends; each test gets a fresh database already at the
migration head (a copy of a template migrated once per session, so the suite stays fast).
`empty_db_url` gives an empty one for the migration tests.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for pg.py

from pg import PostgresServer, postgres_server

from storage import migrate
from storage.db import Store, make_engine

__all__ = ["postgres_server"]

LONDON = ZoneInfo("Europe/London")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    name = url.rsplit("/", 1)[1]
    yield name
    postgres_server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


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
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables at all (migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
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
