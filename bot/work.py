"""Slow work after the acknowledgement, on threads of its own, and the request ids a process has
already taken -- shared by every adapter (Slack, Teams) and the inbound queue.

Bolt's lazy listeners share the listener executor with the acknowledgements; when Slack is slow
(five seconds per Web API call, say) those threads fill up with waiting work and the next
command's ack waits behind them. A separate pool keeps acks independent of how slow the slow work
is. Failures are logged once, with their traceback, by the caller's error function.

The threads are daemons, unlike `ThreadPoolExecutor`'s (which Python joins at exit after running
everything still queued): a stop drains for a bounded grace period and then exits, and the work it
did not finish is not lost, because every request is in the inbound queue on disk (bot/inbound.py).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, wait
from functools import partial
from typing import Any

log = logging.getLogger("coregroup.work")


class Worker:
    def __init__(self, threads: int = 8, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._on_error = on_error
        self._threads = [
            threading.Thread(target=self._loop, name=f"coregroup-work-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        for t in self._threads:
            t.start()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        self._queue.put((future, partial(fn, *args, **kwargs)))
        return future

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except Exception as exc:
                if self._on_error is not None:
                    self._on_error(exc)
                else:
                    log.exception("background work failed")
                result = None
            future.set_result(result)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for the work submitted so far and the work it hands on (the inbound queue's
        batches submit their replies); True if it all finished in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            _, not_done = wait(pending, timeout=left)
            if not_done:
                return False

    def cancel_waiting(self) -> int:
        """Drop the work not started yet (a stop whose grace ran out); how many were dropped."""
        with self._lock:
            pending = list(self._pending)
        return sum(1 for f in pending if f.cancel())

    def shutdown(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join()


class SeenKeys:
    """The request ids this process has already taken (bounded, oldest forgotten first)."""

    def __init__(self, size: int = 20_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True
