"""Fixtures of the contract suite: `adapter` runs a test once per chat adapter (Slack, Teams,
console); `every_adapter` gives all three at once, for tests that compare them. The drivers live
in `drivers.py` (a module of its own, so tests can import it by a unique name)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from drivers import ADAPTERS, Driver, driver_for

# --- fixtures (`sqlite_template` is tests/conftest.py's) -----------------------------------------


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Driver]:
    with driver_for(request.param, sqlite_template, tmp_path / request.param) as d:
        yield d


@pytest.fixture
def every_adapter(sqlite_template: Path, tmp_path: Path) -> Iterator[dict[str, Driver]]:
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(driver_for(name, sqlite_template, tmp_path / name)) for name in ADAPTERS
        }


@pytest.fixture(autouse=True)
def _nothing_bypasses_the_catalogue() -> Iterator[None]:
    """Issue 14: every text a reader is sent in the contract suite — replies, forms, channel
    posts, the pinned summary, reminders — is a catalogue sentence (or marked as data with
    `verbatim`). A sentence written as a plain `str`, or glued from translated pieces, would
    reach a Welsh reader in English; here it fails the test that sent it, whatever its language."""
    from handlers.i18n import watching_for_leaks

    with watching_for_leaks() as leaks:
        yield
    texts = sorted({text for text, _message in leaks})
    assert not texts, f"{len(texts)} text(s) bypassed the Welsh catalogue: {texts[:20]}"
