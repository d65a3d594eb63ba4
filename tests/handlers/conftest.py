"""Fixtures for the handler tests: a migrated SQLite store per test, a clock you can move, a
directory of invented chat users, and a context factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import LONDON
from handlers.common import Actor, Context, Person
from storage import migrate
from storage.db import Store, make_engine

#: Invented people: ids only, names that are roles (never real names).
PEOPLE = {
    "U0LEAD": Person("Lead Social Worker", "lead@example.org"),
    "U0HV": Person("Health Visitor", "hv@example.org"),
    "U0TEACH": Person("Designated Teacher", "teacher@example.org"),
    "U0POLICE": Person("Police Officer", "police@example.org"),
    "U0OTHER": Person("Someone Else", "other@example.org"),
    "U0MGR": Person("Team Manager", "manager@example.org"),
    "U0BOT": Person("A bot", None, is_bot=True),
}


class FakeDirectory:
    def __init__(self, people: dict[str, Person] | None = None) -> None:
        self.people = dict(PEOPLE if people is None else people)
        self.lookups: list[str] = []

    def person(self, user_id: str) -> Person | None:
        self.lookups.append(user_id)
        return self.people.get(user_id)


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, iso: str) -> None:
        self.at = datetime.fromisoformat(iso).replace(tzinfo=LONDON)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handlers-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "coregroup.db"
    shutil.copyfile(sqlite_template, path)
    s = Store(make_engine(f"sqlite:///{path}"))
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2027, 1, 4, 14, 0, tzinfo=LONDON))


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory()


CtxFactory = Callable[..., Context]


@pytest.fixture
def ctx(store: Store, clock: MovableClock, directory: FakeDirectory) -> CtxFactory:
    def make(user: str = "U0LEAD", channel: str | None = None, key: str | None = None) -> Context:
        return Context(Actor(user), store, clock, channel_id=channel, request_key=key,
                       directory=directory)

    return make
