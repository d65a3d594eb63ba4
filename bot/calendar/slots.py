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

from bot.calendar.port import Slot, SlotOffer, SlotRequest
from handlers.i18n import _, long_day
from handlers.words import meeting_label
from scheduling.calendar import DateOutOfRange, calendar_for
from scheduling.hours import local
from scheduling.london import LONDON

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
    return _("{start}–{end} on working days", start=f"{req.hours.start:%H:%M}", end=f"{req.hours.end:%H:%M}")


def _slot_line(slot: Slot) -> str:
    """One suggested time, a whole sentence in the catalogue for each case (no glued pieces)."""
    s, e = slot.starts_at.astimezone(LONDON), slot.ends_at.astimezone(LONDON)
    when = {"day": long_day(s.date()), "start": f"{s:%H:%M}", "end": f"{e:%H:%M}"}
    if not slot.checked:
        return _("• {day}, {start}–{end}", **when)
    if slot.free == slot.checked:
        return _("• {day}, {start}–{end} — everyone checked is free", **when)
    return _(
        "• {day}, {start}–{end} — {free} of {checked} checked are free",
        free=slot.free,
        checked=slot.checked,
        **when,
    )


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
    label = meeting_label(req.kind, "invitation")
    deadline = long_day(req.deadline)
    ref = req.case_ref
    starts = list(candidate_starts(req))
    if not starts:
        return SlotOffer(
            slots=(),
            basis="working hours" if not busy else "free/busy",
            fits=False,
            lines=(
                _(
                    "{reference}: no working time is left before the deadline for the next {meeting} "
                    "({deadline}). Book the earliest date you can and note why it is late.",
                    reference=ref,
                    meeting=label,
                    deadline=deadline,
                ),
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
        why = note or _("free/busy could not be read for these members")
        lines = (
            _(
                "{reference}: times for the next {meeting} before {deadline}, from working hours only "
                "({hours}; {why}). Check them with the lead social worker before booking:",
                reference=ref,
                meeting=label,
                deadline=deadline,
                hours=_hours_text(req),
                why=why,
            ),
            *(_slot_line(s) for s in slots),
        )
        return SlotOffer(slots=slots, basis="working hours", fits=True, lines=lines)

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
            lines=(
                _(
                    "{reference}: no time before {deadline} suits the lead social worker "
                    "({hours}), so the next {meeting} cannot be booked inside its deadline "
                    "from their calendar. Ask them to free some time, or book the earliest date after "
                    "the deadline and note why it is late.",
                    reference=ref,
                    deadline=deadline,
                    hours=_hours_text(req),
                    meeting=label,
                ),
            ),
        )

    slots = _pick(scored, req.max_slots)
    unchecked = len(people) - len(checked)
    basis = _("free/busy of {checked} of {people} members", checked=len(checked), people=len(people))
    if lsw is not None and lsw not in known:
        basis = _("{basis}; the lead social worker's calendar could not be read", basis=basis)
    if unchecked and note:
        basis = _("{basis}; {note}", basis=basis, note=note)
    lines = (
        _(
            "{reference}: times for the next {meeting} before {deadline} ({basis}):",
            reference=ref,
            meeting=label,
            deadline=deadline,
            basis=basis,
        ),
        *(_slot_line(s) for s in slots),
    )
    return SlotOffer(slots=slots, basis="free/busy", fits=True, lines=lines, checked=checked)
