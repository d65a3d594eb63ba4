"""`status` (what is due, overdue and next, each with its rule and source) and `rota`.

Everything a reminder says can also be seen here at any time (messages.md, "Noise"), so status
reads the same engine output the reminder sweep does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlmodel import Session

from handlers.answers import without_reports_in
from handlers.common import (
    Context,
    case_obligations,
    case_version,
    is_professional,
    is_social_worker,
    london_date,
    london_time,
    meeting_place,
    member_of,
    mention,
    resolve_case,
    rule_context,
    rule_title,
    source_label,
    when,
)
from handlers.i18n import Lang, Localised, _, either, localise, long_day, ngettext, verbatim
from handlers.parse import EXAMPLES, CommandError, Rota, Status
from handlers.replies import Button, Message, Outcome, only
from handlers.replies import mention as user_mention
from handlers.words import about_words, meeting_label
from scheduling.case import CORE_GROUP_KINDS
from scheduling.london import LONDON
from scheduling.profiles import Profile
from storage import repository as repo
from storage.errors import NotAMember
from storage.models import CoreGroup, Meeting, Member

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


class _MemberCache:
    """Who was found a current member of a case, by (database, case, record version, day, kind,
    address). Every change to a membership (added, removed, left, address changed, case closed)
    is an audit event of the case, so it changes the version and a removed member misses here and
    is refused by the database at once, in this process or any other. Only successes are kept."""

    def __init__(self, size: int = 4096) -> None:
        self._items: OrderedDict[tuple[object, ...], None] = OrderedDict()
        self._lock = Lock()
        self._size = size

    def __contains__(self, key: tuple[object, ...]) -> bool:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True
            return False

    def add(self, key: tuple[object, ...]) -> None:
        with self._lock:
            self._items[key] = None
            while len(self._items) > self._size:
                self._items.popitem(last=False)


MEMBER_CACHE = _MemberCache()


def status(ctx: Context, cmd: Status) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        assert case.id is not None
        url = str(ctx.store.engine.url)
        version = case_version(s, case)
        who = (url, case.id, version, ctx.today, ctx.actor.kind, ctx.actor.user_id)
        if who not in MEMBER_CACHE:
            member_of(s, ctx, case)
            MEMBER_CACHE.add(who)
        key = (
            url,
            case.id,
            version,
            ctx.now.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
            ctx.config.email,
        )
        message = STATUS_CACHE.get_or_compute(key, lambda: _status_message(s, ctx, case))
    return only(message)


def _status_message(s: Session, ctx: Context, case: CoreGroup) -> Message:
    if case.status == "closed":
        # Nothing is due on a closed case: listing deadlines would invite work nobody will chase.
        head = (
            _(
                "{reference}: closed on {day}",
                reference=case.reference,
                day=long_day(london_date(case.closed_at)),
            )
            if case.closed_at
            else _("{reference}: closed", reference=case.reference)
        )
        reason = (_("Why: {reason}", reason=verbatim(case.closed_reason)),) if case.closed_reason else ()
        return Message(head, (*reason, _("No reminders are sent; its record is kept and can be exported.")))
    rules, obs = case_obligations(s, case, ctx.today)
    nxt = repo.next_meeting(s, case.reference, now=ctx.now)
    missing = repo.outstanding_reports(s, case.reference, nxt.id) if nxt and nxt.id else []
    by_id = {m.id: m for m in repo.members(s, case.reference, include_left=True)}
    all_actions = sorted(repo.actions(s, case.reference), key=lambda a: a.id or 0)
    open_actions = [a for a in all_actions if a.status == "open"]
    cal = rules.calendar
    pending = [o for o in without_reports_in(s, case, obs, ctx.today) if o.status != "met"]
    overdue = [o for o in pending if o.status == "overdue"]
    lines: list[str] = []
    context: list[str] = []
    for o in pending[:STATUS_LINES]:
        values = {
            "rule": rule_title(o.rule),
            "when": when(o.due, ctx.today, cal),
            "about": about_words(o.about),  # dates written out, as main words them
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
        lines.append(
            _(
                "Cannot be reached by the bot (email is not set up): {who}. Pass on what they need yourself.",
                who=who,
            )
            if not ctx.config.email
            else _(
                "Cannot be reached by the bot (no chat id or email is recorded): {who}. "
                "Pass on what they need yourself.",
                who=who,
            )
        )
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


def _by_role(people: Sequence[Member], role: str) -> Member | None:
    """The professional member in `role` (the lead social worker, the Practice Lead), if any."""
    return next((m for m in people if m.role == role and is_professional(m)), None)


def chair_choice(profile: Profile, meetings: Sequence[Meeting], before: datetime | None) -> str:
    """Which of the profile's chair rules applies to a core group starting at `before` (None:
    the next one to book), given the case's meetings."""
    rule = profile.chair
    core = [
        m
        for m in meetings
        if m.kind in CORE_GROUP_KINDS
        and m.status in ("held", "scheduled")
        and (before is None or m.starts_at < before)
    ]
    if rule.first and not core:
        return rule.first
    if rule.after_tier1:
        tier1 = [
            m.starts_at
            for m in meetings
            if m.kind == "resolution_tier1"
            and m.status == "held"
            and (before is None or m.starts_at < before)
        ]
        if tier1 and (not core or max(m.starts_at for m in core) < max(tier1)):
            return rule.after_tier1
    return rule.later


