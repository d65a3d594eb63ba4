"""Fixtures of the security suite: every attack runs through the real adapters (signed Slack
requests to the Bolt app, signed Teams activities, the console) via the contract drivers, with the
deployment's `Config` of the test; storage-level checks get an empty database on SQLite and
PostgreSQL (`empty_db_url`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes and pg
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))  # the drivers

from drivers import ADAPTERS, Driver, driver_for
from fakes.env import migrated_template
from pg import PostgresServer, postgres_server

from handlers.common import Config

__all__ = ["postgres_server"]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

DriverFactory = Callable[..., AbstractContextManager[Driver]]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("security-template"))


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
        yield {name: stack.enter_context(driver_for(name, sqlite_template, tmp_path / name))
               for name in ADAPTERS}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Teams SDK warns about its own internals on every activity (as in tests/contract)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.filterwarnings("ignore:The bot client is deprecated"))
            item.add_marker(pytest.mark.filterwarnings("ignore:.*in preview"))
