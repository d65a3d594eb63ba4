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

On SQLite (one writer per file) the work is batched: one thread at a time (`_pump`) claims the
rows waiting (one transaction), runs the database part of each inside one write transaction
(`Store.batch`: each unit a SAVEPOINT, so a failing one rolls back alone), and commits them
together; what goes to the chat platform (`Later`) is sent after that commit, on the worker
threads, with the pinned summary of each case edited once per batch instead of once per write,
and the rows are deleted once it is sent. A crash mid-batch rolls the whole batch back; the
claims (and their attempt counts) were committed first, so the next start redoes those rows,
each once. On PostgreSQL every worker takes rows one by one, as many at once as there are
threads (the database takes several writers).

Nothing here logs a body: it holds user text about children.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from bot.clock import Clock
from bot.work import Worker
from handlers.common import Context
from handlers.dispatch import rendered_summaries
from handlers.replies import Message, Outcome, RefreshSummary
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

#: The most rows one batch takes, and how long it may keep the write lock (an acknowledgement
#: waits for it): the batch stops taking new units after this, and the rest go in the next.
BATCH_ROWS: Final = 50
BATCH_SECONDS: Final = 0.15


@dataclass
class Later:
    """What a unit of batched work sends once its batch is committed: `send(outcome)`. The
    queue first edits `outcome`'s unrendered `RefreshSummary` effects (`Context.defer_summaries`):
    only the batch's last one for each case is kept, rendered once as the case stands then."""

    send: Callable[[Outcome | None], None]
    outcome: Outcome | None = None
    ctx: Context | None = None


#: The work for one kind of request: (stored body, redo?) → None, or what to send after the
#: batch commits (`Later`, only when the queue is `batched`). `redo` is True when an earlier
#: attempt may have got part of the way (a restart or a retry).
Run = Callable[[dict[str, Any], bool], Later | None]
#: How to tell the person who sent it something, from the stored body alone.
Tell = Callable[[dict[str, Any], Message], None]


