"""`/healthz`, `/readyz` and `/metrics` as Starlette routes, mounted by every serving mode: the
Slack HTTP app, the Teams app, and in Socket Mode a small side server on `--port`
(`side_server`), which any other page served in that mode joins by adding its routes to the list.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.edge import DEFAULT_MAX_BODY_BYTES, BodyLimit
from bot.ops import metrics
from bot.ops.health import Health

log = logging.getLogger("coregroup.ops")


def ops_routes(health: Health | None) -> list[BaseRoute]:
    """The three endpoints; without a `Health` (a test app with no store) readiness says so."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        if health is None:
            return JSONResponse({"status": "not ready", "failed": ["setup"], "checks": {}}, status_code=503)
        from starlette.concurrency import run_in_threadpool

        ok, body = await run_in_threadpool(health.ready)
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics_page(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        store = health.store if health is not None else None
        try:
            body, kind = await run_in_threadpool(metrics.exposition, store)
        except Exception as exc:  # the database went away: our counters still, without the outbox
            log.warning("metrics without the outbox", extra={"error": type(exc).__name__})
            body, kind = metrics.exposition(None)
        return Response(body, media_type=kind)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]


class SideServer:
    """uvicorn on a background thread serving `routes` (Socket Mode has no HTTP server of its
    own). Started before the WebSocket connects; stopped when `serve` stops."""

    def __init__(
        self, routes: Sequence[BaseRoute], host: str, port: int, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        import uvicorn

        self.app = side_app(routes, max_body_bytes=max_body_bytes)
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
        )
        # On a thread that is not the main one uvicorn leaves the signals alone: SIGTERM stays
        # Socket Mode's (bot.serving.sigterm_stops), which stops this server too.
        self._thread = threading.Thread(target=self._run, name="ops-http", daemon=True)

    def _run(self) -> None:
        # SystemExit is uvicorn's answer to a port it cannot bind (it logged why): see start().
        with contextlib.suppress(SystemExit):
            self.server.run()

    def start(self, timeout: float = 10.0) -> SideServer:
        import time

        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                from bot.cli import UsageError

                raise UsageError(
                    "could not listen on --port for /healthz, /readyz and /metrics "
                    "(in use, or not allowed): choose another, e.g. --port 3001"
                )
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


def side_app(routes: Sequence[BaseRoute], *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Starlette:
    """The side server's app: its routes behind the same body limit as the platforms' endpoints
    (the answer page takes POSTs from the internet)."""
    return Starlette(routes=list(routes), middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes)])


def side_server(
    routes: Sequence[BaseRoute], *, host: str, port: int, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> SideServer:
    """Socket Mode's HTTP server for `routes` (ops_routes(...) plus the answer page's),
    listening on `host:port` and started."""
    return SideServer(routes, host, port, max_body_bytes).start()


def ack_timer(platform: str) -> Any:
    """A context manager observing one acknowledgement's latency for `platform`."""
    return metrics.ACK_SECONDS.labels(platform=platform).time()


class AckTimer:
    """ASGI middleware timing the requests to `paths` (the platform's inbound endpoint) until
    their response starts: the acknowledgement, since the work is queued before it."""

    def __init__(self, app: Any, *, platform: str, paths: Sequence[str]) -> None:
        self.app = app
        self.platform = platform
        self.paths = frozenset(paths)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        import time

        started = time.perf_counter()
        observed = False

        async def timed_send(message: Any) -> None:
            nonlocal observed
            if message.get("type") == "http.response.start" and not observed:
                observed = True
                metrics.ACK_SECONDS.labels(platform=self.platform).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)
