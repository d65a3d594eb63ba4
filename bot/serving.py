"""What every `coregroup serve` mode shares (Slack HTTP, Socket Mode, Teams): the refusal of a
second process on one SQLite file, the calendar worker, and a stop that drains acknowledged work.

Kept out of the command modules so `bot/cli_chat.py` and `bot/cli_teams.py` both use it without
importing each other.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bot.cli import UsageError
from bot.clock import system_clock
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.scheduler import Leader

log = logging.getLogger("coregroup")


def fail(problems: list[str]) -> None:
    from bot.logs import error_line

    for line in problems[:-1]:
        sys.stderr.write(error_line(line))
    raise UsageError(problems[-1])


class Stop(Exception):
    """SIGTERM in Socket Mode, raised in the main thread to leave `SocketModeHandler.start`."""


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Stop

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test): nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def drain(queue: Any, grace: float) -> None:
    """Give acknowledged work `grace` seconds; the rest stays on disk for the next start. A
    second SIGTERM cuts the wait short (nothing is lost: it is all on disk)."""
    log.info("stopping: finishing acknowledged work for up to %.0f s", grace)
    try:
        left = queue.stop(grace)
    except Stop:
        log.warning("second SIGTERM: stopping now; the next start finishes the queued work")
        return
    if left:
        log.warning("stopped with %d acknowledged request(s) queued; the next start finishes them", left)
    else:
        log.info("stopped: every acknowledged request finished")


def single_sqlite_process(store: Any) -> Leader:
    """The sweep's `Leader`, taken now on SQLite: a second process on the same database file
    would deliver reminders and calendar work a second time, so it refuses to start instead."""
    from bot.scheduler import Leader, sqlite_lock_path

    leader = Leader(store)
    path = sqlite_lock_path(store)
    if path is not None and not leader.is_leader():
        raise UsageError(
            f"{leader.holder()} is already serving the SQLite database "
            f"{path.with_suffix('')}; SQLite is a single-process store. Stop that "
            "one first, or use PostgreSQL (DATABASE_URL) to run more than one."
        )
    return leader


def start_calendar(settings: Settings, store: Any, chat: Any, email: Any = None) -> Any:
    """Calendar invitations (issue 6, docs/graph.md): Microsoft Graph with all four GRAPH_*
    settings, else .ics files in the case channel. msgraph's model imports are paid here, before
    the first request, and the worker claims the calendar outbox rows an earlier run left."""
    from bot.calendar import make_calendar
    from bot.calendar.graph import graph_configured, warm_up
    from bot.calendar.jobs import CalendarJobs

    if graph_configured(settings):
        warm_up()
    try:
        return CalendarJobs(
            store,
            chat,
            system_clock,
            lambda publish: make_calendar(settings, publish),
            organiser=settings.graph_organiser,
            warm_up=False,
            email=email,
        ).start()
    except Exception as exc:
        raise UsageError(
            f"the calendar worker could not start ({type(exc).__name__}: {exc}); "
            "check the GRAPH_* settings (docs/graph.md)"
        ) from None


def add_ops_arguments(parser: Any) -> None:
    """`--log-level` for every serving mode (it overrides COREGROUP_LOG_LEVEL)."""
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        type=str.upper,
        default=None,
        help="log level (default COREGROUP_LOG_LEVEL, else INFO); COREGROUP_LOG_FORMAT=json for JSON lines",
    )


def setup_logging(settings: Settings, args: Any) -> None:
    from bot.logs import configure_logging

    configure_logging(getattr(args, "log_level", None) or settings.log_level, settings.log_format)


def uvicorn_options(grace: float) -> dict[str, Any]:
    """What every `uvicorn.run` of ours passes: no logging set-up of uvicorn's own (its lines go
    through our handler, as JSON when asked), no access log (URLs and client addresses)."""
    return {
        "access_log": False,
        "log_config": None,
        "log_level": "info",
        "timeout_graceful_shutdown": max(1, int(grace)),
    }


def make_health(settings: Settings, store: Any) -> Any:
    """What `/readyz` checks for this process (bot/ops/health.py)."""
    from bot.ops.health import Health

    return Health(store, system_clock, sweep_minutes=settings.sweep_minutes)
