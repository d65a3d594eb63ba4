"""Logging for `coregroup serve`: our records only, at DEBUG too; libraries' debug never.

At DEBUG, slack_sdk logs every Web API request and response body (users.info answers carry names
and emails; chat.postMessage carries the text members typed), Bolt logs the payloads it acks, and
the HTTP and Microsoft libraries do the same. Our own code never logs personal data (ids, counts
and kinds only), so DEBUG stays useful for it; records below INFO made by library code are
dropped whatever logger they go to -- Bolt, for one, logs through the logger we give it
(`coregroup.slack`), so the test is where the logging call is, not the logger's name. The loggers
of the libraries we know of are also held at INFO (SQLAlchemy's at WARNING: its INFO lines carry
query parameters), so the records are not even made.

`COREGROUP_LOG_LEVEL=DEBUG` is for a test system: production runs at INFO (docs/security.md).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

#: Where our code lives: records made by files under these are ours.
_OWN: Final = tuple(
    str(Path(__file__).resolve().parents[1] / pkg) + os.sep
    for pkg in ("bot", "handlers", "storage", "scheduling")
)

#: Library loggers that log bodies, headers or query parameters below this level.
LIBRARY_FLOORS: Final[dict[str, int]] = {
    **dict.fromkeys(
        (
            "slack_sdk",
            "slack_bolt",
            "slack",
            "httpx",
            "httpcore",
            "urllib3",
            "requests",
            "msal",
            "azure",
            "msgraph",
            "msgraph_core",
            "kiota_http",
            "kiota_abstractions",
            "kiota_authentication_azure",
            "microsoft_teams",
            "websocket",
            "websockets",
            "aiohttp",
            "uvicorn",
            "starlette",
            "fastapi",
        ),
        logging.INFO,
    ),
    "sqlalchemy": logging.WARNING,
}

FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LibraryDebugFilter(logging.Filter):
    """Drops records below INFO that library code made (a handler filter: it sees them all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return os.path.realpath(record.pathname).startswith(_OWN)


def configure_logging(level: str | int = logging.INFO) -> None:
    """Configure the root logger once for a serving process, with the library filter on every
    handler it has (ours from basicConfig, or whatever the host set up)."""
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        numeric = logging.INFO
    logging.basicConfig(level=numeric, format=FORMAT)
    root = logging.getLogger()
    root.setLevel(numeric)
    for handler in root.handlers:
        if not any(isinstance(f, LibraryDebugFilter) for f in handler.filters):
            handler.addFilter(LibraryDebugFilter())
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, numeric))
