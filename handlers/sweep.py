"""Plan the reminders of every active case: the sweep's use case.

    load (storage.states + storage.facts, in batches) → scheduling.sweep.plan_case (pure) →
    the outbox (storage.outbox.insert_planned: INSERT … ON CONFLICT DO NOTHING on the unique key)

Planning itself is pure and lives in `scheduling.sweep`; this module only joins it to the store.
Delivery is separate (`bot.delivery.Delivery`): the outbox is the hand-over, so a crash between
the two loses nothing.

Incremental by default. A case's plan changes only when the case changes or when a day comes on
which something about it can happen by itself (a reminder's send day, a deadline: `plan_case`'s
`upcoming`). Each case carries that moment (`CoreGroup.replan_at`, written back after each
sweep; every change sets it to "now" in the repository), so a sweep reads only the cases whose
moment has come — with nothing new, one indexed query and no planning. `full=True` plans every
active case (after a profile or bank-holiday change, or as the scheduler's daily safety net), and
writes every moment afresh. The outbox rows and their send times are the same either way
(tests/reminders/test_incremental.py checks it over simulated months of random changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from scheduling.london import london_date
from scheduling.sweep import BUNDLE_AT, Outgoing, Profiles, next_look, plan_case
from storage.facts import load_facts
from storage.models import REPLAN_NEVER
from storage.outbox import insert_planned
from storage.repository import active_case_states, set_replan
from storage.states import Parsers

#: Batches of the incremental sweep: few enough ids that the facts are read by id, not by range.
INCREMENTAL_BATCH = 500


@dataclass
class SweepResult:
    planned: list[Outgoing]
    inserted: int
    cases: int
    full: bool = True
    #: (case id, revision read, next look) for each planned case whose moment moved.
    moments: list[tuple[int, int, datetime]] = field(default_factory=list)


def plan_cases(
    store: Any,
    now: datetime,
    *,
    full: bool = True,
    batch_size: int = 2000,
    bundle_at: time = BUNDLE_AT,
    email: bool = False,
) -> SweepResult:
    """Plan the active cases at `now` (read-only): every one (`full`), or those whose moment has
    come; with each case's next moment. `email`: members with only an email address are reached
    (email is set up), so they are asked too."""
    today = london_date(now)
    out: list[Outgoing] = []
    moments: list[tuple[int, int, datetime]] = []
    n = 0
    profiles = Profiles()
    parsers = Parsers()
    if not full:
        batch_size = min(batch_size, INCREMENTAL_BATCH)
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
                upcoming: list[date] = []
                out.extend(
                    plan_case(
                        c.id,
                        c.reference,
                        c.state,
                        facts.get(c.id),
                        now,
                        profiles,
                        bundle_at=bundle_at,
                        upcoming=upcoming,
                    )
                )
                at = next_look(upcoming, today) or REPLAN_NEVER
                if at != c.replan_at:
                    moments.append((c.id, c.revision, at))

        for case in active_case_states(s, batch_size=batch_size, due_by=None if full else now):
            batch.append(case)
            n += 1
            if len(batch) >= batch_size:
                flush()
                batch = []
        if batch:
            flush()
    return SweepResult(out, 0, n, full, moments)


def load_and_plan(
    store: Any, now: datetime, *, batch_size: int = 2000, bundle_at: time = BUNDLE_AT
) -> tuple[list[Outgoing], int]:
    """Plan every active case at `now` (read-only): (rows, number of cases)."""
    result = plan_cases(store, now, full=True, batch_size=batch_size, bundle_at=bundle_at)
    return result.planned, result.cases


def sweep(
    store: Any,
    now: datetime,
    *,
    dry_run: bool = False,
    full: bool = False,
    batch_size: int = 2000,
    bundle_at: time = BUNDLE_AT,
    known: set[tuple[int, str, str, str]] | None = None,
    email: bool = False,
) -> SweepResult:
    """Plan the cases whose moment has come (every active case with `full`) and, unless
    `dry_run`, insert the rows, then record each planned case's next moment. The moments are
    written after the rows: a crash between the two only re-plans those cases next time."""
    result = plan_cases(store, now, full=full, batch_size=batch_size, bundle_at=bundle_at, email=email)
    if dry_run:
        return result
    result.inserted = insert_planned(store, result.planned, now, known)
    if result.moments:
        with store.transaction() as s:
            set_replan(s, result.moments)
    return result
