"""Choosing times for the next meeting inside the rule's window: pure, so both adapters share it.

Candidates are the working days of the case's nation (bank holidays and local closures excluded,
`scheduling.calendar`) inside the profile's working hours (`scheduling.hours`), Europe/London wall
clock, from `earliest` to the end of the deadline day. Graph's free/busy narrows them where it can
be read; where it cannot (members outside the organiser's tenant, or no Graph at all) the working
hours are all we know, and the offer says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from bot.calendar.invite import KIND_LABELS
from bot.calendar.port import Slot, SlotOffer, SlotRequest
from scheduling.calendar import DateOutOfRange, calendar_for
from scheduling.hours import local
from scheduling.london import LONDON
from scheduling.wording import long_date

Busy = Sequence[tuple[datetime, datetime]]


def candidate_starts(req: SlotRequest) -> Iterator[datetime]:
    """Every start (UTC) on a working day, inside working hours, from `earliest` to the deadline."""
    cal = calendar_for(req.nation, req.closures)
    day = req.earliest.astimezone(LONDON).date()
    while day <= req.deadline:
        try:
            working = cal.is_working_day(day)
        except DateOutOfRange:
            return
        if working:
            t = local(day, req.hours.start)
            last = local(day, req.hours.end) - req.duration
            while t <= last:
                if t >= req.earliest:
                    yield t
                t += req.step
        day += timedelta(days=1)


def _free(busy: Busy, start: datetime, end: datetime) -> bool:
    return not any(s < end and e > start for s, e in busy)


def _hours_text(req: SlotRequest) -> str:
    return f"{req.hours.start:%H:%M}–{req.hours.end:%H:%M} on working days"


def _slot_line(slot: Slot) -> str:
    s, e = slot.starts_at.astimezone(LONDON), slot.ends_at.astimezone(LONDON)
    line = f"• {long_date(s.date())}, {s:%H:%M}–{e:%H:%M}"
    if slot.checked:
        line += (
            " — everyone checked is free"
            if slot.free == slot.checked
            else f" — {slot.free} of {slot.checked} checked are free"
        )
    return line


def _pick(scored: list[Slot], n: int) -> tuple[Slot, ...]:
    """The best `n` (most people free, then earliest), one a day where possible, in time order."""
    ranked = sorted(scored, key=lambda s: (-s.free, s.starts_at))
    chosen: list[Slot] = []
    days: set[date] = set()
    for s in ranked:
        d = s.starts_at.astimezone(LONDON).date()
        if d not in days:
            chosen.append(s)
            days.add(d)
        if len(chosen) == n:
            break
    for s in ranked:
        if len(chosen) == n:
            break
        if s not in chosen:
            chosen.append(s)
    return tuple(sorted(chosen, key=lambda s: s.starts_at))


def offer_slots(req: SlotRequest, busy: Mapping[str, Busy] | None = None, note: str = "") -> SlotOffer:
    """Slots for the next meeting. `busy` holds free/busy for the addresses it could be read for
    (absent = unknown); None means none could be read. `note` explains a fallback."""
    label = KIND_LABELS.get(req.kind, "meeting")
    deadline = long_date(req.deadline)
    starts = list(candidate_starts(req))
    if not starts:
        return SlotOffer(
            slots=(),
            basis="working hours" if not busy else "free/busy",
            fits=False,
            message=(
                f"{req.case_ref}: no working time is left before the deadline for the next {label} "
                f"({deadline}). Book the earliest date you can and note why it is late."
            ),
        )

    known = {k.lower(): v for k, v in (busy or {}).items()}
    lsw = req.lead_social_worker.lower() if req.lead_social_worker else None
    people = list(dict.fromkeys([*([lsw] if lsw else []), *(a.lower() for a in req.attendees)]))
    checked = tuple(p for p in people if p in known)

    if not checked:
        # Working hours only: one suggestion a day, at 10:00 when the day allows it.
        preferred = time(10, 0)
        by_day: dict[date, datetime] = {}
        for t in starts:
            d = t.astimezone(LONDON).date()
            cur = by_day.get(d)
            here = t.astimezone(LONDON).time()
            if cur is None or (cur.astimezone(LONDON).time() != preferred and here == preferred):
                by_day[d] = t
        slots = tuple(Slot(t, t + req.duration) for _, t in sorted(by_day.items())[: req.max_slots])
        why = note or "free/busy could not be read for these members"
        lines = [
            f"{req.case_ref}: times for the next {label} before {deadline}, from working hours only "
            f"({_hours_text(req)}; {why}). Check them with the lead social worker before booking:",
            *(_slot_line(s) for s in slots),
        ]
        return SlotOffer(slots=slots, basis="working hours", fits=True, message="\n".join(lines))

    scored: list[Slot] = []
    for t in starts:
        end = t + req.duration
        if lsw is not None and lsw in known and not _free(known[lsw], t, end):
            continue
        free = sum(1 for p in checked if _free(known[p], t, end))
        scored.append(Slot(t, end, free=free, checked=len(checked)))

    if not scored:
        return SlotOffer(
            slots=(),
            basis="free/busy",
            fits=False,
            checked=checked,
            message=(
                f"{req.case_ref}: no time before {deadline} suits the lead social worker "
                f"({_hours_text(req)}), so the next {label} cannot be booked inside its deadline "
                "from their calendar. Ask them to free some time, or book the earliest date after "
                "the deadline and note why it is late."
            ),
        )

    slots = _pick(scored, req.max_slots)
    unchecked = len(people) - len(checked)
    basis_text = f"free/busy of {len(checked)} of {len(people)} members"
    if lsw is not None and lsw not in known:
        basis_text += "; the lead social worker's calendar could not be read"
    if unchecked and note:
        basis_text += f"; {note}"
    lines = [
        f"{req.case_ref}: times for the next {label} before {deadline} ({basis_text}):",
        *(_slot_line(s) for s in slots),
    ]
    return SlotOffer(slots=slots, basis="free/busy", fits=True, message="\n".join(lines), checked=checked)
