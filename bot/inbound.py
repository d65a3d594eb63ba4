"""Acknowledged means durable: the work behind every ack waits on disk, not in memory.

A listener calls `accept(kind, body)` before it acknowledges: the request goes into the inbound
queue (storage/inbound.py) in one short transaction, and only then is the row id handed to the
worker threads. If the database write fails the listener raises, the platform sees an error
instead of an ack, and retries. A worker claims the row, redoes the work from the stored body and
deletes the row.

What a stop or crash leaves behind is finished by the next start (`start` → `recover`), once: a
write that had already committed is caught by the request log (`processed_request`), and the user
is told it was done already rather than hearing nothing. A request that keeps failing is tried
`max_attempts` times, then the user is told it could not be finished and the row is marked dead
(without its body). `stop(grace)` gives the queued work a bounded time to finish; the rest stays
on disk for the next start.

Nothing here logs a body: it holds user text about children.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from bot.clock import Clock
from bot.work import Worker
from handlers.replies import Message
from storage import inbound
from storage.db import Store, is_sqlite
from storage.models import InboundRequest

log = logging.getLogger("coregroup.inbound")

ALREADY_DONE: Final = Message(
    "Done already: that was saved before I restarted.",
    ("Check `/coregroup status` to see it.",),
)
COULD_NOT_FINISH: Final = Message(
    "I couldn't finish that request; it has been logged.",
    ("Check `/coregroup status`: nothing, or only part of it, may have been saved. Then try again.",),
)

#: The work for one kind of request: (stored body, redo?) → None. `redo` is True when an earlier
#: attempt may have got part of the way (a restart or a retry).
Run = Callable[[dict[str, Any], bool], None]
#: How to tell the person who sent it something, from the stored body alone.
Tell = Callable[[dict[str, Any], Message], None]


@dataclass(frozen=True)
class Kind:
    run: Run
    tell: Tell


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


class InboundQueue:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        worker: Worker,
        *,
        platform: str,
        lease: timedelta = inbound.DEFAULT_LEASE,
        max_attempts: int = 3,
        retry_after: timedelta = timedelta(seconds=10),
        poll_seconds: float = 5.0,
    ) -> None:
        self.store, self.clock, self.worker, self.platform = store, clock, worker, platform
        self.lease, self.max_attempts, self.retry_after = lease, max_attempts, retry_after
        self.poll_seconds = poll_seconds
        self.name = worker_name()
        self.kinds: dict[str, Kind] = {}
        self._queued: set[int] = set()
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._closing = False
        self._stop_polling = threading.Event()
        self._poller: threading.Thread | None = None

    def register(self, kind: str, run: Run, tell: Tell) -> None:
        self.kinds[kind] = Kind(run, tell)

    # -- the ack path -----------------------------------------------------------------------

    def accept(self, kind: str, body: dict[str, Any]) -> int:
        """Put a request on disk and hand it to the workers. Call before acknowledging."""
        if kind not in self.kinds:
            raise KeyError(kind)
        with self.store.transaction(urgent=True) as s:
            row_id = inbound.add(
                s,
                platform=self.platform,
                kind=kind,
                body=body,
                now=self.clock(),
                worker=self.name,
                lease=self.lease,
            )
        with self._lock:
            self._queued.add(row_id)
        self.worker.submit(self._take, row_id)
        return row_id

    # -- the workers --------------------------------------------------------------------------

    def _take(self, row_id: int) -> None:
        with self._lock:
            if self._closing:
                self._queued.discard(row_id)
                return  # stopping: the row stays on disk for the next start
        with self.store.transaction() as s:
            row = inbound.claim(s, row_id, now=self.clock(), worker=self.name, lease=self.lease)
            taken = None if row is None else _detach(row)
        if taken is None:
            with self._lock:
                self._queued.discard(row_id)  # done already, or another worker has it
            return
        self._run(taken)

    def _run(self, row: _Row) -> None:
        with self._lock:
            self._queued.discard(row.id)
            if self._closing:
                return  # stopping: released, for the next start
            self._running.add(row.id)
        try:
            self._run_row(row)
        finally:
            with self._lock:
                self._running.discard(row.id)

    def _run_row(self, row: _Row) -> None:
        kind = self.kinds.get(row.kind)
        if kind is None:
            log.error("inbound request of an unknown kind", extra={"kind": row.kind})
            with self.store.transaction() as s:
                inbound.dead(s, row.id, error="unknown kind")
            return
        if row.attempts > self.max_attempts:  # it has taken the process down before
            self._give_up(row, kind, "too many attempts")
            return
        try:
            kind.run(row.body, row.attempts > 1)
        except Exception as exc:
            log.exception("inbound work failed", extra={"kind": row.kind, "attempt": row.attempts})
            if row.attempts >= self.max_attempts:
                self._give_up(row, kind, type(exc).__name__)
            else:
                with self.store.transaction() as s:
                    inbound.retry(
                        s, row.id, error=type(exc).__name__, retry_at=self.clock() + self.retry_after
                    )
            return
        with self.store.transaction() as s:
            inbound.done(s, row.id)

    def _give_up(self, row: _Row, kind: Kind, error: str) -> None:
        try:
            kind.tell(row.body, COULD_NOT_FINISH)
        except Exception as exc:  # the platform is down too: the log has both
            log.warning(
                "could not tell the user a request failed",
                extra={"kind": row.kind, "error": type(exc).__name__},
            )
        with self.store.transaction() as s:
            inbound.dead(s, row.id, error=error)

    # -- start and stop -----------------------------------------------------------------------

    def recover(self) -> int:
        """Take up what earlier processes acknowledged and did not finish; how many rows. On
        SQLite (one process per database file) every unfinished row is ours to take at once;
        on PostgreSQL only those whose lease ran out (another process may be alive)."""
        if is_sqlite(self.store.engine):
            with self.store.transaction() as s:
                inbound.release_all(s, now=self.clock())
        return self.poll()

    def poll(self) -> int:
        total = 0
        while not self._closing:
            with self.store.transaction() as s:
                rows = [
                    _detach(r)
                    for r in inbound.claim_due(
                        s, now=self.clock(), worker=self.name, lease=self.lease, limit=50
                    )
                ]
            for r in rows:
                with self._lock:
                    self._queued.add(r.id)
                self.worker.submit(self._run, r)
            total += len(rows)
            if len(rows) < 50:
                break
        return total

    def start(self) -> InboundQueue:
        """Recover, then look every `poll_seconds` for rows due again (retries, expired leases)."""
        found = self.recover()
        if found:
            log.info("taking up %d acknowledged request(s) left unfinished", found)

        def loop() -> None:
            while not self._stop_polling.wait(self.poll_seconds):
                try:
                    self.poll()
                except Exception:
                    log.exception("inbound poll failed")

        self._poller = threading.Thread(target=loop, name="coregroup-inbound", daemon=True)
        self._poller.start()
        return self

    def stop(self, grace: float) -> int:
        """Stop polling and give the queued work `grace` seconds; return how many requests are
        left for the next start. Call after the server has stopped taking requests."""
        self._stop_polling.set()
        if self.worker.drain(grace):
            return 0
        with self._lock:
            self._closing = True
            # Not started, and in flight (the process exits under them): the next start, here
            # or elsewhere, takes them at once instead of after the lease. A redo of one in
            # flight is caught by the request log.
            left = list(self._queued | self._running)
        self.worker.cancel_waiting()
        with self.store.transaction() as s:
            inbound.release(s, left, now=self.clock())
        with self.store.read() as s:
            remaining = inbound.waiting(s)
        log.warning(
            "stopping with acknowledged requests unfinished; the next start finishes them",
            extra={"count": remaining},
        )
        return remaining


@dataclass(frozen=True)
class _Row:
    """A claimed row, read out of its session (the work runs outside that transaction)."""

    id: int
    kind: str
    body: dict[str, Any]
    attempts: int


def _detach(row: InboundRequest) -> _Row:
    assert row.id is not None
    return _Row(row.id, row.kind, dict(row.body or {}), row.attempts)
