"""Fixtures every suite shares: a migrated SQLite store per test, a clock you can move, the session's
PostgreSQL, and the two storage backends. They were copied into each folder's conftest; one copy
here means one migrated template and one PostgreSQL cluster per session, and one place to change.

A folder's conftest overrides a fixture by defining one of the same name (`tests/storage` opens
`store` on either backend; each folder brings its own `fake` platform). Helper modules (`fakes`,
`pg`, the contract `drivers` and `story`, the reminders' `world`) are importable by name because
pytest puts their folders on `sys.path` (`pythonpath` in pyproject.toml), not the tests themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.env import MovableClock, migrated_template, store_from
from pg import PostgresServer, postgres_server

from storage.db import Store

__all__ = ["postgres_server"]

#: Storage-level tests run on both; PostgreSQL ones are marked so `-m "not postgres"` skips them.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

#: Folders whose tests drive the real Teams SDK app, which warns about its own internals on every
#: activity (its deprecated bot client, an HTML widget in preview); nothing here uses either.
_TEAMS_SDK_FOLDERS = {"contract", "ops", "security", "teams"}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the migration head, migrated once; tests get copies."""
    return migrated_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = store_from(sqlite_template, tmp_path)
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovableClock:
    """Monday 4 January 2027, 14:00 in London; `clock.set(...)` moves it."""
    return MovableClock("2027-01-04T14:00")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables at all, on the backend under test (migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(autouse=True)
def _serve_logging_undone() -> Iterator[None]:
    """`coregroup serve` adds its stderr handler to the root logger (bot/logs.py); a test that runs
    it must not leave that handler to print into later tests' captured stderr."""
    yield
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_coregroup", False):
            root.removeHandler(handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        parent = Path(str(item.path)).resolve().parent
        if parent.parent == here and parent.name in _TEAMS_SDK_FOLDERS:
            item.add_marker(pytest.mark.filterwarnings("ignore:The bot client is deprecated"))
            item.add_marker(pytest.mark.filterwarnings("ignore:.*in preview"))


@pytest.fixture(autouse=True)
def _leak_report(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `COREGROUP_LEAK_REPORT=<file>`, append every text a reader was sent that bypassed the
    Welsh catalogue (`handlers.i18n.unlocalised`) to that file: the inventory a translator works
    from. The contract suite asserts there are none (tests/contract/conftest.py)."""
    import os

    target = os.environ.get("COREGROUP_LEAK_REPORT")
    if not target:
        yield
        return
    from handlers.i18n import watching_for_leaks

    with watching_for_leaks() as leaks:
        yield
    if leaks:
        with open(target, "a", encoding="utf-8") as fh:
            for text, _message in leaks:
                fh.write(f"{request.node.nodeid}\t{text!r}\n")
