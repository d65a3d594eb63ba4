"""Fixtures of the ops suite: the fake Slack Web API, and the root logger put back after a test
that configures logging as `coregroup serve` does."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest
from fakes.slack_api import FakeSlackAPI

from bot.logs import LIBRARY_FLOORS


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as f:
        yield f


@pytest.fixture
def restore_logging() -> Iterator[None]:
    names = ("", *LIBRARY_FLOORS)
    levels = {name: logging.getLogger(name).level for name in names}
    root = logging.getLogger()
    handlers = list(root.handlers)
    filters = {h: list(h.filters) for h in handlers}
    hooks = (sys.excepthook, __import__("threading").excepthook)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h, fs in filters.items():
        h.filters[:] = fs
    logging.captureWarnings(False)
    sys.excepthook, __import__("threading").excepthook = hooks
