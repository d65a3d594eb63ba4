"""`status` (what is due, overdue and next, each with its rule and source) and `rota`.

Everything a reminder says can also be seen here at any time (messages.md, "Noise"), so status
reads the same engine output the reminder sweep does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from threading import Lock

from sqlmodel import Session

from handlers.common import (
    Context,
    case_obligations,
    case_version,
    is_social_worker,
    london_date,
    london_time,
    meeting_place,
    member_of,
    mention,
    resolve_case,
    rule_context,
    rule_title,
    when,
)
from handlers.i18n import _, ngettext
from handlers.parse import EXAMPLES, Rota, Status
from handlers.replies import Button, Message, Outcome, only
from handlers.words import about_words, meeting_label
from scheduling.case import CORE_GROUP_KINDS
from scheduling.london import LONDON
from storage import repository as repo
from storage.models import CoreGroup, Member

CacheKey = tuple[str, int, int, str, bool]

#: How many obligations `status` lists before pointing at the rest.
STATUS_LINES = 8
ROTA_MEETINGS = 4


class _StatusCache:
    """Status answers by (database, case, record version, minute): many members asking about
    the same case, or asking again, cost three small queries instead of the whole record and the
    engine. The minute bounds how stale "next meeting" and "in N working days" can be. A miss is
    computed once: concurrent askers wait for it rather than all computing it at once."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[CacheKey, Message] = OrderedDict()
        self._computing: dict[CacheKey, Lock] = {}
        self._lock = Lock()
        self._size = size

    def _get(self, key: CacheKey) -> Message | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def get_or_compute(self, key: CacheKey, compute: Callable[[], Message]) -> Message:
        found = self._get(key)
        if found is not None:
            return found
        with self._lock:
            key_lock = self._computing.setdefault(key, Lock())
        with key_lock:
            found = self._get(key)
            if found is None:
                found = compute()
                with self._lock:
                    self._items[key] = found
                    while len(self._items) > self._size:
                        self._items.popitem(last=False)
        with self._lock:
            self._computing.pop(key, None)
        return found


STATUS_CACHE = _StatusCache()


def status(ctx: Context, cmd: Status) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        assert case.id is not None
        key = (
            str(ctx.store.engine.url),
            case.id,
            case_version(s, case),
            ctx.now.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
            ctx.config.email,
        )
        message = STATUS_CACHE.get_or_compute(key, lambda: _status_message(s, ctx, case))
    return only(message)


def _status_message(s: Session, ctx: Context, case: CoreGroup) -> Message:
    rules, obs = case_obligations(s, case, ctx.today)
    nxt = repo.next_meeting(s, case.reference, now=ctx.now)
    missing = repo.outstanding_reports(s, case.reference, nxt.id) if nxt and nxt.id else []
    by_id = {m.id: m for m in repo.members(s, case.reference, include_left=True)}
    all_actions = sorted(repo.actions(s, case.reference), key=lambda a: a.id or 0)
    open_actions = [a for a in all_actions if a.status == "open"]
    cal = rules.calendar
    pending = [o for o in obs if o.status != "met"]
    overdue = [o for o in pending if o.status == "overdue"]
    lines: list[str] = []
    context: list[str] = []
    for o in pending[:STATUS_LINES]:
        values = {
            "rule": rule_title(o.rule),
            "when": when(o.due, ctx.today, cal),
            "about": about_words(o.about),
        }
        lines.append(
            _("**Overdue**: {rule} by {when} — {about}", **values)
            if o.status == "overdue"
            else _("Due: {rule} by {when} — {about}", **values)
        )
        context.append(rule_context(o.rule, rules, case.plan, interpretation=o.interpretation))
    if len(pending) > STATUS_LINES:
        lines.append(ngettext("…and {n} more.", "…and {n} more.", len(pending) - STATUS_LINES))
    if nxt is not None:
        day = london_date(nxt.starts_at)
        place = meeting_place(nxt.venue, nxt.online)
        meeting = {
            "meeting": meeting_label(nxt.kind),
            "when": when(day, ctx.today, cal),
            "time": london_time(nxt.starts_at),
        }
        lines.append(
            _("Next meeting: {meeting} on {when} at {time}, {place}", place=place, **meeting)
            if place
            else _("Next meeting: {meeting} on {when} at {time}", **meeting)
        )
    else:
        lines.append(_("No meeting is booked."))
    if missing:
        who = ", ".join(mention(by_id[r.member_id]) for r in missing if r.member_id in by_id)
        lines.append(_("Written reports still awaited: {who}", who=who))
        if "written_report" in rules.profile.rules and not any(
            c.startswith("written_report ·") for c in context
        ):
            context.append(rule_context("written_report", rules, case.plan))
    unreachable = [
        m
        for m in by_id.values()
        if m.active_on(ctx.today) and not m.any_address() and not (ctx.config.email and m.email)
    ]
    if unreachable:
        who = ", ".join(mention(m) for m in unreachable)
        why = "email is not set up" if not ctx.config.email else "no chat id or email is recorded"
        lines.append(f"Cannot be reached by the bot ({why}): {who}. Pass on what they need yourself.")
    if open_actions:
        numbers = {a.id: i + 1 for i, a in enumerate(all_actions)}
        late = [a for a in open_actions if a.due_on and a.due_on < ctx.today]
        if late:
            text = _(
                "Open plan actions: {n} ({late} past due: {numbers})",
                n=len(open_actions),
                late=len(late),
                numbers=", ".join(_("no. {number}", number=numbers[a.id]) for a in late),
            )
        else:
            text = _("Open plan actions: {n}", n=len(open_actions))
        lines.append(text)
    ref = case.reference
    if case.status == "closed":
        head = _("{ref}: closed", ref=ref)
    elif overdue:
        head = _(
            "{ref}: {n} overdue — {rule:lower} was due {when}",
            ref=ref,
            n=len(overdue),
            rule=rule_title(overdue[0].rule),
            when=when(overdue[0].due, ctx.today, cal),
        )
    elif pending:
        head = _(
            "{ref}: next, {rule:lower} by {when}",
            ref=ref,
            rule=rule_title(pending[0].rule),
            when=when(pending[0].due, ctx.today, cal),
        )
    else:
        head = _("{ref}: nothing is due", ref=ref)
    buttons: list[Button] = []
    if nxt is None and case.status == "active":
        buttons.append(
            Button(_("Book the next core group"), "cg.run", f"meeting case:{case.reference}", primary=True)
        )
    return Message(head, tuple(lines), tuple(buttons), tuple(context))


