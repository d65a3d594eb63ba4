"""Slow work after the acknowledgement, on threads of its own.

Bolt's lazy listeners share the listener executor with the acknowledgements; when Slack is slow
(five seconds per Web API call, say) those threads fill up with waiting work and the next
command's ack waits behind them. A separate pool keeps acks independent of how slow the slow work
is. Failures are logged once, with their traceback, by the caller's error function.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, threads: int = 8, on_error: Callable[[BaseException], None] | None = None
                 ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="coregroup-work")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._on_error = on_error

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if self._on_error is not None:
                    self._on_error(exc)
                else:
                    log.exception("background work failed")
                return None

        future = self._pool.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for the work submitted so far; True if it all finished in time."""
        with self._lock:
            pending = set(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
