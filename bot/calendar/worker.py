"""The calendar worker: Graph work runs on its own thread and event loop, after Slack has its ack.

Why a thread with one long-lived loop: Slack must be acknowledged within 3 s and Graph can take
longer (throttling with `Retry-After`, a slow service, the SDK's first-use imports). The listener
acknowledges, hands the job to `submit` and returns at once. The port is built inside the worker's
loop because the SDK's HTTP clients (httpx for Graph, aiohttp for the token) belong to the loop
that created them; one port for the process keeps the token cache and connection pool warm.

Wiring (for the Slack listener):
    worker = CalendarWorker(lambda: make_calendar(settings, publish)).start()   # at start-up
    ack(...)                                                                     # first
    worker.submit(lambda port: sync_invitation(port, invite, post_to_channel))  # then this
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.calendar.port import CalendarPort

T = TypeVar("T")
Job = Callable[[CalendarPort], Awaitable[T]]


class CalendarWorker:
    def __init__(self, make_port: Callable[[], CalendarPort], *, warm_up: bool = True) -> None:
        self._make_port = make_port
        self._warm = warm_up
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._port: CalendarPort | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="calendar-worker", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            if self._warm:
                from bot.calendar.graph import warm_up

                warm_up()
            self._port = self._make_port()
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._close_port())
        self._loop.close()

    async def _close_port(self) -> None:
        closer: Any = getattr(self._port, "aclose", None)
        if closer is not None:
            await closer()

    def start(self, timeout: float = 60.0) -> CalendarWorker:
        """Start the thread and wait until the port exists (so a bad setting fails at start-up)."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the calendar worker did not start")
        if self._error is not None:
            raise self._error
        return self

    @property
    def port(self) -> CalendarPort | None:
        """The port, once started (for tests and diagnostics; use it from `submit` jobs only)."""
        return self._port

    def submit(self, job: Job[T]) -> concurrent.futures.Future[T]:
        """Queue `job(port)` on the worker's loop and return at once."""
        port = self._port
        if port is None:
            raise RuntimeError("start() the calendar worker first")

        async def run() -> T:
            return await job(port)

        return asyncio.run_coroutine_threadsafe(run(), self._loop)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