def rota_turns(profile: Profile, meetings: Sequence[Meeting]) -> int:
    """Core groups that used up a turn of the rota. One chaired under the after-Tier-1 exception
    (the social worker, between a Tier 1 meeting and the next core group) is outside the rota, so
    the agency whose turn it was chairs the one after it instead of losing its turn."""
    core = [m for m in meetings if m.status in ("held", "scheduled") and m.kind in CORE_GROUP_KINDS]
    exception = profile.chair.after_tier1
    if exception is None or exception == "rota":
        return len(core)
    return sum(1 for m in core if chair_choice(profile, meetings, m.starts_at) != exception)


def chair_for_next(
    people: Sequence[Member], meetings: Sequence[Meeting], profile: Profile, offset: int = 0
) -> RotaSlot:
    """Chair and minute-taker the profile gives the next core group to book (`offset` more
    after it, for the rota's look ahead): stored on the meeting when it is booked, and from then
    on the meeting's stored value is the one answer (`stored_slot`)."""
    turns = rota_turns(profile, meetings) + offset
    rota_slot = plan_rota(people, turns, profile.social_worker_may_chair, 1)[0]
    choice = chair_choice(profile, meetings, None) if offset == 0 else profile.chair.later
    if choice == "rota":
        chair = rota_slot.chair
    elif choice == "agreed":
        chair = None
    else:
        chair = _by_role(people, choice)
    rule = profile.chair.minutes
    minutes = rota_slot.minutes if rule == "rota" else _by_role(people, rule)
    if minutes is not None and chair is not None and minutes.id == chair.id:
        # One person never does both: the next professional takes the minutes.
        minutes = next((m for m in people if is_professional(m) and m.id != chair.id), None)
    return RotaSlot(chair, minutes)


def stored_slot(meeting: Meeting, people: Sequence[Member]) -> RotaSlot:
    """The chair and minute-taker stored on a booked meeting."""
    by_id = {m.id: m for m in people}
    return RotaSlot(by_id.get(meeting.chair_member_id), by_id.get(meeting.minute_taker_member_id))


def chair_rule_line(profile: Profile) -> str:
    """The small line under the rota: the profile's chair rule and its source."""
    rule = profile.chair
    if rule.text:
        src = source_label(rule.source, profile) if rule.source else profile.title
        text = either(rule.text.rstrip("."), cy=rule.text_cy.rstrip(".") if rule.text_cy else None)
        return _("{rule} · {source} · {text}", rule="chair", source=src, text=text)
    if profile.social_worker_may_chair:
        return _(
            "chair · {profile}: chaired by a member the core group agrees; the rota moves between agencies",
            profile=profile.title,
        )
    return _(
        "chair · {profile} guidance §3: the chair must not be the social worker and rotates between agencies",
        profile=profile.title,
    )


class _Capitalised(Localised):
    """A phrase that starts a line ("Core group", "Grŵp craidd"): a capital first letter in
    whichever language it is read."""

    text: str

    def __new__(cls, text: str) -> _Capitalised:
        self = super().__new__(cls, text[:1].upper() + text[1:])
        self.text = text
        return self

    def render(self, lang: Lang) -> str:
        out = localise(self.text, lang)
        return out[:1].upper() + out[1:]

    def __getnewargs__(self) -> tuple[str]:
        return (self.text,)


def rota(ctx: Context, cmd: Rota) -> Outcome:
    from handlers.common import rules_for

    if cmd.chair is not None or cmd.minutes is not None:
        return set_chair(ctx, cmd)
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        people = repo.members(s, case.reference, on=ctx.today)
        everyone = repo.members(s, case.reference, include_left=True)
        all_meetings = repo.meetings(s, case.reference)
    rules = rules_for(case.profile)
    profile = rules.profile
    upcoming = sorted(
        (m for m in all_meetings if m.status == "scheduled" and m.kind in CORE_GROUP_KINDS),
        key=lambda m: m.starts_at,
    )
    held = sum(1 for m in all_meetings if m.status == "held" and m.kind in CORE_GROUP_KINDS)
    lines = []
    for i in range(max(ROTA_MEETINGS, len(upcoming))):
        values: dict[str, object]
        if i < len(upcoming):
            m = upcoming[i]
            slot = stored_slot(m, everyone)
            values = {
                "meeting": _Capitalised(meeting_label(m.kind)),
                "when": when(london_date(m.starts_at), ctx.today, rules.calendar),
            }
        else:
            slot = chair_for_next(people, all_meetings, profile, i - len(upcoming))
            values = {"number": held + i + 1}
        values["chair"] = mention(slot.chair) if slot.chair else _("to agree")
        values["minutes"] = mention(slot.minutes) if slot.minutes else _("to agree")
        lines.append(
            _("{meeting} {when}: chair {chair}; minutes {minutes}", **values)
            if "meeting" in values
            else _("Meeting {number}: chair {chair}; minutes {minutes}", **values)
        )
    hint = (
        _(
            "Set a booked meeting's: `{example} chair:@someone minutes:@someone`",
            example=EXAMPLES["rota"],
        ),
    )
    return only(
        Message(
            _("{reference}: chair and minute-taker rota", reference=case.reference),
            (*lines, *hint),
            context=(chair_rule_line(profile),),
        )
    )


