"""`coregroup db|audit|export|purge`: the database from the terminal.

Every command reads the deployment's settings (DATABASE_URL or COREGROUP_SQLITE_PATH). All but
`db` refuse a database whose schema is behind, naming the command that fixes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import UsageError
from bot.clock import Clock, london_today, system_clock
from bot.settings import Settings, load_settings

#: Who the CLI acts as in the audit log (an operator at the terminal; never a person's name).
CLI_ACTOR = "cli"

#: The clock `export` and `purge` read. There is deliberately no `--now` option: a clock set from
#: the command line let anyone delete a case closed today (defeating the retention floor) or
#: backdate an audit event. Tests replace this attribute instead.
CLOCK: Clock = system_clock


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="create, update or inspect the database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="create the database or bring it up to date")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default head)")
    up.set_defaults(func=_db_upgrade)
    down = db_sub.add_parser("downgrade", help="step the schema back (default: one revision)")
    down.add_argument(
        "revision", nargs="?", default="-1", help="target revision, -1 for one step, base for nothing"
    )
    down.set_defaults(func=_db_downgrade)
    cur = db_sub.add_parser("current", help="show the schema revision and whether it is current")
    cur.set_defaults(func=_db_current)

    aud = subparsers.add_parser("audit", help="check or read the audit log")
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ver = aud_sub.add_parser("verify", help="check every link of the hash chain and its end")
    ver.add_argument(
        "--anchor",
        metavar="ID:HASH",
        help="check the end against this anchor (from an `audit anchor` log line) instead of the anchor file",
    )
    ver.set_defaults(func=_audit_verify)
    show = aud_sub.add_parser("show", help="a case's history, oldest first")
    show.add_argument("reference", metavar="REF", help="case reference, e.g. CG-0001")
    show.set_defaults(func=_audit_show)

    exp = subparsers.add_parser("export", help="write a case's record as JSON and a document")
    exp.add_argument("reference", metavar="REF", help="case reference, e.g. CG-0001")
    exp.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("."),
        help="directory for REF-record.json and REF-record.md (default: here)",
    )
    exp.set_defaults(func=_export)

    purge = subparsers.add_parser("purge", help="remove closed cases past the retention period (audited)")
    purge.add_argument(
        "--closed-before",
        metavar="DATE",
        required=True,
        help="remove cases closed before this date (YYYY-MM-DD)",
    )
    purge.add_argument("--dry-run", action="store_true", help="list them, remove nothing")
    purge.set_defaults(func=_purge)


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _settings() -> Settings:
    return load_settings()


def _open_store(check: bool = True) -> Any:
    from storage.db import Store
    from storage.errors import StorageError

    try:
        return Store.open(_settings(), check_schema=check)
    except StorageError as exc:
        raise UsageError(str(exc)) from None


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.repository import rebuild_snapshots

    store = _open_store(check=False)
    try:
        before = migrate.current(store.engine)
        migrate.upgrade(store.engine, args.revision)
        after = migrate.current(store.engine)
        rebuilt = None
        if after != before and after == migrate.head():
            # A migration may change what a case's state is made of: rewrite the snapshots.
            with store.transaction() as session:
                rebuilt = rebuild_snapshots(session)
    finally:
        store.dispose()
    if before == after:
        _out(f"database already at {after or 'base'}; nothing to do")
    else:
        _out(f"database upgraded from {before or 'empty'} to {after}")
    if rebuilt:
        _out(f"rewrote the state snapshots of {rebuilt} case(s)")
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    from storage import migrate

    store = _open_store(check=False)
    try:
        before = migrate.current(store.engine)
        if before is None:
            raise UsageError("the database has no schema to downgrade")
        migrate.downgrade(store.engine, args.revision)
        after = migrate.current(store.engine)
    finally:
        store.dispose()
    _out(f"database downgraded from {before} to {after or 'base (empty)'}")
    return 0


def _db_current(args: argparse.Namespace) -> int:
    from storage import migrate

    store = _open_store(check=False)
    try:
        at = migrate.current(store.engine)
    finally:
        store.dispose()
    head = migrate.head()
    if at == head:
        _out(f"{at} (current)")
        return 0
    _out(f"{at or 'empty'} (this version needs {head}: run `coregroup db upgrade`)")
    return 1


def _audit_verify(args: argparse.Namespace) -> int:
    from storage import audit
    from storage.anchor import Anchored, AnchorError, AnchorFile

    settings = _settings()
    path = settings.audit_anchor_path
    try:
        if args.anchor:
            anchored: Anchored | None = Anchored.parse(args.anchor)
        else:
            anchored = AnchorFile(path).read() if path else None
    except (ValueError, AnchorError) as exc:
        raise UsageError(str(exc)) from None
    store = _open_store()
    try:
        with store.read() as session:
            result = audit.verify(session, anchor=anchored)
    finally:
        store.dispose()
    _out(result.describe())
    if anchored is None:
        where = f"at {path}" if path else "configured (COREGROUP_AUDIT_ANCHOR)"
        _out(
            f"note: no audit anchor {where}, so events missing from the end would not show; "
            "see docs/security.md, or pass --anchor ID:HASH from an `audit anchor` log line"
        )
    return 0 if result.ok else 1


def _audit_show(args: argparse.Namespace) -> int:
    from storage import audit
    from storage.repository import LONDON, normalise_reference

    ref = normalise_reference(args.reference)
    store = _open_store()
    try:
        with store.read() as session:
            events = audit.history(session, ref)
    finally:
        store.dispose()
    if not events:
        raise UsageError(
            f"no audit events for {ref}; check the reference (e.g. coregroup audit show CG-0001)"
        )
    for ev in events:
        at = ev.at.astimezone(LONDON)
        target = f" {ev.entity} {ev.entity_id}" if ev.entity else ""
        changes = [f"{k}: {b!r} → {a!r}" for k, b, a in audit.iter_payload(ev) if b != a]
        tail = f" ({'; '.join(changes)})" if changes else ""
        _out(f"#{ev.id} {at:%Y-%m-%d %H:%M} {ev.actor} {ev.action}{target}{tail}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from storage.errors import StorageError
    from storage.export import write_export

    now = CLOCK()
    store = _open_store()
    try:
        with store.transaction() as session:
            json_path, text_path = write_export(session, args.reference, args.out, actor=CLI_ACTOR, now=now)
    except StorageError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.dispose()
    _out(f"wrote {json_path}")
    _out(f"wrote {text_path}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from scheduling.case import CaseError, parse_date
    from storage.errors import StorageError
    from storage.repository import latest_purgeable, purge_closed_cases

    try:
        closed_before = parse_date(args.closed_before, "--closed-before")
    except CaseError as exc:
        raise UsageError(f"--closed-before: {exc.problem} (e.g. --closed-before 2026-01-31)") from None
    clock = CLOCK
    settings = _settings()
    store = _open_store()
    try:
        with store.transaction() as session:
            purged = purge_closed_cases(
                session,
                actor=CLI_ACTOR,
                now=clock(),
                closed_before=closed_before,
                retention_months=settings.retention_months,
                dry_run=args.dry_run,
            )
    except StorageError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.dispose()
    latest = latest_purgeable(london_today(clock), settings.retention_months)
    verb = "would purge" if args.dry_run else "purged"
    if purged:
        _out(f"{verb} {len(purged)} closed case(s): {', '.join(purged)}")
    else:
        _out(
            f"nothing to purge: no case closed before {closed_before.isoformat()} "
            f"(latest date allowed today: {latest.isoformat()})"
        )
    return 0
