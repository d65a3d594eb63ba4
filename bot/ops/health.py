"""Liveness and readiness, for the council's load balancer, orchestrator or monitoring.

`/healthz` answers while the process can answer at all (liveness: restart it if this fails).
`/readyz` checks what the bot needs to do its job, each by name:

- `database`: a connection and a query, within the pool's usual time;
- `schema`: the database's Alembic revision is this code's head (a database upgraded by a newer
  release, or behind after a restore, is named with the command that fixes it);
- `sweep`: the last good sweep tick is younger than three sweep intervals. A tick is good when it
  swept, or when it found that another process leads (PostgreSQL): a follower is doing its job by
  waiting, and `coregroup_leader` shows whether anyone leads. Before the first tick, the process's
  start counts, so a fresh start is ready;
- `dead_letters`: reminders given up on. Reported, never failing readiness: a dead letter needs a
  person (docs/operations.md), and taking the bot out of service would not deliver it.

503 when a failing check fails, 200 otherwise; the body is JSON naming every check. No check
reads or returns personal data: counts, revisions and ages only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.ops import metrics

#: A sweep older than this many intervals makes the process not ready.
STALE_INTERVALS = 3


@dataclass
class Health:
    """What readiness needs to know about this process: its store, its clock, how often it
    sweeps and when a sweep tick last went well (set by `bot.scheduler.SweepJob`)."""

    store: Any
    clock: Clock
    sweep_minutes: int = 5
    started_at: datetime | None = None
    last_sweep: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _head: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.started_at is None:
            self.started_at = self.clock()

    def sweep_ok(self, at: datetime) -> None:
        with self._lock:
            self.last_sweep = at
        metrics.LAST_SWEEP.set(at.timestamp())

    def head(self) -> str:
        if self._head is None:
            from storage.migrate import head

            self._head = head()
        return self._head

    def checks(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        out["database"], revision = self._database()
        out["schema"] = self._schema(revision, reachable=out["database"]["ok"])
        out["sweep"] = self._sweep()
        out["dead_letters"] = self._dead_letters(reachable=out["database"]["ok"])
        return out

    def ready(self) -> tuple[bool, dict[str, Any]]:
        checks = self.checks()
        failed = [name for name, c in checks.items() if not c["ok"]]
        return not failed, {
            "status": "ready" if not failed else "not ready",
            "failed": failed,
            "checks": checks,
        }

    # -- the checks ---------------------------------------------------------------------------------

    def _database(self) -> tuple[dict[str, Any], str | None]:
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import text

        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                heads = MigrationContext.configure(conn).get_current_heads()
        except Exception as exc:  # the driver's text can carry the URL: the type name only
            return {"ok": False, "reason": f"the database cannot be reached ({type(exc).__name__})"}, None
        return {"ok": True}, (heads[0] if heads else None)

    def _schema(self, revision: str | None, *, reachable: bool) -> dict[str, Any]:
        want = self.head()
        if not reachable:
            return {"ok": False, "head": want, "reason": "not checked: the database cannot be reached"}
        if revision == want:
            return {"ok": True, "revision": revision}
        return {
            "ok": False,
            "revision": revision,
            "head": want,
            "reason": f"the schema is at {revision or 'nothing'}, this release needs {want}: "
            "run `coregroup db upgrade`",
        }

    def _sweep(self) -> dict[str, Any]:
        now = self.clock()
        with self._lock:
            last = self.last_sweep
        since = last or self.started_at or now
        age = max(timedelta(0), now - since)
        limit = timedelta(minutes=STALE_INTERVALS * self.sweep_minutes)
        body: dict[str, Any] = {
            "ok": age < limit,
            "last_success": last.isoformat() if last else None,
            "age_seconds": round(age.total_seconds()),
            "limit_seconds": round(limit.total_seconds()),
        }
        if not body["ok"]:
            body["reason"] = (
                f"no sweep has succeeded for {round(age.total_seconds() / 60)} minutes "
                f"({STALE_INTERVALS} intervals of {self.sweep_minutes}); see the log for 'sweep failed'"
            )
        return body

    def _dead_letters(self, *, reachable: bool) -> dict[str, Any]:
        if not reachable:
            return {"ok": True, "count": None, "note": "not checked: the database cannot be reached"}
        try:
            counts = metrics.outbox_counts(self.store)
        except Exception as exc:
            return {"ok": True, "count": None, "note": f"not counted ({type(exc).__name__})"}
        dead = sum(n for (state, _, _), n in counts.items() if state == "dead")
        body: dict[str, Any] = {"ok": True, "count": dead}
        if dead:
            body["note"] = (
                "reminders given up on: `coregroup sweep --dry-run` and the case channels say which"
            )
        return body
