"""`coregroup serve --teams` (the Teams bot over HTTP at /api/messages) and `coregroup
teams-package` (the sideloadable app package).

Settings come from the environment (bot.settings); each missing one is named on its own line and
the exit status is 2, as for Slack.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.cli import UsageError
from bot.settings import Settings, handler_config, load_settings

log = logging.getLogger("coregroup")


def register(subparsers: Any) -> None:
    package = subparsers.add_parser(
        "teams-package",
        help="zip the Teams app manifest and icons into a package you can sideload",
        description="Build the Teams app package (manifest.json, color.png, outline.png) for "
        "TEAMS_APP_ID, ready to upload in Teams (Apps → Manage your apps → Upload an app) or "
        "Teams Admin Center.",
    )
    package.add_argument(
        "--out",
        type=Path,
        default=Path("coregroup-teams.zip"),
        help="where to write the zip (default coregroup-teams.zip)",
    )
    package.add_argument("--app-id", help="the bot's Entra application id (default TEAMS_APP_ID)")
    package.add_argument("--developer", default="Your council", help="the publisher's name shown in Teams")
    package.add_argument(
        "--website",
        default="https://example.org",
        help="the publisher's https website (privacy and terms pages under it)",
    )
    package.add_argument(
        "--version",
        help="the app version Teams shows, MAJOR.MINOR.PATCH; raise it for each update you upload "
        "(default: coregroup's own version)",
    )
    package.set_defaults(func=cmd_teams_package)


def check_teams_settings(settings: Settings) -> list[str]:
    """One line per missing or malformed Teams setting (empty: ready to serve)."""
    problems = []
    if not settings.teams_app_id:
        problems.append(
            "TEAMS_APP_ID is not set: the Application (client) ID of the bot's Entra "
            "app registration (Azure Bot resource → Configuration)"
        )
    if not settings.teams_app_password and not settings.teams_certificate_path:
        problems.append(
            "TEAMS_APP_PASSWORD is not set: a client secret of that app registration "
            "(or set TEAMS_CERTIFICATE_PATH and TEAMS_CERTIFICATE_THUMBPRINT)"
        )
    if settings.teams_certificate_path and not settings.teams_certificate_thumbprint:
        problems.append(
            "TEAMS_CERTIFICATE_THUMBPRINT is not set: the SHA-1 thumbprint of the "
            "certificate uploaded to the app registration"
        )
    if not settings.teams_tenant_id:
        problems.append("TEAMS_TENANT_ID is not set: your Microsoft 365 tenant id (the bot is single-tenant)")
    for name, value in (
        ("TEAMS_OPENID_METADATA_URL", settings.teams_openid_metadata_url),
        ("TEAMS_SERVICE_URL", settings.teams_service_url),
        ("TEAMS_AUTHORITY", settings.teams_authority),
    ):
        if not value.startswith(("https://", "http://")):
            problems.append(f"{name} must be an http(s) URL (got {value!r})")
    from bot.email.wiring import settings_problems

    return problems + settings_problems(settings)


def cmd_serve_teams(args: argparse.Namespace) -> int:
    from bot.serving import fail, make_health, setup_logging, single_sqlite_process, start_calendar

    settings = load_settings()
    problems = check_teams_settings(settings)
    if problems:
        fail(problems)
    setup_logging(settings, args)
    from bot.chat import ChatError
    from bot.clock import system_clock
    from bot.teams.app import MESSAGES_PATH, TeamsDeps, asgi, build_app
    from bot.teams.connector import Connector, MsalToken
    from bot.work import Worker
    from storage.db import Store
    from storage.errors import StorageError

    assert settings.teams_app_id and settings.teams_tenant_id
    certificate = None
    if settings.teams_certificate_path:
        try:
            key = settings.teams_certificate_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read TEAMS_CERTIFICATE_PATH: {exc.strerror}") from None
        certificate = {"private_key": key, "thumbprint": str(settings.teams_certificate_thumbprint)}
    tokens = MsalToken(
        settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        authority=settings.teams_authority,
        password=settings.teams_app_password,
        certificate=certificate,
    )
    try:
        tokens.token()  # fail fast, as `serve` does for Slack's auth.test
    except ChatError as exc:
        raise UsageError(
            f"could not get a Bot Framework token for TEAMS_APP_ID from "
            f"{settings.teams_authority} ({exc}): check TEAMS_APP_PASSWORD or the "
            f"certificate, TEAMS_TENANT_ID, and outbound HTTPS"
        ) from None
    try:
        store = Store.open(settings)
    except StorageError as exc:
        raise UsageError(f"{exc.message} Run: {exc.example}" if exc.example else exc.message) from None
    leader = single_sqlite_process(store)
    health = make_health(settings, store)
    deps = TeamsDeps(
        store=store,
        clock=system_clock,
        connector=Connector(tokens),
        app_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        service_url=settings.teams_service_url,
        config=handler_config(settings),
        worker=Worker(threads=args.workers),
    )
    app = build_app(
        deps, app_password=settings.teams_app_password, openid_metadata_url=settings.teams_openid_metadata_url
    )
    from functools import partial

    from bot.delivery import refresh_bundle_effect
    from bot.email.wiring import answer_page_routes, email_port
    from bot.scheduler import SweepJob, start
    from bot.sweep_process import SweepProcess

    # Email for members outside the team (bot/email/), and the answer page its links open.
    email = email_port(settings, system_clock, store=store)
    deps.bundle = partial(refresh_bundle_effect, email=email)
    page = answer_page_routes(settings, store, system_clock, deps.chat, email, deps.config)
    # Reminders through the same port as answers: one delivery, two adapters; planned in a
    # process of its own so acknowledgements never wait for it.
    start(
        SweepJob(
            store,
            deps.chat(),
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
    # Calendar invitations (Graph, else the .ics fallback) through the proactive Teams port, so
    # failure messages and slot offers reach the case's Teams channel (docs/graph.md).
    deps.calendar = start_calendar(settings, store, deps.chat(), email).notify
    import uvicorn

    from bot.serving import Stop, drain, sigterm_stops, uvicorn_options

    assert deps.inbound is not None
    deps.inbound.start()  # what an earlier process acknowledged and did not finish
    grace = float(getattr(args, "grace", 20.0))
    log.info("serving Teams on %s:%d%s", args.host, args.port, MESSAGES_PATH)
    with sigterm_stops():  # as for Slack: stop taking requests, drain for --grace, exit
        try:
            uvicorn.run(
                asgi(app, max_body_bytes=settings.max_body_bytes, health=health, extra_routes=page),
                host=args.host,
                port=args.port,
                **uvicorn_options(grace),
            )
        except Stop:
            pass
        finally:
            drain(deps.inbound, grace)
    return 0


def cmd_teams_package(args: argparse.Namespace) -> int:
    from bot.teams.package import PackageError, build

    app_id = args.app_id or load_settings().teams_app_id
    if not app_id:
        raise UsageError(
            "TEAMS_APP_ID is not set (or pass --app-id): the bot's Entra application (client) id"
        )
    try:
        out = build(args.out, app_id, developer=args.developer, website=args.website, version=args.version)
    except PackageError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(f"wrote {out}: upload it in Teams (Apps → Manage your apps → Upload an app)\n")
    return 0
