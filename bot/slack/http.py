"""HTTP mode: the Bolt app behind Starlette, served by uvicorn, at `/slack/events`.

Bolt's own Starlette adapter calls the synchronous `App.dispatch` on the event loop, which would
serialise every request behind the slowest one; here dispatch runs in Starlette's thread pool so
the loop keeps accepting while acknowledgements are prepared.

Before Bolt sees a request: its body is capped (`bot.edge.BodyLimit`, 413 over the limit), a
request without well-formed signature headers gets 401, and a body that cannot be decoded gets
400. Bolt would otherwise raise on those (a garbled timestamp, bad JSON, bytes that are not UTF-8)
and answer 500 with a traceback in the log -- for input anyone can send without the secret.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.edge import DEFAULT_MAX_BODY_BYTES, BodyLimit
from bot.ops.health import Health
from bot.ops.routes import ops_routes

EVENTS_PATH = "/slack/events"


def _signature_headers_ok(request: Request) -> bool:
    """Slack's two headers are present and shaped as Slack sends them (Bolt checks the HMAC)."""
    ts = request.headers.get("x-slack-request-timestamp", "")
    sig = request.headers.get("x-slack-signature", "")
    return ts.isascii() and ts.isdigit() and len(ts) <= 12 and sig.startswith("v0=") and len(sig) <= 200


def http_app(
    bolt: App,
    path: str = EVENTS_PATH,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    health: Health | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The events endpoint and the ops endpoints (`/healthz`, `/readyz`, `/metrics`:
    bot/ops/routes.py); `health` is what readiness checks (None: never ready, as in a bare test).
    `extra_routes`: the answer page (bot/page/), served on the same port."""

    async def events(request: Request) -> Response:
        if not _signature_headers_ok(request):
            return PlainTextResponse("invalid request", status_code=401)
        body = await request.body()
        try:
            bolt_request = to_bolt_request(request, body)
        except (ValueError, TypeError, AttributeError):
            # Bolt parses the body as it builds the request, before checking the signature:
            # bad JSON, bytes that are not UTF-8, or JSON that is not an object (`[1]`, `null`).
            return PlainTextResponse("malformed request body", status_code=400)
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    return Starlette(
        routes=[Route(path, events, methods=["POST"]), *ops_routes(health), *extra_routes],
        middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes)],
    )


class ServerThread:
    """uvicorn serving an ASGI app from a background thread on a free port (tests, benchmarks).

    `coregroup serve` runs uvicorn in the foreground instead; this exists so the same HTTP stack
    can be driven from a test or `bench/ack.py` without a subprocess.
    """

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0, **config: object) -> None:
        import threading

        import uvicorn

        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            **config,  # type: ignore[arg-type]
        )
        self.server = uvicorn.Server(self._config)
        self._thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def __enter__(self) -> ServerThread:
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
