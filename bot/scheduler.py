"""The sweep every N minutes inside `coregroup serve`, with one leader per database.

APScheduler 3.x `BackgroundScheduler` with its default in-memory job store: APScheduler's FAQ
forbids sharing a job store between processes, so nothing about the schedule is stored — the
database outbox is the source of truth, and each process only decides *whether it sweeps*.

Leader election. On PostgreSQL a process sweeps only while it holds a session-level advisory lock
(`pg_try_advisory_lock`) on a dedicated connection kept open for the life of the process. Others try
again at every tick; when the leader dies its connection closes, PostgreSQL releases the lock, and
the next tick of another process takes over. (Even two sweeping at once would send each reminder
once — unique outbox keys, SKIP LOCKED claims and a lease re-taken before each send — the lock just
saves the duplicated work.)

SQLite is a single-process store: one `coregroup serve` per database file. The leader there holds
an exclusive OS lock (`flock`) on `<database file>.lock` for as long as it lives; a second process
on the same file cannot take it, so `serve` refuses to start and `coregroup sweep` refuses to
deliver (bot/cli_chat.py, bot/cli_sweep.py). The kernel drops the lock when the process ends, even
on SIGKILL, so a crash never leaves a stale lock behind. An in-memory database always leads.

`tick()` is what the job runs; it never raises (a failed sweep is logged and the next tick tries
again), and it is callable directly so tests drive it with a simulated clock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time as time_module
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy import Connection, text

from bot.chat import ChatPort
from bot.clock import Clock
from bot.delivery import Delivery, Sent
from bot.ops import metrics
from bot.ops.health import Health
from bot.sweep_process import SweepProcess
from handlers.sweep import SweepResult, sweep
from scheduling.sweep import BUNDLE_AT
from storage.db import Store, is_sqlite

log = logging.getLogger("coregroup.scheduler")

#: The advisory lock key: any fixed 64-bit number, the same in every coregroup process.
LOCK_KEY: Final = 0x636F726567726F75  # "coregrou" in ASCII


def sqlite_lock_path(store: Store) -> Path | None:
    """`<database file>.lock` for a SQLite file; None for PostgreSQL or an in-memory database."""
    if not is_sqlite(store.engine):
        return None
    database = store.engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(f"{database}.lock")


class Leader:
    """Are we the process that sweeps? Holds the PostgreSQL advisory lock, or the SQLite file's
    OS lock, once taken, until `release()` (or the process ends)."""

    def __init__(self, store: Store, key: int = LOCK_KEY) -> None:
        self.store = store
        self.key = key
        self._conn: Connection | None = None
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    def is_leader(self) -> bool:
        if is_sqlite(self.store.engine):
            return self._sqlite_leader()
        with self._lock:
            if self._conn is not None:
                try:  # still connected? (a dropped connection has lost the lock)
                    self._conn.execute(text("SELECT 1"))
                    return True
                except Exception:
                    log.warning("leader connection lost; trying to take the lock again")
                    self._close()
            conn = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            except Exception:
                conn.close()
                raise
            if got:
                self._conn = conn
                log.info("this process now leads the reminder sweep")
                return True
            conn.close()
            return False

    def _sqlite_leader(self) -> bool:
        path = sqlite_lock_path(self.store)
        if path is None:
            return True
        with self._lock:
            if self._file is not None:
                return True
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for our lifetime
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")  # for the refusal message of a second process
            handle.flush()
            self._file = handle
            log.info("this process now holds the SQLite database (single-process store)")
            return True

    def holder(self) -> str:
        """Who leads, as far as we can tell, for a one-line refusal (never personal data)."""
        path = sqlite_lock_path(self.store)
        if path is None:
            return "another coregroup process"
        try:
            pid = path.read_text(encoding="utf-8").strip()
        except OSError:
            pid = ""
        return f"another coregroup process{f' (pid {pid})' if pid.isdigit() else ''}"

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: the session owns the lock
            finally:
                self._conn = None

    def release(self) -> None:
        """Give the lead up now: unlock first, because closing the socket alone leaves the lock
        held until the server notices the session has gone (another process could wait a tick)."""
        with self._lock:
            if self._file is not None:
                self._file.close()  # closing the descriptor drops the flock
                self._file = None
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                except Exception:
                    log.warning("could not unlock the sweep lock; closing its connection")
            self._close()


@dataclass
class SweepJob:
    """One tick: if leader, sweep (plan + insert) then deliver what is due."""

    store: Store
    port: ChatPort
    clock: Clock
    leader: Leader | None = None
    bundle_at: time = BUNDLE_AT
    delivery: Delivery | None = None
    on_tick: Callable[[SweepResult | None, list[Sent]], None] | None = None
    #: The email port (bot/email/), when email is set up: members outside the chat are planned
    #: for and reached through it.
    email: ChatPort | None = None
    #: Told of every good tick (readiness: bot/ops/health.py).
    health: Health | None = None
    ticks: int = field(default=0, init=False)
    #: Outbox keys this process has inserted: later sweeps skip them (storage.outbox.insert_planned).
    known: set[tuple[int, str, str, str]] = field(default_factory=set, init=False)
    #: The safety net under the incremental sweep: every active case is re-planned at the first
    #: tick this process leads (a deploy may bring new profiles, holidays or rules) and then
    #: whenever the last full re-plan is this old; the ticks between plan only what changed or
    #: came due (handlers/sweep.py).
    full_every: timedelta = timedelta(hours=24)
    last_full: datetime | None = field(default=None, init=False)
    #: Where planning runs: `bot.sweep_process.SweepProcess` (what `serve` uses: another
    #: process, so acknowledgements never wait for a sweep), or None for this thread.
    sweeper: SweepProcess | None = None

    def __post_init__(self) -> None:
        self.leader = self.leader or Leader(self.store)
        self.delivery = self.delivery or Delivery(
            self.store, self.port, clock=self.clock, bundle_at=self.bundle_at, email=self.email
        )

    def tick(self) -> bool:
        """Run one sweep if this process leads. True if it swept."""
        self.ticks += 1
        assert self.leader is not None and self.delivery is not None
        started = time_module.perf_counter()
        try:
            leads = self.leader.is_leader()
            metrics.LEADER.set(1 if leads else 0)
            if not leads:
                if self.health is not None:  # another process leads: waiting is this one's job
                    self.health.sweep_ok(self.clock())
                return False
            now = self.clock()
            email = self.delivery.email is not None
            full = self.last_full is None or now - self.last_full >= self.full_every
            if self.sweeper is not None:
                result = self.sweeper(now, full=full, bundle_at=self.bundle_at, email=email)
            else:
                result = sweep(
                    self.store, now, full=full, bundle_at=self.bundle_at, known=self.known, email=email
                )
            if full:
                self.last_full = now
            sent = self.delivery.run()
            self._forget_old_requests()
            outcomes = Counter(s.outcome for s in sent)
            for outcome, n in outcomes.items():
                metrics.REMINDERS_DELIVERED.labels(platform=self.port.platform, outcome=outcome).inc(n)
            metrics.REMINDERS_PLANNED.inc(result.inserted)
            metrics.SWEEPS.labels(outcome="ok").inc()
            metrics.SWEEP_SECONDS.observe(time_module.perf_counter() - started)
            if self.health is not None:
                self.health.sweep_ok(self.clock())
            log.info(
                "sweep done",
                extra={
                    "cases": result.cases,
                    "full": full,
                    "queued": result.inserted,
                    "handled": len(sent),
                    **{f"reminders_{k}": v for k, v in sorted(outcomes.items())},
                },
            )
            if self.on_tick:
                self.on_tick(result, sent)
            return True
        except Exception as exc:
            metrics.SWEEPS.labels(outcome="failed").inc()
            log.exception("sweep failed; the next tick tries again", extra={"error": type(exc).__name__})
            return False

    def _forget_old_requests(self) -> None:
        """Keep the request log (`repo.first_time`) to its retry window; it grew forever."""
        from storage.repository import REQUEST_LOG_KEEP, forget_requests

        with self.store.transaction() as session:
            forget_requests(session, before=self.clock() - REQUEST_LOG_KEEP)


def start(job: SweepJob, minutes: int, *, first_run_at: datetime | None = None) -> Any:
    """A started BackgroundScheduler running `job.tick` every `minutes`, the first run at
    `first_run_at` (default: the job's clock now). APScheduler itself runs on real time."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="Europe/London")
    scheduler.add_job(
        job.tick,
        "interval",
        minutes=minutes,
        id="reminder-sweep",
        next_run_time=first_run_at or job.clock(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
