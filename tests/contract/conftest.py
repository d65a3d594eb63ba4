"""Fixtures of the contract suite: `adapter` runs a test once per chat adapter (Slack, Teams,
console); `every_adapter` gives all three at once, for tests that compare them. The drivers live
in `drivers.py` (a module of its own, so tests can import it by a unique name)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fakes
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder, for drivers and story

from drivers import ADAPTERS, Driver, driver_for
from fakes.env import migrated_template

# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("contract-template"))


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
            ) -> Iterator[Driver]:
    with driver_for(request.param, sqlite_template, tmp_path / request.param) as d:
        yield d


@pytest.fixture
def every_adapter(sqlite_template: Path, tmp_path: Path) -> Iterator[dict[str, Driver]]:
    with ExitStack() as stack:
        yield {name: stack.enter_context(driver_for(name, sqlite_template, tmp_path / name))
               for name in ADAPTERS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Teams SDK warns about its own internals on every activity (its deprecated bot client,
    an HTML widget in preview); nothing here uses either."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.filterwarnings("ignore:The bot client is deprecated"))
            item.add_marker(pytest.mark.filterwarnings("ignore:.*in preview"))
