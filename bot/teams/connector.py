"""The Bot Connector REST API (`/v3/conversations/…`), synchronous, with Teams' throttling honoured.

Why not the SDK's own API client for sending: it is async, and everything the bot does after the
acknowledgement runs on worker threads (as on Slack) next to synchronous database code; a small
`httpx` client here keeps those threads simple, and its retry rule is ours to test. The inbound side
(JWT validation, activity parsing) is the SDK's — see `bot/teams/app.py`.

Throttling: Teams answers HTTP 429 with `Retry-After` (seconds) when a bot posts too fast (about
7 messages a second per conversation, fewer per tenant). Each call waits that long (capped, via an
injected sleep) and retries, up to `retries` times; then it fails with `ChatError("throttled")`,
which the reminder delivery treats as "try again later". A 401 drops the cached token and retries
once. Other failures become `ChatError` with the connector's error code.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.chat import ChatError
from bot.ops.metrics import chat_error

log = logging.getLogger("coregroup.teams")

#: The Bot Framework scope a bot's app registration asks for to call the connector.
BOT_SCOPE = "https://api.botframework.com/.default"


class TokenSource:
    """Where the connector's bearer token comes from. `token(refresh=True)` must fetch anew."""

    def token(self, *, refresh: bool = False) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class StaticToken(TokenSource):
    """A fixed token (tests, or a token minted elsewhere)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def token(self, *, refresh: bool = False) -> str:
        return self.value


class MsalToken(TokenSource):
    """Client-credentials tokens for the bot's Entra app registration (secret or certificate).

    msal caches the token and renews it shortly before it expires; `refresh` bypasses the cache.
    The msal client is made on first use (it fetches the authority's metadata), so a process
    starts without Entra; `coregroup serve --teams` asks for one token at start-up to fail fast.
    """

    def __init__(
        self,
        app_id: str,
        *,
        tenant_id: str,
        authority: str,
        password: str | None = None,
        certificate: dict[str, str] | None = None,
        scope: str = BOT_SCOPE,
    ) -> None:
        self._app_id = app_id
        self._authority = f"{authority.rstrip('/')}/{tenant_id}"
        self._credential: Any = certificate if certificate else password
        self._scope = scope
        self._app: Any = None
        self._lock = threading.Lock()

    def token(self, *, refresh: bool = False) -> str:
        import msal

        with self._lock:
            try:
                if self._app is None:
                    self._app = msal.ConfidentialClientApplication(
                        self._app_id, client_credential=self._credential, authority=self._authority
                    )
                result = self._app.acquire_token_for_client(scopes=[self._scope], force_refresh=refresh)
            except (ValueError, OSError) as exc:  # unreachable/unknown authority, bad key
                raise ChatError("token_failed", type(exc).__name__) from exc
        if "access_token" not in result:
            raise ChatError("token_failed", str(result.get("error", "unknown")))
        return str(result["access_token"])


class Connector:
    """One HTTP client for every service URL the bot talks to (they differ by region/cloud)."""

    def __init__(
        self,
        tokens: TokenSource,
        *,
        retries: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.tokens = tokens
        self.retries = retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.client = client or httpx.Client(timeout=timeout)
        #: How many 429s were waited out (for tests and logs).
        self.throttled = 0

    def call(
        self, method: str, service_url: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{service_url.rstrip('/')}/{path.lstrip('/')}"
        refreshed = False
        attempt = 0
        while True:
            headers = {"Authorization": f"Bearer {self.tokens.token(refresh=refreshed)}"}
            try:
                resp = self.client.request(method, url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                log.warning("teams call failed", extra={"method": method, "code": "unreachable"})
                chat_error("teams", "unreachable")
                raise ChatError("unreachable", type(exc).__name__) from exc
            if resp.status_code == 429 and attempt < self.retries:
                attempt += 1
                self.throttled += 1
                wait = _retry_after(resp.headers.get("Retry-After"), attempt)
                log.info("teams throttled; waiting", extra={"seconds": wait, "attempt": attempt})
                self.sleep(min(wait, self.max_wait))
                continue
            if resp.status_code == 401 and not refreshed:
                refreshed = True
                continue
            if resp.status_code >= 400:
                code = _error_code(resp)
                log.warning(
                    "teams call refused", extra={"status": resp.status_code, "code": code, "method": method}
                )
                chat_error("teams", code)
                raise ChatError(code, f"{method} {path.split('?')[0]} → {resp.status_code}")
            if not resp.content:
                return {}
            try:
                data = resp.json()
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {"value": data}

    def close(self) -> None:
        self.client.close()


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        return max(0.0, float(header)) if header is not None else float(2**attempt)
    except ValueError:
        return float(2**attempt)


def _error_code(resp: httpx.Response) -> str:
    if resp.status_code == 429:
        return "throttled"
    try:
        err = resp.json().get("error") or {}
        code = err.get("code") if isinstance(err, dict) else err
    except (ValueError, AttributeError):
        code = None
    return str(code or f"http_{resp.status_code}")
