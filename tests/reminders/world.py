"""A small world for the reminder tests: cases with invented members (ids and roles, never real
names), a simulated clock, and a sweep that runs the real planner, outbox and delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import ChatPort
from bot.delivery import Delivery, Pacer, Sent
from handlers.sweep import sweep
from storage import repository as repo
from storage.db import Store

LONDON = ZoneInfo("Europe/London")
ACTOR = "test:world"


class SimClock:
    """A clock you set; London wall-clock times in, aware datetimes out."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, day: date, hhmm: str = "09:00") -> datetime:
        h, m = map(int, hhmm.split(":"))
        self.at = datetime.combine(day, time(h, m), tzinfo=LONDON)
        return self.at


def london(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=LONDON)


@dataclass
class Case:
    reference: str
    id: int
    channel: str
    members: dict[str, int] = field(default_factory=dict)  # label -> member id
    users: dict[str, str] = field(default_factory=dict)  # label -> slack user id


def new_case(
    store: Store, now: datetime, *, reference: str, profile: str, start: date, prefix: str, plan: str = "cp"
) -> Case:
    """A case with a channel and five members: lead social worker (with a line manager), health
    visitor, teacher, a police officer on email only, and a parent (family, no chat id)."""
    with store.transaction() as s:
        case = repo.create_case(
            s, actor=ACTOR, now=now, profile=profile, plan=plan, start=start, reference=reference
        )
        channel = f"C{prefix}CHAN"
        repo.link_channel(s, reference, actor=ACTOR, now=now, kind="slack", channel_id=channel)
        c = Case(reference, int(case.id or 0), channel)
        people = (
            ("lead", "lead social worker", "professional", f"U{prefix}LEAD", f"U{prefix}MGR"),
            ("hv", "health visitor", "professional", f"U{prefix}HV", f"U{prefix}HVMGR"),
            ("teacher", "designated teacher", "professional", f"U{prefix}TEACH", None),
            ("police", "police", "professional", None, None),
            ("parent", "parent", "family", None, None),
        )
        for label, role, kind, user, manager in people:
            m = repo.add_member(
                s,
                reference,
                actor=ACTOR,
                now=now,
                display_name=f"{label} {prefix}",
                role=role,
                kind=kind,
                addresses={"slack": user} if user else None,
                email=f"{label}.{prefix.lower()}@example.org",
                line_manager_addresses={"slack": manager} if manager else None,
                joined_on=start,
            )
            c.members[label] = int(m.id or 0)
            if user:
                c.users[label] = user
    return c


def run_sweep(
    store: Store, port: ChatPort, clock: Callable[[], datetime], *, delivery: Delivery | None = None
) -> list[tuple[datetime, Sent]]:
    """One tick as `coregroup serve` runs it: plan + insert, then deliver what is due."""
    now = clock()
    sweep(store, now)
    d = delivery or Delivery(store, port, clock=clock, worker="test", pacer=Pacer(0))
    return [(now, s) for s in d.run()]


def sent_rows(store: Store) -> list[Any]:
    from storage import outbox

    with store.read() as s:
        return [r for r in outbox.reminders(s) if r.status == "sent"]
