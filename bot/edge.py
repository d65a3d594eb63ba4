"""Limits at the HTTP edge, shared by the Slack and Teams endpoints.

Both endpoints must read the body before they can check who sent it (Slack signs the raw bytes;
Teams' token is checked by the SDK after FastAPI has read the request), so without a limit anyone
who can reach the port can make the process hold an arbitrarily large body in memory: four
unsigned 256 MB posts took it from 89 MB to 3.4 GB. `BodyLimit` refuses a declared
Content-Length over the limit before reading a byte, and stops reading a chunked body as soon as it
passes the limit; both get 413. Slack's payloads are a few KB and Teams' activities tens of KB, so
1 MB is generous. A reverse proxy should enforce its own limit as well (docs/security.md).

`json_paths` names endpoints whose body must be one JSON object (Teams' `/api/messages`): anything
else gets 400 here, because the Teams SDK parses the body before it checks the token and answers
malformed input with 500 and a traceback in the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Default for COREGROUP_MAX_BODY_BYTES.
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:  # not JSON, or not UTF-8
        return False


class BodyLimit:
    """ASGI middleware: at most `max_bytes` of request body reach the app, else 413.

    The body is read here (never more than the limit plus one chunk) and replayed to the app, so
    the app's own `await request.body()` can no longer be made to read more.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES, json_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_paths = frozenset(json_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = self._declared_length(scope)
        if declared == -1:
            await _plain(send, 400, "Content-Length is not a number")
            return
        if declared is not None and declared > self.max_bytes:
            await _plain(send, 413, "request body too large")
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending the whole body
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await _plain(send, 413, "request body too large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if scope.get("path") in self.json_paths and not _is_json_object(body):
            await _plain(send, 400, "expected a JSON object")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int | None:
        """The Content-Length header as a number, None without one, -1 when it is garbled."""
        headers: Any = scope.get("headers") or []
        for name, value in headers:
            if name.lower() == b"content-length":
                text = value.decode("latin-1").strip()
                return int(text) if text.isascii() and text.isdigit() else -1
        return None
