"""`coregroup sweep [--now ISO] [--dry-run] [--full]`: one reminder sweep by hand.

Plans the active cases that changed or whose next moment has come (`--full`: every active case,
and every case's next moment written afresh — run it after changing a profile or the bank
holidays), puts what is due in the outbox and delivers the rows that are due now —
through Slack when SLACK_BOT_TOKEN is set, else printed by the console adapter, so it works on a
fresh install with SQLite. `--dry-run` prints what would be queued and writes nothing. One line per
reminder: case reference, kind, audience, send time (London). A dry run always plans every case.

It honours the sweep's leader lock (bot/scheduler.py): when a `coregroup serve` (or another sweep)
leads on this database — the PostgreSQL advisory lock, or the SQLite file's lock — it says so in
one line, writes and sends nothing, and exits with status 2; that process delivers the reminders.
`--dry-run` writes nothing, so it plans regardless.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from typing import Any, TextIO

from bot.cli import UsageError
from bot.clock import LONDON, Clock, fixed_clock, system_clock
from bot.settings import Settings, load_settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run one reminder sweep now (plan, queue, deliver what is due)",
        description="Plan reminders for every active case, queue them in the outbox and deliver "
        "the ones due now. Without SLACK_BOT_TOKEN they are printed instead of sent.",
    )
    p.add_argument(
        "--now", metavar="YYYY-MM-DDTHH:MM", help="pretend it is this London time (default: the real clock)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be queued; write nothing, send nothing"
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="re-plan every active case, not only the changed and due ones "
        "(after a profile or bank-holiday change)",
    )
    p.set_defaults(func=cmd_sweep)


def parse_now(now: str | None) -> Clock:
    if not now:
        return system_clock
    try:
        at = datetime.fromisoformat(now)
    except ValueError:
        raise UsageError(f"--now {now!r} is not a time; try --now 2027-01-05T09:30") from None
    return fixed_clock(at if at.tzinfo else at.replace(tzinfo=LONDON))


def chat_port(settings: Settings, store: Any, clock: Clock, out: TextIO) -> Any:
    """Slack when configured, else the console adapter (prints what would be posted)."""
    if settings.slack_bot_token:
        from bot.slack.app import make_client
        from bot.slack.chat import SlackChat

        return SlackChat(make_client(settings.slack_bot_token, settings.slack_api_url))
    from bot.console import ConsoleSession

    return ConsoleSession(store, clock, user="U0BOT", source=io.StringIO(), out=out).chat


def _when(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%a %d %b %Y %H:%M}"


def cmd_sweep(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from bot.delivery import Delivery, Pacer
    from bot.scheduler import Leader
    from handlers.sweep import sweep
    from storage import migrate
    from storage.db import Store, is_sqlite
    from storage.errors import StorageError

    out = out or sys.stdout
    settings = load_settings()
    clock = parse_now(args.now)
    store = Store.open(settings, check_schema=False)
    leader: Leader | None = None
    try:
        try:
            if is_sqlite(store.engine) and not args.dry_run:
                migrate.upgrade(store.engine)  # a fresh install just works
            else:
                migrate.require_current(store.engine)
        except StorageError as exc:
            raise UsageError(f"{exc.message} Run: {exc.example}") from None
        if not args.dry_run:
            leader = Leader(store)
            if not leader.is_leader():
                raise UsageError(
                    f"{leader.holder()} leads the reminder sweep on this database "
                    "and will deliver what is due; nothing was queued or sent. "
                    "Try --dry-run to see the plan."
                )
        from bot.email.wiring import email_port

        now = clock()
        try:
            email = email_port(settings, clock, store=store)
        except ValueError as exc:  # COREGROUP_SMTP_URL / _MAIL_FROM / _LINK_SECRET as typed
            raise UsageError(str(exc)) from None
        result = sweep(
            store,
            now,
            dry_run=args.dry_run,
            full=args.full or args.dry_run,
            bundle_at=settings.bundle_time,
            email=email is not None,
        )
        if args.dry_run:
            for o in sorted(result.planned, key=lambda o: (o.send_at, o.reference, o.stage)):
                out.write(f"{o.reference}  {o.planned.kind:<22} {o.audience:<22} {_when(o.send_at)}\n")
            out.write(
                f"dry run: {len(result.planned)} reminder(s) planned for "
                f"{result.cases} active case(s); nothing written or sent\n"
            )
            return 0
        console = io.StringIO()
        port = chat_port(settings, store, clock, console)
        sent = Delivery(store, port, clock=clock, pacer=Pacer(1.0), email=email).run()
        for s in sent:
            out.write(
                f"{s.reference}  {s.kind:<22} {s.audience:<22} {_when(now)}  {s.outcome}"
                f"{'  → ' + s.destination if s.destination else ''}\n"
            )
        if console.getvalue():
            out.write(console.getvalue())
        out.write(
            f"{result.inserted} new reminder(s) queued for {result.cases} "
            f"{'active' if result.full else 'changed or due'} case(s); "
            f"{sum(1 for s in sent if s.outcome in ('sent', 'digest'))} sent now\n"
        )
    finally:
        if leader is not None:
            leader.release()
        store.dispose()
    return 0
