"""The answer page served for real (uvicorn on loopback), beside a console session whose emails
are caught as they leave, so a test opens the very link an email carried."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fakes.env import MovableClock
from page_helpers import CASE, WELSH_CASE, Caught, Page

from bot.console import ConsoleSession
from bot.ops.routes import ops_routes, side_app
from bot.page.app import PageDeps, page_routes
from bot.slack.http import ServerThread
from storage.db import Store


@pytest.fixture
def page(store: Store, clock: MovableClock, tmp_path: Any) -> Iterator[Page]:
    out = io.StringIO()
    caught = Caught()
    session = ConsoleSession(
        store,
        clock,
        "U0LEAD",
        io.StringIO(),
        out,
        calendar_on=False,
        email_on=True,
        mail=caught,
        files_dir=tmp_path / "files",
    )
    assert session.links is not None and session.email is not None
    deps = PageDeps(store, clock, session.links, lambda: session.chat, session.email, session.config)
    with ServerThread(side_app([*ops_routes(None), *page_routes(deps)])) as server:
        try:
            yield Page(session, out, clock, caught, server.url)
        finally:
            session.close()


@pytest.fixture
def asked(page: Page) -> Page:
    """The case booked, and the sweep of Tue 12 Jan 09:30 has emailed the report requests."""
    page.say(*CASE)
    page.clock.set("2027-01-12T09:30")
    page.deliver()
    return page


@pytest.fixture
def asked_cy(page: Page) -> Page:
    """A Welsh profile's case booked (WELSH_CASE), and the sweep of Tue 12 Jan 09:30 has emailed
    the asks: Welsh to the GP, English to the officer, both (and the language question) to the
    parent."""
    page.say(*WELSH_CASE)
    page.clock.set("2027-01-12T09:30")
    page.deliver()
    return page
