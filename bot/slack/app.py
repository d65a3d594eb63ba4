"""The Bolt app factory: settings + a Web API client in, a wired `App` out.

The client carries `RateLimitErrorRetryHandler` (Bolt copies the client's retry handlers into every
per-request client), so a burst of HTTP 429 is retried after Slack's `Retry-After` rather than
failing a step. The token is checked once here (`auth.test`) rather than on the first request, so
no acknowledgement ever waits on the Web API. Listeners run inline (`process_before_response`):
each one only writes the request to the inbound queue, hands it to the worker and acknowledges, so
the ack is the HTTP response, and it is sent only once the work is on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.ops.routes import ack_timer
from bot.slack.listeners import SlackDeps, register

log = logging.getLogger("coregroup.slack")


def make_client(token: str, base_url: str, *, retries: int = 3) -> WebClient:
    base = base_url if base_url.endswith("/") else base_url + "/"
    client = WebClient(token=token, base_url=base, timeout=30)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=retries))
    return client


def build_app(
    *,
    token: str,
    signing_secret: str | None,
    api_url: str,
    deps: SlackDeps,
    client: WebClient | None = None,
    socket_mode: bool = False,
) -> App:
    """A Bolt app with every listener registered. Calls `auth.test` once (fails fast on a bad
    token)."""
    client = client or make_client(token, api_url)
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=not socket_mode,
        token_verification_enabled=True,
        # Our listeners only queue the work (on disk) and ack, so Bolt may run them inline: this skips
        # Bolt's thread hop and its 10 ms polling for the ack (process_before_response=False).
        process_before_response=True,
        logger=log,
    )
    register(app, deps)

    def timed(next: Callable[[], BoltResponse]) -> BoltResponse:
        """`coregroup_ack_seconds{platform="slack"}`: listeners ack inline, so this spans the ack,
        over HTTP and Socket Mode alike."""
        with ack_timer("slack"):
            return next()

    app.use(timed)
    return app
