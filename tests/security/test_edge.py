"""Limits at the HTTP edge, against the real endpoints under uvicorn.

Before: the Slack endpoint read the whole body before Bolt checked the signature (four unsigned
256 MB posts took the process from 89 MB to 3.4 GB), and malformed unsigned input -- a garbled
timestamp, bad JSON, bytes that are not UTF-8 -- got 500 with a traceback in the log. Teams'
endpoint the same. Now a body over COREGROUP_MAX_BODY_BYTES (1 MB) gets 413 while the client is
still sending, and malformed input gets 400/401 with nothing but a one-line access record.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fakes import signing
from fakes.slack_harness import SlackHarness
from fakes.teams_connector import channel_message
from fakes.teams_harness import LEAD, TeamsHarness

from bot.slack.http import EVENTS_PATH
from bot.teams.app import MESSAGES_PATH
from storage import audit

#: The default COREGROUP_MAX_BODY_BYTES (bot.edge), written out so this file runs on old code too.
LIMIT = 1024 * 1024


def _connect(client: httpx.Client) -> socket.socket:
    url = urlsplit(str(client.base_url))
    sock = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=10)
    return sock


def _status(sock: socket.socket) -> int:
    """The status code of the response on `sock` (raises socket.timeout if none comes)."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def _declared_huge(client: httpx.Client, path: str, content_type: str) -> int:
    """Headers announcing 256 MB, then nothing: only a server that refuses unread answers."""
    with _connect(client) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {256 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        return _status(sock)


def _chunked_over_limit(client: httpx.Client, path: str, content_type: str) -> int:
    """A chunked body that passes the limit and is never finished (no last chunk)."""
    piece = b"a" * (64 * 1024)
    with _connect(client) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        for _ in range(LIMIT // len(piece) + 1):
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        return _status(sock)


def _events(slack: SlackHarness) -> int:
    with slack.store.read() as s:
        return audit.verify(s).checked


def test_slack_declared_oversized_body_is_refused_before_it_is_read(slack: SlackHarness) -> None:
    assert _declared_huge(slack.client, EVENTS_PATH, "application/x-www-form-urlencoded") == 413
    assert slack.client.get("/healthz").text == "ok"  # still serving


def test_slack_chunked_body_is_cut_off_at_the_limit(slack: SlackHarness) -> None:
    assert _chunked_over_limit(slack.client, EVENTS_PATH, "application/x-www-form-urlencoded") == 413
    # A real signed command still works after the refusal.
    assert slack.command("help").status_code == 200


@pytest.mark.parametrize("how", ["declared", "chunked"])
@pytest.mark.filterwarnings("ignore:The bot client is deprecated")
@pytest.mark.filterwarnings("ignore:.*in preview")
def test_teams_oversized_body_is_refused(teams: TeamsHarness, how: str) -> None:
    send = _declared_huge if how == "declared" else _chunked_over_limit
    assert send(teams.client, MESSAGES_PATH, "application/json") == 413
    assert teams.client.get("/healthz").text == "ok"


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything logged, uvicorn's own loggers included (they do not propagate to the root)."""
    caplog.set_level(logging.INFO)
    uvicorn = logging.getLogger("uvicorn")
    uvicorn.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn.removeHandler(caplog.handler)


def _forged_headers(content_type: str) -> dict[str, str]:
    """Slack's headers, well shaped, with a signature that is not the secret's."""
    good = signing.sign("x", content_type=content_type).headers
    return {**good, "x-slack-signature": "v0=" + "0" * 64}


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SLACK_MALFORMED = {
    "no signature, bad JSON": (b"{not json", {"content-type": JSON}),
    "garbled timestamp": (
        b"command=%2Fcoregroup",
        {"content-type": FORM, "x-slack-request-timestamp": "abc", "x-slack-signature": "v0=zz"},
    ),
    "not UTF-8": (b"payload=\xff\xfe", {"content-type": FORM}),
    "forged, bad JSON": (b"{not json", _forged_headers(JSON)),
    "forged, JSON array": (b"[1]", _forged_headers(JSON)),
    "forged, payload not an object": (b"payload=null", _forged_headers(FORM)),
    "forged, binary": (b"\xff\xfe\x00", _forged_headers("text/plain")),
}


@pytest.mark.parametrize("case", sorted(SLACK_MALFORMED))
def test_slack_malformed_input_gets_4xx_without_a_traceback(
    slack: SlackHarness, logged: pytest.LogCaptureFixture, case: str
) -> None:
    body, headers = SLACK_MALFORMED[case]
    before = _events(slack)
    r = slack.client.post(EVENTS_PATH, content=body, headers=headers)
    slack.settle()
    assert r.status_code in (400, 401), r.status_code
    assert not [rec for rec in logged.records if rec.exc_info or rec.levelno >= logging.ERROR]
    assert "Traceback" not in logged.text
    assert _events(slack) == before


TEAMS_MALFORMED = {
    "no token, bad JSON": (b"{bad", JSON),
    "no token, binary": (b"\xff\xfe", "text/plain"),
    "no token, JSON array": (b"[1]", JSON),
    "no token, form": (b"a=b", FORM),
}


@pytest.mark.parametrize("case", sorted(TEAMS_MALFORMED))
@pytest.mark.filterwarnings("ignore:The bot client is deprecated")
@pytest.mark.filterwarnings("ignore:.*in preview")
def test_teams_malformed_input_gets_4xx_without_a_traceback(
    teams: TeamsHarness, logged: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type = TEAMS_MALFORMED[case]
    r = teams.client.post(MESSAGES_PATH, content=body, headers={"content-type": content_type})
    assert r.status_code in (400, 401), r.status_code
    assert not [rec for rec in logged.records if rec.exc_info or rec.levelno >= logging.ERROR]
    assert "Traceback" not in logged.text


@pytest.mark.filterwarnings("ignore:The bot client is deprecated")
@pytest.mark.filterwarnings("ignore:.*in preview")
def test_teams_signed_activity_still_gets_through(teams: TeamsHarness) -> None:
    assert teams.send(channel_message(teams.fake, LEAD, "help")).status_code in (200, 201, 202)
