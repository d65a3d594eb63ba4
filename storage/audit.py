"""The audit log: append-only and hash-chained, so a changed or missing row is detectable.

Each event's `hash` is SHA-256 over its canonical JSON (time, actor, action, case, entity, before,
after) and the previous event's hash. Appends are serialised (an advisory lock on PostgreSQL, the
write lock on SQLite) and `prev_hash` is unique, so two processes can never fork the chain. The
database also refuses UPDATE and DELETE on the table (triggers in the migration); the hashes are for
whoever can get round that.

Payloads carry ids, dates, kinds and statuses only — never a name, an email or free text — so the
log can be kept after a case's record is purged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import insert, select, text
from sqlmodel import Session, col

from storage.anchor import Anchored
from storage.models import AuditEvent

GENESIS: Final = "0" * 64
#: pg_advisory_xact_lock key for appending to the chain ("coregrp" in ASCII).
AUDIT_LOCK_KEY: Final = 0x636F726567727000


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return sorted(value)
    raise TypeError(f"audit payloads hold plain values; got {type(value).__name__}")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


def event_hash(
    *,
    at: datetime,
    actor: str,
    action: str,
    case_id: int | None,
    case_ref: str | None,
    entity: str | None,
    entity_id: int | None,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    body = {
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "case_ref": case_ref,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
#: Built once: the statement every write sends (its values are parameters).
_INSERT_EVENT: Final = insert(_EVENTS).returning(_EVENTS.c.id)
_LAST_HASH: Final = select(_EVENTS.c.hash).order_by(_EVENTS.c.id.desc()).limit(1)


def append(
    session: Session,
    *,
    actor: str,
    now: datetime,
    action: str,
    case_id: int | None = None,
    case_ref: str | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the chain in the caller's transaction."""
    _lock_chain(session)
    session.flush()
    prev = session.connection().execute(_LAST_HASH).scalar()
    at = now.astimezone(UTC)
    before_s = None if before is None else canonical(before)
    after_s = None if after is None else canonical(after)
    prev_hash = prev or GENESIS
    values: dict[str, Any] = {
        "at": at,
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "case_ref": case_ref,
        "entity": entity,
        "entity_id": entity_id,
        "before": before_s,
        "after": after_s,
        "prev_hash": prev_hash,
    }
    values["hash"] = event_hash(**values)
    # A Core INSERT ... RETURNING: every write pays for one event, and nothing reads it back
    # through the session (an ORM object to build, flush and track cost ~5% of a write).
    event_id = int(session.connection().execute(_INSERT_EVENT, values).scalar_one())
    # What `Store.transaction` anchors outside the table once this commits (storage/anchor.py).
    session.info["audit_last"] = Anchored(event_id, values["hash"])
    return AuditEvent(id=event_id, **values)  # as saved; not in the session


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    checked: int
    #: The first event whose link is broken (its own hash or its pointer to the one before).
    broken_id: int | None = None
    problem: str | None = None
    #: The last event in the table (None: the table is empty).
    last_id: int | None = None
    #: The end of the chain as anchored outside the table (None: no anchor to compare with).
    anchored: Anchored | None = None

    def describe(self) -> str:
        if self.ok:
            tail = f"; it reaches event #{self.anchored.id}, where it was anchored" if self.anchored else ""
            return f"audit log intact: {self.checked} events, every link checks out{tail}"
        if self.broken_id is None:
            return f"audit log cut short: {self.problem}"
        return f"audit log broken at event {self.broken_id}: {self.problem}"


def verify(session: Session, *, batch: int = 5000, anchor: Anchored | None = None) -> Verification:
    """Walk the chain from the first event; stop at the first link that does not check out.

    With `anchor` (storage/anchor.py), the anchored event must also be in the chain with the
    anchored hash: events deleted from the end leave every remaining link intact, so the chain
    alone cannot show them.
    """
    prev = GENESIS
    checked = 0
    last_id: int | None = None
    reached = anchor is None
    stmt = select(AuditEvent).order_by(col(AuditEvent.id))
    for ev in session.scalars(stmt.execution_options(yield_per=batch)):
        if ev.prev_hash != prev:
            return Verification(
                False,
                checked,
                ev.id,
                "it does not point to the event before it (an event was removed, inserted or re-hashed)",
            )
        want = event_hash(
            at=ev.at,
            actor=ev.actor,
            action=ev.action,
            case_id=ev.case_id,
            case_ref=ev.case_ref,
            entity=ev.entity,
            entity_id=ev.entity_id,
            before=ev.before,
            after=ev.after,
            prev_hash=ev.prev_hash,
        )
        if want != ev.hash:
            return Verification(
                False, checked, ev.id, "its contents do not match its hash (the row was edited)"
            )
        if anchor is not None and ev.id == anchor.id:
            if ev.hash != anchor.hash:
                return Verification(
                    False,
                    checked,
                    ev.id,
                    "it is not the event that was anchored there (the end of the log was replaced)",
                    last_id=ev.id,
                    anchored=anchor,
                )
            reached = True
        prev = ev.hash
        last_id = ev.id
        checked += 1
        session.expunge(ev)
    if not reached:
        assert anchor is not None
        if last_id is None:
            problem = f"every event is missing: the log is empty but was anchored at #{anchor.id}"
        elif last_id > anchor.id:
            problem = (
                f"event #{anchor.id}, where the log was anchored, is missing (the log ends at #{last_id})"
            )
        else:
            problem = (
                f"the events after #{last_id} are missing: the log ends at "
                f"#{last_id} but was anchored at #{anchor.id}"
            )
        return Verification(False, checked, None, problem, last_id=last_id, anchored=anchor)
    return Verification(True, checked, last_id=last_id, anchored=anchor)


def history(session: Session, reference: str) -> list[AuditEvent]:
    """A case's events, oldest first (kept after the case itself is purged)."""
    stmt = select(AuditEvent).where(col(AuditEvent.case_ref) == reference).order_by(col(AuditEvent.id))
    return list(session.scalars(stmt))


def iter_payload(event: AuditEvent) -> Iterator[tuple[str, Any, Any]]:
    """(field, before, after) for each field an event changed, for `coregroup audit show`."""
    before = json.loads(event.before) if event.before else {}
    after = json.loads(event.after) if event.after else {}
    for key in sorted(set(before) | set(after)):
        yield key, before.get(key), after.get(key)
