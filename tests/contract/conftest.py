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
