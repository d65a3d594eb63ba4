"""The reminder sweep in a process of its own, so acknowledgements never wait for it.

Planning is pure Python: a full re-plan of 50,000 cases holds an interpreter for seconds, and in
the serving process that interpreter is also the one answering Slack and Teams within their 3 s
(status p99 rose from ~16 ms to 108–153 ms during a sweep, issue 17). So `coregroup serve` plans
in one long-lived child started with `spawn` (a clean interpreter: no copied threads, sockets or
locks of the server) that opens its own connection pool to the same database; the tick thread
only waits for its answer, which releases the GIL. Delivery stays in the serving process: it
claims a handful of due rows and spends its time waiting on the platform's API.

The child ends itself when the serving process is gone (it watches its parent's pid), so a SIGKILL
of `serve` leaves no orphan holding connections. The child keeps its own `known` set of outbox
keys across ticks (storage.outbox.insert_planned), as the in-process sweep did. If it dies, the
next tick starts a new one; the outbox's unique key means a sweep cut off half-way loses or
doubles nothing. An in-memory SQLite database cannot be shared with another process, so there
`for_store` gives None and the sweep stays in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import datetime
from datetime import time as clock_time

from handlers.sweep import SweepResult, sweep
from storage.db import Store, is_sqlite

_store: Store | None = None
_known: set[tuple[int, str, str, str]] = set()


def _start(url: str, parent: int) -> None:
    """The child's set-up. `parent` is the serving process's pid as it gave it: by the time the
    child starts, a SIGKILL may already have orphaned it, and then its `getppid()` is not it."""
    global _store
    threading.Thread(target=_follow_parent, args=(parent,), name="follow-parent", daemon=True).start()
    _store = Store.open(url)


def _follow_parent(parent: int, every: float = 0.5) -> None:
    """End the child when the serving process has gone, even by SIGKILL (no clean shutdown to
    tell it): an orphan would keep its database connections and the server's output pipes."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _sweep(now: datetime, full: bool, bundle_at: clock_time, email: bool) -> tuple[int, SweepResult]:
    """Runs in the child: the sweep, returned without its planned rows (only the counts cross
    back; the rows are in the outbox), with the child's pid."""
    assert _store is not None
    result = sweep(_store, now, full=full, bundle_at=bundle_at, known=_known, email=email)
    return os.getpid(), replace(result, planned=[], moments=[])


class SweepProcess:
    """Call it like `handlers.sweep.sweep` (now, full, bundle_at, email); it runs in the child."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        #: The child's pid at the last sweep (for the tests and the logs).
        self.pid: int | None = None

    @classmethod
    def for_store(cls, store: Store) -> SweepProcess | None:
        url = store.engine.url
        if is_sqlite(store.engine) and (not url.database or "memory" in url.database):
            return None
        return cls(url.render_as_string(hide_password=False))

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self._url, os.getpid()),
            )
        return self._pool

    def __call__(
        self, now: datetime, *, full: bool, bundle_at: clock_time, email: bool = False
    ) -> SweepResult:
        with self._lock:
            try:
                pid, result = self._executor().submit(_sweep, now, full, bundle_at, email).result()
            except BrokenProcessPool:
                self._pool = None  # the child died: the next tick starts another
                raise
            self.pid = pid
            return result

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
