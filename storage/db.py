"""Engines, sessions and the schema check: the only place that knows SQLite from PostgreSQL.

`DATABASE_URL` unset → a SQLite file (WAL, foreign keys on, write transactions take the write lock
at BEGIN so two writers queue instead of failing half-way); set → that URL, PostgreSQL through
psycopg 3. Repository code is the same for both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from storage.anchor import Anchored, AnchorFile


class Settings(Protocol):
    """What the store needs of the deployment's settings (`bot.settings.Settings` has it): storage
    sits below the runtime and never imports it."""

    @property
    def effective_database_url(self) -> str: ...

    @property
    def audit_anchor_path(self) -> Path | None: ...


#: How long a SQLite writer waits for the write lock before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def insert_on_conflict(session: Session, model: type[SQLModel]) -> Any:
    """INSERT that understands ON CONFLICT on both backends (`.on_conflict_do_nothing(...)`)."""
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        return pg_dialect.insert(table)
    return sqlite_dialect.insert(table)


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, postgresql://) and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below) so a write transaction can be BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(settings: Settings | str, **kwargs: Any) -> Engine:
    """An engine for the deployment's database (Settings) or for an explicit URL (tests, bench)."""
    url = normalise_url(settings if isinstance(settings, str) else settings.effective_database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class _WriterLock:
    """One writer at a time in this process, urgent ones first; re-entrant. A writer that has
    waited SQLite's busy timeout goes on to SQLite's own lock anyway (as before this lock), so a
    mistake here can slow a write but never hang it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._urgent = 0

    @contextmanager
    def hold(self, urgent: bool) -> Iterator[None]:
        me = threading.get_ident()
        owned = True
        with self._cond:
            if self._owner == me:
                self._depth += 1
            else:
                self._urgent += urgent
                deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
                while self._owner is not None or (not urgent and self._urgent):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        owned = False
                        break
                    self._cond.wait(left)
                self._urgent -= urgent
                if owned:
                    self._owner, self._depth = me, 1
        try:
            yield
        finally:
            if owned:
                with self._cond:
                    self._depth -= 1
                    if self._depth == 0:
                        self._owner = None
                        self._cond.notify_all()


@dataclass
class Store:
    """Opens transactions on one database. Create one per process and share it.

    Repository functions take the `Session` a `transaction()` yields, so a handler can make several
    changes (and remember the chat request id) atomically.
    """

    engine: Engine
    #: Where the end of the audit chain is anchored after each commit (storage/anchor.py).
    anchor: AnchorFile | None = None

    #: SQLite has one write lock per file and its busy handler waits by sleeping (up to 100 ms a
    #: try): in-process writers queue here instead and go the moment the last one commits, and an
    #: acknowledgement's short write (`urgent`) goes before the workers' waiting ones.
    _sqlite_writer: _WriterLock = field(
        default_factory=lambda: _WriterLock(), init=False, repr=False, compare=False
    )
    #: The open `batch()` of each thread: (its session, its connection).
    _ambient: threading.local = field(default_factory=threading.local, init=False, repr=False, compare=False)

    @classmethod
    def open(cls, settings: Settings | str, *, check_schema: bool = True) -> Store:
        """The store for a deployment; refuses a database whose schema is behind this code.

        With Settings it also anchors the audit log where they say (an explicit URL is for tests
        and benchmarks, which pass their own `anchor`)."""
        path = None if isinstance(settings, str) else settings.audit_anchor_path
        store = cls(make_engine(settings), anchor=AnchorFile(path) if path else None)
        if check_schema:
            from storage.migrate import require_current

            require_current(store.engine)
        return store

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """One write transaction around many units of work on this thread (the inbound queue's
        writer on SQLite): every `transaction()` and `read()` the thread opens inside it is a
        SAVEPOINT on the same connection, so a unit that fails rolls back alone, a unit sees what
        the ones before it wrote, and the whole batch pays one BEGIN, one COMMIT and one anchor
        write instead of one per unit. Nothing in it is durable until the batch commits."""
        if getattr(self._ambient, "session", None) is not None:
            raise RuntimeError("a batch is already open on this thread")
        with self.transaction() as outer:
            self._ambient.session, self._ambient.conn = outer, outer.connection()
            try:
                yield outer
            finally:
                self._ambient.session = self._ambient.conn = None

    def in_batch(self) -> bool:
        return getattr(self._ambient, "session", None) is not None

    @contextmanager
    def _unit(self, *, write: bool) -> Iterator[Session]:
        """A transaction inside this thread's batch: its own session (and identity map, as a
        separate transaction would have) in a SAVEPOINT of the batch's connection."""
        outer: Session = self._ambient.session
        with Session(
            bind=self._ambient.conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        ) as session:
            if not write:
                yield session
                return
            try:
                yield session
                session.commit()  # releases the SAVEPOINT; the batch commits it
            except BaseException:
                session.rollback()
                raise
            last = session.info.pop("audit_last", None)
            if isinstance(last, Anchored):
                outer.info["audit_last"] = last  # anchored when the batch commits

    @contextmanager
    def transaction(self, *, urgent: bool = False) -> Iterator[Session]:
        """A write transaction: committed if the block succeeds, rolled back if it raises.
        `urgent`: a short write someone is waiting on (an acknowledgement), first in line.
        Inside this thread's `batch()` it is a SAVEPOINT of the batch instead."""
        if self.in_batch():
            with self._unit(write=True) as session:
                yield session
            return
        sqlite = is_sqlite(self.engine)
        with (
            self._sqlite_writer.hold(urgent) if sqlite else nullcontext(),
            Session(self.engine, expire_on_commit=False) as session,
        ):
            if sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            last = session.info.pop("audit_last", None)
            if self.anchor is not None and isinstance(last, Anchored):
                self.anchor.advance(last)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never committed; SQLite readers do not take the write lock).

        Closing (rather than rolling back) ends the transaction without expiring what was loaded,
        so objects read here stay usable, detached, after the block. Inside this thread's
        `batch()` it reads the batch's connection, so it sees what the batch wrote so far.
        """
        if self.in_batch():
            with self._unit(write=False) as session:
                yield session
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