def chair_member(
    s: Session, ctx: Context, reference: str, user: str | None, profile: Profile, what: str, tier1: bool
) -> int | None:
    """The member a person named as chair or minute-taker, checked against the rules: only a
    professional in the core group; a social worker chairs only where the profile allows (or
    for the core group after Tier 1, where it says so)."""
    if user is None:
        return None
    try:
        m = repo.member_by_address(s, reference, ctx.actor.kind, user, on=ctx.today)
    except NotAMember:
        values = {"who": user_mention(user), "reference": reference}
        raise CommandError(
            _("{who} isn't in {reference}'s core group, so can't be its chair.", **values)
            if what == "chair"
            else _("{who} isn't in {reference}'s core group, so can't be its minute-taker.", **values),
            f"{EXAMPLES['members']} (to see who is)",
        ) from None
    if not is_professional(m):
        raise CommandError(_not_professional(m), f"{EXAMPLES['rota']} chair:@someone")
    allowed = profile.social_worker_may_chair or (tier1 and profile.chair.after_tier1 is not None)
    if what == "chair" and is_social_worker(m) and not allowed:
        raise CommandError(
            _(
                "In {profile} the chair is never the social worker ({source}); pick a member from "
                "another agency. Nothing has changed.",
                profile=profile.title,
                source=source_label(profile.chair.source, profile) if profile.chair.source else profile.title,
            ),
            f"{EXAMPLES['rota']} chair:@someone",
        )
    assert m.id is not None
    return m.id


def _not_professional(m: Member) -> str:
    """Why a family member, the child or another attendee cannot chair: a sentence per kind."""
    who = mention(m)
    if m.kind == "family":
        return _(
            "{who} is family; only a professional in the core group chairs or takes the minutes. "
            "Nothing has changed.",
            who=who,
        )
    if m.kind == "child":
        return _(
            "{who} is the child; only a professional in the core group chairs or takes the minutes. "
            "Nothing has changed.",
            who=who,
        )
    return _(
        "{who} is not a core-group professional; only a professional in the core group chairs or "
        "takes the minutes. Nothing has changed.",
        who=who,
    )


def set_chair(ctx: Context, cmd: Rota) -> Outcome:
    """`rota chair:@x minutes:@y`: the next booked core group's chair and minute-taker, stored
    on the meeting (what its reminders, invitation, the chair's bundle and the export show)."""
    from handlers.common import rules_for

    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        profile = rules_for(case.profile).profile
        meeting = repo.next_meeting(s, case.reference, now=ctx.now, kinds=sorted(CORE_GROUP_KINDS))
        if meeting is None or meeting.id is None:
            raise CommandError(
                _(
                    "{reference} has no core group booked to set a chair for. Book one with the chair.",
                    reference=case.reference,
                ),
                f"{EXAMPLES['meeting']} chair:@someone",
            )
        all_meetings = repo.meetings(s, case.reference)
        tier1 = chair_choice(profile, all_meetings, meeting.starts_at) == profile.chair.after_tier1
        chair = chair_member(s, ctx, case.reference, cmd.chair, profile, "chair", tier1)
        minutes = chair_member(s, ctx, case.reference, cmd.minutes, profile, "minute-taker", tier1)
        new_chair = chair if cmd.chair is not None else meeting.chair_member_id
        new_minutes = minutes if cmd.minutes is not None else meeting.minute_taker_member_id
        if new_chair is not None and new_chair == new_minutes:
            if cmd.minutes is not None and cmd.chair is not None:
                raise CommandError(
                    _("One person can't both chair and take the minutes."),
                    f"{EXAMPLES['rota']} chair:@someone minutes:@someone-else",
                )
            # The new chair was down for the minutes (or the other way round): that is now open.
            if cmd.chair is not None:
                new_minutes = None
            else:
                new_chair = None
        meeting = repo.update_meeting(
            s,
            case.reference,
            meeting.id,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            chair_member_id=new_chair,
            minute_taker_member_id=new_minutes,
        )
        everyone = repo.members(s, case.reference, include_left=True)
    slot = stored_slot(meeting, everyone)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: the core group on {day} — chair {chair}; minutes {minutes}",
                reference=case.reference,
                day=long_day(london_date(meeting.starts_at)),
                chair=mention(slot.chair) if slot.chair else _("to agree"),
                minutes=mention(slot.minutes) if slot.minutes else _("to agree"),
            ),
            (_("The reminders, the chair's papers and the record follow this."),),
        ),
        "channel",
    )
    return out