# --- rota -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RotaSlot:
    chair: Member | None
    minutes: Member | None


def _interleave_by_agency(people: Sequence[Member]) -> list[Member]:
    """Round-robin across agencies so the chair moves between agencies (004 §3)."""
    groups: dict[str, list[Member]] = {}
    for m in sorted(people, key=lambda m: m.id or 0):
        groups.setdefault((m.agency or m.role).lower(), []).append(m)
    out: list[Member] = []
    queues = list(groups.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def plan_rota(
    members: Sequence[Member], held: int, sw_may_chair: bool, count: int = ROTA_MEETINGS
) -> list[RotaSlot]:
    """Chair and minute-taker for the next `count` meetings, continuing from `held` meetings.

    Pure and deterministic so the rota shown today is the rota applied when a meeting is booked.
    Family members neither chair nor minute; where the profile says so, social workers never
    chair.
    """
    pros = [m for m in members if m.kind == "professional"]
    chairs = _interleave_by_agency([m for m in pros if sw_may_chair or not is_social_worker(m)])
    takers = _interleave_by_agency(pros)
    slots = []
    for i in range(count):
        chair = chairs[(held + i) % len(chairs)] if chairs else None
        minutes = None
        if takers:
            for k in range(len(takers)):
                cand = takers[(held + i + 1 + k) % len(takers)]
                if chair is None or cand.id != chair.id:
                    minutes = cand
                    break
        slots.append(RotaSlot(chair, minutes))
    return slots


def rota(ctx: Context, cmd: Rota) -> Outcome:
    from handlers.common import rules_for

    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        people = repo.members(s, case.reference, on=ctx.today)
        all_meetings = repo.meetings(s, case.reference)
    rules = rules_for(case.profile)
    profile = rules.profile
    held = sum(1 for m in all_meetings if m.status == "held" and m.kind in CORE_GROUP_KINDS)
    upcoming = sorted(
        (m for m in all_meetings if m.status == "scheduled" and m.kind in CORE_GROUP_KINDS),
        key=lambda m: m.starts_at,
    )
    slots = plan_rota(people, held, profile.social_worker_may_chair)
    lines = []
    for i, slot in enumerate(slots):
        label = (
            f"{meeting_label(upcoming[i].kind).capitalize()} "
            f"{when(london_date(upcoming[i].starts_at), ctx.today, rules.calendar)}"
            if i < len(upcoming)
            else f"Meeting {held + i + 1}"
        )
        chair = mention(slot.chair) if slot.chair else "no one eligible yet"
        minutes = mention(slot.minutes) if slot.minutes else "no one yet"
        lines.append(f"{label}: chair {chair}; minutes {minutes}")
    if profile.social_worker_may_chair:
        rule = (
            f"chair · {profile.title}: chaired by a member the core group agrees; "
            "the rota moves between agencies"
        )
    else:
        rule = (
            f"chair · {profile.title} guidance §3: the chair must not be the social worker "
            "and rotates between agencies"
        )
    hint = (
        ()
        if any(s.chair for s in slots)
        else (f"Add a member from another agency to chair: `{EXAMPLES['add']}`",)
    )
    return only(Message(f"{case.reference}: chair and minute-taker rota", (*lines, *hint), context=(rule,)))


def rota_for_next(s: Session, reference: str, sw_may_chair: bool, today: date) -> RotaSlot:
    """The rota slot of the next meeting to book (used when a meeting is scheduled)."""
    people = repo.members(s, reference, on=today)
    all_meetings = repo.meetings(s, reference)
    taken = sum(1 for m in all_meetings if m.status in ("held", "scheduled") and m.kind in CORE_GROUP_KINDS)
    return plan_rota(people, taken, sw_may_chair, 1)[0]
