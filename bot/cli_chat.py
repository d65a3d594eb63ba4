"""`coregroup serve` (the Slack bot) and `coregroup console` (the same commands in a terminal).

`serve` uses Socket Mode when SLACK_APP_TOKEN is set -- an outbound WebSocket, so no public URL or
inbound firewall rule is needed, which suits council networks -- and otherwise HTTP on `--port`
at /slack/events. Settings come from the environment (bot.settings); each missing one is named on
its own line and the exit status is 2.
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import UsageError
from bot.clock import LONDON, Clock, fixed_clock, system_clock
from bot.serving import (
    Stop,
    add_ops_arguments,
    drain,
    fail,
    make_health,
    setup_logging,
    sigterm_stops,
    single_sqlite_process,
    start_calendar,
    uvicorn_options,
)
from bot.settings import Settings, handler_config, load_settings

if TYPE_CHECKING:
    pass

log = logging.getLogger("coregroup")


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)",
        description="Run the Slack bot. Socket Mode when SLACK_APP_TOKEN is set (no public URL "
        "needed); otherwise HTTP on --port at /slack/events.",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=3000,
        help="HTTP port (default 3000); in Socket Mode it serves /healthz, /readyz and /metrics",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on: /slack/events and /api/messages, and /healthz, /readyz and "
        "/metrics in every mode (default 127.0.0.1; 0.0.0.0 to be reached from another host, e.g. "
        "the reverse proxy or a container's port mapping)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=8,
        help="threads for the slow work after each acknowledgement (default 8)",
    )
    serve.add_argument(
        "--grace",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="on SIGTERM, time to finish acknowledged work before exiting; what is "
        "left stays queued for the next start (default 20)",
    )
    serve.add_argument(
        "--teams",
        action="store_true",
        help="serve Microsoft Teams at /api/messages instead of Slack (TEAMS_* settings)",
    )
    add_ops_arguments(serve)
    serve.set_defaults(func=cmd_serve)

    console = subparsers.add_parser(
        "console",
        help="try every /coregroup command in a terminal, no Slack needed",
        description="Type /coregroup commands (or pipe a script of them) and see what the bot "
        "would post. Uses DATABASE_URL, or the SQLite file by default.",
    )
    console.add_argument("script", nargs="?", help="a file of lines to run instead of stdin")
    console.add_argument("--user", default="U0YOU", help="the Slack-style user id you act as (default U0YOU)")
    console.add_argument(
        "--now", metavar="YYYY-MM-DDTHH:MM", help="pretend it is this London time (default: the real clock)"
    )
    console.set_defaults(func=cmd_console)


# --- serve ---------------------------------------------------------------------------------------


def check_serve_settings(settings: Settings) -> list[str]:
    """One line per missing or malformed setting (empty: ready to serve)."""
    problems = []
    if not settings.slack_bot_token:
        problems.append(
            "SLACK_BOT_TOKEN is not set: the bot token (xoxb-…) from the Slack app's OAuth & Permissions page"
        )
    elif not settings.slack_bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN should be a bot token starting xoxb-")
    if settings.slack_app_token:
        if not settings.slack_app_token.startswith("xapp-"):
            problems.append(
                "SLACK_APP_TOKEN should be an app-level token starting xapp- "
                "(with the connections:write scope), or unset for HTTP mode"
            )
    elif not settings.slack_signing_secret:
        problems.append(
            "SLACK_SIGNING_SECRET is not set: the signing secret from the Slack "
            "app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    from bot.email.wiring import settings_problems

    problems += settings_problems(settings)
    if not settings.slack_api_url.startswith(("http://", "https://")):
        problems.append(
            f"SLACK_API_URL must be an http(s) URL, e.g. https://slack.com/api/ "
            f"(got {settings.slack_api_url!r})"
        )
    return problems


def cmd_serve(args: argparse.Namespace) -> int:
    if getattr(args, "teams", False):
        from bot.cli_teams import cmd_serve_teams

        return cmd_serve_teams(args)
    settings = load_settings()
    problems = check_serve_settings(settings)
    if problems:
        fail(problems)
    setup_logging(settings, args)
    from slack_bolt.error import BoltError

    from bot.slack.app import build_app
    from bot.slack.listeners import SlackDeps
    from bot.work import Worker
    from storage.db import Store
    from storage.errors import StorageError

    try:
        store = Store.open(settings)
    except StorageError as exc:
        raise UsageError(f"{exc.message} Run: {exc.example}" if exc.example else exc.message) from None
    leader = single_sqlite_process(store)
    health = make_health(settings, store)
    deps = SlackDeps(
        store=store, clock=system_clock, config=handler_config(settings), worker=Worker(threads=args.workers)
    )
    socket_mode = bool(settings.slack_app_token)
    assert settings.slack_bot_token
    try:
        app = build_app(
            token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret,
            api_url=settings.slack_api_url,
            deps=deps,
            socket_mode=socket_mode,
        )
    except BoltError as exc:
        raise UsageError(f"Slack refused SLACK_BOT_TOKEN ({exc})") from None
    except OSError as exc:
        raise UsageError(
            f"could not reach the Slack Web API at {settings.slack_api_url} ({type(exc).__name__})"
        ) from None
    from functools import partial

    from bot.delivery import refresh_bundle_effect
    from bot.email.wiring import answer_page_routes, email_port
    from bot.scheduler import SweepJob, start
    from bot.slack.chat import SlackChat
    from bot.sweep_process import SweepProcess

    # Email for members outside the workspace (bot/email/), and the answer page its links open.
    email = email_port(settings, system_clock, store=store)
    deps.bundle = partial(refresh_bundle_effect, email=email)
    page = answer_page_routes(
        settings, store, system_clock, lambda: SlackChat(app.client), email, deps.config
    )
    if socket_mode:
        from bot.ops.routes import ops_routes, side_server

        # No HTTP server of Slack's in this mode: a small one on --port for the ops endpoints and
        # the answer page. Before the sweep starts, so a port in use stops the start.
        ops = side_server(
            [*ops_routes(health), *page],
            host=args.host,
            port=args.port,
            max_body_bytes=settings.max_body_bytes,
        )
    # The reminder sweep every COREGROUP_SWEEP_MINUTES (on PostgreSQL only the leader sweeps),
    # planned in a process of its own so acknowledgements never wait for it.
    start(
        SweepJob(
            store,
            SlackChat(app.client),
            system_clock,
            leader=leader,
            bundle_at=settings.bundle_time,
            email=email,
            health=health,
            sweeper=SweepProcess.for_store(store),
            full_every=timedelta(hours=settings.full_sweep_hours),
        ),
        settings.sweep_minutes,
    )
    deps.calendar = start_calendar(settings, store, SlackChat(app.client), email).notify
    assert deps.inbound is not None
    # What an earlier process acknowledged and did not finish is done first (bot/inbound.py).
    deps.inbound.start()
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("serving over Socket Mode", extra={"ops_url": ops.url})
        handler = SocketModeHandler(app, settings.slack_app_token)
        with sigterm_stops():
            try:
                handler.start()
            except Stop:
                log.info("SIGTERM: disconnecting from Socket Mode")
            finally:
                close = getattr(handler, "close", None)
                if close is not None:
                    close()  # no new requests from here on
                drain(deps.inbound, args.grace)
                ops.stop()
        return 0
    import uvicorn

    from bot.slack.http import EVENTS_PATH, http_app

    log.info("serving HTTP on %s:%d%s", args.host, args.port, EVENTS_PATH)
    # uvicorn stops taking connections on SIGTERM and answers the requests in flight (acks only:
    # the work is queued), then re-raises the signal once it has restored our handler: that
    # lands here as _Stop, and the queued work gets its grace period.
    with sigterm_stops():
        try:
            uvicorn.run(
                http_app(app, max_body_bytes=settings.max_body_bytes, health=health, extra_routes=page),
                host=args.host,
                port=args.port,
                **uvicorn_options(args.grace),
            )
        except Stop:
            pass
        finally:
            drain(deps.inbound, args.grace)
    return 0


# --- console -------------------------------------------------------------------------------------


def _console_clock(now: str | None) -> Clock:
    if not now:
        return system_clock
    try:
        at = datetime.fromisoformat(now)
    except ValueError:
        raise UsageError(f"--now {now!r} is not a time like 2027-01-04T14:00") from None
    return fixed_clock(at if at.tzinfo else at.replace(tzinfo=LONDON))


def cmd_console(args: argparse.Namespace) -> int:
    from bot.console import run_console
    from storage import migrate
    from storage.db import Store, is_sqlite
    from storage.errors import StorageError

    settings = load_settings()
    clock = _console_clock(args.now)
    if not (args.user[:1] in "UW" and args.user[1:].isalnum() and args.user.isupper()):
        raise UsageError(f"--user {args.user!r} should look like a Slack user id, e.g. U0LEAD")
    store = Store.open(settings, check_schema=False)
    try:
        if is_sqlite(store.engine):
            migrate.upgrade(store.engine)  # a fresh install just works
        else:
            migrate.require_current(store.engine)
    except StorageError as exc:
        raise UsageError(f"{exc.message} Run: {exc.example}") from None
    # The console carries out calendar work from the outbox: never beside a serve on one SQLite file.
    leader = single_sqlite_process(store)
    config = handler_config(settings)
    # .ics invitations the console "posts" are written beside the SQLite file.
    files = Path(settings.sqlite_path).parent / "coregroup-files"
    try:
        if args.script:
            try:
                source = open(args.script, encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise UsageError(f"cannot read {args.script}: {exc.strerror}") from None
            with source:
                run_console(store, clock, user=args.user, source=source, config=config, files_dir=files)
        else:
            run_console(store, clock, user=args.user, config=config, files_dir=files)
    finally:
        leader.release()
        store.dispose()
    return 0
