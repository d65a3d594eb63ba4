"""Logging for `coregroup serve`: our records only, at DEBUG too; libraries' debug never.

At DEBUG, slack_sdk logs every Web API request and response body (users.info answers carry names
and emails; chat.postMessage carries the text members typed), Bolt logs the payloads it acks, and
the HTTP and Microsoft libraries do the same. Our own code never logs personal data (ids, counts
and kinds only), so DEBUG stays useful for it; records below INFO made by library code are
dropped whatever logger they go to -- Bolt, for one, logs through the logger we give it
(`coregroup.slack`), so the test is where the logging call is, not the logger's name. The loggers
of the libraries we know of are also held at INFO (SQLAlchemy's at WARNING: its INFO lines carry
query parameters), so the records are not even made.

`COREGROUP_LOG_LEVEL=DEBUG` (or `serve --log-level DEBUG`) is for a test system: production runs
at INFO (docs/security.md). `COREGROUP_LOG_FORMAT=json` makes every line one JSON object, with
each record's `extra=` fields by name (reminder id, case id, platform method, error code), for a
council's log collector; the default text format shows the same fields as `key=value`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

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
    # "Context impl SQLiteImpl." on every schema check: noise in a serving process's log.
    "alembic": logging.WARNING,
    # Retry chatter with full URLs (query strings included); the failure itself reaches our code.
    "urllib3": logging.ERROR,
}

FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Every logger of ours is under this one (`coregroup.slack`, `coregroup.delivery`, ...).
ROOT: Final = "coregroup"

#: COREGROUP_LOG_FORMAT values.
FORMATS: Final = ("text", "json")

#: What a LogRecord carries anyway: anything else on it came from `extra=` and is a field.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime", "taskName"}
)


class LibraryDebugFilter(logging.Filter):
    """Drops records below INFO that library code made (a handler filter: it sees them all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return os.path.realpath(record.pathname).startswith(_OWN)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record (case reference, reminder id, method, error code...)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, for a log collector: time (UTC, ISO 8601), level,
    logger, message, every `extra=` field by name, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in fields_of(record).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format, with the `extra=` fields after the message (`key=value`), which
    basicConfig's format dropped: "slack call refused method=chat.postMessage code=...".'"""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = fields_of(record)
        if not extra:
            return line
        tail = " ".join(f"{k}={v}" for k, v in extra.items())
        head, sep, rest = line.partition("\n")  # a traceback stays below the first line
        return f"{head} {tail}{sep}{rest}"


class _Stderr(logging.StreamHandler):
    """A stream handler on whatever `sys.stderr` is now (a test's capture, a redirect), so a
    replaced stream is never written to after it is closed."""

    _coregroup = True

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str | int = logging.INFO, fmt: str = "text") -> None:
    """Configure the root logger for a serving process: one handler of ours on stderr (text, or
    one JSON object a line), replacing any earlier one of ours; the library filter on every root
    handler (ours, or whatever the host set up); the libraries' loggers held at their floors.
    In JSON, Python warnings and uncaught exceptions in any thread come as JSON records too, and
    uvicorn must be started with `log_config=None` so its lines reach this handler."""
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        numeric = logging.INFO
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_coregroup", False):
            root.removeHandler(handler)
    ours = _Stderr()
    ours.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(ours)
    root.setLevel(numeric)
    for handler in root.handlers:
        if not any(isinstance(f, LibraryDebugFilter) for f in handler.filters):
            handler.addFilter(LibraryDebugFilter())
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, numeric))
    if fmt == "json":
        logging.captureWarnings(True)
        _log_uncaught()


def _log_uncaught() -> None:
    """Uncaught exceptions (main thread, other threads) as records, so they are JSON too."""
    import threading

    def main_hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        logging.getLogger(ROOT).critical("uncaught exception", exc_info=(kind, exc, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        logging.getLogger(ROOT).error(
            "uncaught exception in a thread",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            extra={"thread": getattr(args.thread, "name", None)},
        )

    sys.excepthook = main_hook
    threading.excepthook = thread_hook


def error_line(message: str) -> str:
    """A one-line refusal for stderr: plain, or a JSON record when COREGROUP_LOG_FORMAT=json (so
    even a start that fails on its settings is all JSON to the collector)."""
    if os.environ.get("COREGROUP_LOG_FORMAT", "").strip().lower() == "json":
        return (
            json.dumps(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "level": "error",
                    "logger": ROOT,
                    "message": message,
                },
                ensure_ascii=False,
            )
            + "\n"
        )
    return f"coregroup: {message}\n"