@dataclass(frozen=True)
class Kind:
    run: Run
    tell: Tell
    #: Its `run` returns a `Later` when the queue is batched (sends nothing itself), so it can
    #: run inside a batch's write transaction. Other kinds run one by one, outside it.
    batch: bool = False


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
        batched: bool | None = None,
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
        #: SQLite serialises writers: one batch at a time, one transaction for many writes.
        self.batched = is_sqlite(store.engine) if batched is None else batched
        #: Waiting for the pump: row ids not claimed yet, or rows claimed by `poll`.
        self._incoming: deque[int | _Row] = deque()
        self._pumping = threading.Lock()

    def register(self, kind: str, run: Run, tell: Tell, *, batch: bool = False) -> None:
        self.kinds[kind] = Kind(run, tell, batch)

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
            if self.batched:
                self._incoming.append(row_id)
        if self.batched:
            self.worker.submit(self._pump)
        else:
            self.worker.submit(self._take, row_id)
        return row_id

    # -- the batched workers (SQLite) ---------------------------------------------------------

    def _pump(self) -> None:
        """Run batches until nothing is waiting. Only one thread pumps at a time (the others
        return at once); whoever adds work after the pumping thread's last look pumps next."""
        while True:
            if not self._pumping.acquire(blocking=False):
                return  # the pumping thread will take what was just added
            try:
                while self._batch():
                    pass
            finally:
                self._pumping.release()
            with self._lock:
                if not self._incoming or self._closing:
                    return

    def _next(self) -> list[int | _Row]:
        with self._lock:
            if self._closing:
                self._queued.difference_update(r if isinstance(r, int) else r.id for r in self._incoming)
                self._incoming.clear()  # stopping: the rows stay on disk for the next start
                return []
            taken = [self._incoming.popleft() for _ in range(min(BATCH_ROWS, len(self._incoming)))]
            for r in taken:
                rid = r if isinstance(r, int) else r.id
                self._queued.discard(rid)
                self._running.add(rid)
            return taken

    def _batch(self) -> bool:
        """One batch: claim, run the units in one transaction, then send; False when idle."""
        taken = self._next()
        if not taken:
            return False
        ids = [r for r in taken if isinstance(r, int)]
        rows = [r for r in taken if not isinstance(r, int)]
        if ids:
            # The claims (attempt counts) are committed before the work: a batch that takes
            # the process down is not retried for ever (`max_attempts`).
            with self.store.transaction() as s:
                got = inbound.claim_many(s, ids, now=self.clock(), worker=self.name, lease=self.lease)
                rows.extend(_detach(r) for r in got)
            taken_ids = {r.id for r in rows}
            self._finished([i for i in ids if i not in taken_ids])  # done already, or elsewhere
        units: list[_Row] = []
        for row in rows:
            kind = self.kinds.get(row.kind)
            if kind is not None and kind.batch and row.attempts <= self.max_attempts:
                units.append(row)
            else:
                self.worker.submit(self._run_one, row)  # one by one, outside any batch
        if units:
            self._run_batch(units)
        return True

    def _run_one(self, row: _Row) -> None:
        try:
            self._run_row(row)
        finally:
            self._finished([row.id])

    def _run_batch(self, units: list[_Row]) -> None:
        sends: list[tuple[_Row, Later]] = []
        given_up: list[tuple[_Row, str]] = []
        left: list[_Row] = []
        try:
            with self.store.batch() as s:
                began = time.monotonic()
                for i, row in enumerate(units):
                    if i and time.monotonic() - began > BATCH_SECONDS:
                        left = units[i:]  # claimed: back to the front of the line, in order
                        break
                    kind = self.kinds[row.kind]
                    try:
                        later = kind.run(row.body, row.attempts > 1)
                    except Exception as exc:
                        log.exception(
                            "inbound work failed", extra={"kind": row.kind, "attempt": row.attempts}
                        )
                        if row.attempts >= self.max_attempts:
                            given_up.append((row, type(exc).__name__))
                        else:
                            inbound.retry(
                                s, row.id, error=type(exc).__name__, retry_at=self.clock() + self.retry_after
                            )
                        continue
                    if later is None:
                        inbound.done(s, row.id)  # nothing to send: gone with the work, atomically
                    else:
                        sends.append((row, later))
        except Exception:
            # The batch itself failed (its commit, say): nothing in it was saved. Each row is
            # done again on its own, as without batches (they are claimed already).
            log.exception("inbound batch failed; running its requests one by one")
            for row in units:
                self.worker.submit(self._run_one, row)
            return
        with self._lock:
            for row in reversed(left):
                self._running.discard(row.id)
                self._queued.add(row.id)
                self._incoming.appendleft(row)
        done = [r.id for r in units if r not in left and all(r is not x for x, _ in sends)]
        self._finished([rid for rid in done if all(rid != r.id for r, _ in given_up)])
        for row, error in given_up:
            self.worker.submit(self._give_up_one, row, error)
        if sends:
            self.worker.submit(self._send, sends)

    def _give_up_one(self, row: _Row, error: str) -> None:
        try:
            self._give_up(row, self.kinds[row.kind], error)
        finally:
            self._finished([row.id])

    def _send(self, sends: list[tuple[_Row, Later]]) -> None:
        """A committed batch's answers, in order; then its rows go (one transaction). A send
        that fails is retried later as today: the redo finds the write done (the request log)
        and says so."""
        coalesce(sends)
        sent: list[int] = []
        try:
            for row, later in sends:
                with self._lock:
                    if self._closing:
                        return  # stopping: released, for the next start
                try:
                    later.send(later.outcome)
                except Exception as exc:
                    log.exception("inbound work failed", extra={"kind": row.kind, "attempt": row.attempts})
                    with self.store.transaction() as s:
                        if row.attempts >= self.max_attempts:
                            inbound.dead(s, row.id, error=type(exc).__name__)
                        else:
                            inbound.retry(
                                s, row.id, error=type(exc).__name__, retry_at=self.clock() + self.retry_after
                            )
                    continue
                sent.append(row.id)
            with self.store.transaction() as s:
                inbound.done_all(s, sent)
        finally:
            self._finished([r.id for r, _ in sends])

    def _finished(self, ids: list[int]) -> None:
        with self._lock:
            self._running.difference_update(ids)
            self._queued.difference_update(ids)

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
            later = kind.run(row.body, row.attempts > 1)
            if later is not None:  # a batching kind run on its own: send it now
                coalesce([(row, later)])
                later.send(later.outcome)
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
                    if self.batched:
                        self._incoming.append(r)
                if not self.batched:
                    self.worker.submit(self._run, r)
            if rows and self.batched:
                self.worker.submit(self._pump)
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
        deadline = time.monotonic() + grace
        while self.worker.drain(max(0.0, deadline - time.monotonic())):
            with self._lock:
                if not (self._queued or self._running or self._incoming):
                    return 0  # batches hand work on to the threads: drained when none is left
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
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


def coalesce(sends: list[tuple[_Row, Later]]) -> None:
    """Of a batch's unrendered summary refreshes, keep each case's last (where it stands in
    that outcome's order: before a channel is archived, say), rendered once now that the whole
    batch is saved; drop the others. A burst of writes to one case edits its pin once."""
    last: dict[str, tuple[int, Context]] = {}
    for i, (_, later) in enumerate(sends):
        if later.outcome is None or later.ctx is None:
            continue
        for e in later.outcome.effects:
            if isinstance(e, RefreshSummary) and e.message is None:
                last[e.reference] = (i, later.ctx)
    if not last:
        return
    rendered: dict[str, RefreshSummary] = {}
    for reference, (_, ctx) in last.items():
        try:
            (rendered[reference],) = rendered_summaries(ctx, [RefreshSummary(reference)])
        except Exception:
            log.exception("pinned summary not rendered")
    for i, (_, later) in enumerate(sends):
        if later.outcome is None:
            continue
        effects = []
        for e in later.outcome.effects:
            if isinstance(e, RefreshSummary) and e.message is None:
                if last[e.reference][0] != i or e.reference not in rendered:
                    continue
                e = rendered[e.reference]
            effects.append(e)
        later.outcome.effects = effects


def _detach(row: InboundRequest) -> _Row:
    assert row.id is not None
    return _Row(row.id, row.kind, dict(row.body or {}), row.attempts)
