"""The answer page's own small HTTP server, for Socket Mode (which has no HTTP port of its own):
the page and `/healthz` on `--port`, so a council can put it behind its reverse proxy."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.edge import DEFAULT_MAX_BODY_BYTES, BodyLimit


def side_app(routes: Sequence[BaseRoute], *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Starlette:
    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/healthz", health, methods=["GET"]), *routes],
        middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes)],
    )
