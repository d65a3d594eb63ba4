"""Plan the reminders of every active case: the sweep's use case.

    load (storage.states + storage.facts, in batches) → scheduling.sweep.plan_case (pure) →
    the outbox (storage.outbox.insert_planned: INSERT … ON CONFLICT DO NOTHING on the unique key)

Planning itself is pure and lives in `scheduling.sweep`; this module only joins it to the store.
Delivery is separate (`bot.delivery.Delivery`): the outbox is the hand-over, so a crash between
the two loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from scheduling.london import london_date
from scheduling.sweep import BUNDLE_AT, Outgoing, Profiles, plan_case
from storage.facts import load_facts
from storage.outbox import insert_planned
from storage.repository import active_case_states
from storage.states import Parsers


@dataclass
class SweepResult:
    planned: list[Outgoing]
    inserted: int
    cases: int


def load_and_plan(
    store: Any, now: datetime, *, batch_size: int = 2000, bundle_at: time = BUNDLE_AT, email: bool = False
) -> tuple[list[Outgoing], int]:
    """Plan every active case at `now` (read-only): (rows, number of cases). `email`: members
    with only an email address are reached (email is set up), so they are asked too."""
    today = london_date(now)
    out: list[Outgoing] = []
    n = 0
    profiles = Profiles()
    parsers = Parsers()
    with store.read() as s:
        conn = s.connection()
        batch: list[Any] = []

        def flush() -> None:
            profile_of = {c.id: c.state.profile for c in batch}
            facts = load_facts(
                conn,
                list(profile_of),
                today,
                parsers=parsers,
                horizon=lambda cid: profiles.horizon(profile_of[cid], today),
                email=email,
            )
            for c in batch:
                out.extend(
                    plan_case(c.id, c.reference, c.state, facts.get(c.id), now, profiles, bundle_at=bundle_at)
                )

        for case in active_case_states(s, batch_size=batch_size):
            batch.append(case)
            n += 1
            if len(batch) >= batch_size:
                flush()
                batch = []
        if batch:
            flush()
    return out, n


def sweep(
    store: Any,
    now: datetime,
    *,
    dry_run: bool = False,
    batch_size: int = 2000,
    bundle_at: time = BUNDLE_AT,
    known: set[tuple[int, str, str, str]] | None = None,
    email: bool = False,
) -> SweepResult:
    """Plan every active case and (unless `dry_run`) insert the rows. Delivery is separate
    (`bot.delivery.Delivery`): the outbox is the hand-over, so a crash between the two loses
    nothing."""
    rows, n = load_and_plan(store, now, batch_size=batch_size, bundle_at=bundle_at, email=email)
    inserted = 0 if dry_run else insert_planned(store, rows, now, known)
    return SweepResult(rows, inserted, n)
