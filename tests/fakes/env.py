"""Shared test doubles for the chat suites: a clock you can move, a directory of invented chat
users, and migrated SQLite stores copied from a template (migrating once per session keeps the
suites fast)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.clock import LONDON
from handlers.common import Context, Person
from storage import migrate
from storage.db import Store, make_engine

#: Makes a handler context: `ctx(user="U0LEAD", channel=None, key=None)`.
CtxFactory = Callable[..., Context]

#: Invented people: ids and role-like names only, never real names.
PEOPLE: dict[str, Person] = {
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
    """A clock stopped at a London time; `set("2027-01-15T16:00")` moves it."""

    def __init__(self, at: datetime | str = "2027-01-04T14:00") -> None:
        self.at = at if isinstance(at, datetime) else self._parse(at)

    @staticmethod
    def _parse(iso: str) -> datetime:
        return datetime.fromisoformat(iso).replace(tzinfo=LONDON)

    def __call__(self) -> datetime:
        return self.at

    def set(self, iso: str) -> None:
        self.at = self._parse(iso)


def migrated_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def store_from(template: Path, directory: Path) -> Store:
    path = directory / "coregroup.db"
    shutil.copyfile(template, path)
    return Store(make_engine(f"sqlite:///{path}"))
