"""What every handler shares: who is acting, where, against which store and clock; access checks;
and the wording that turns rules and dates into the bot's sentences.

Handlers are plain functions of (context, command) → `Outcome`. The context carries the ports they
need (store, clock, a directory of chat users) so that every channel adapter runs the same
code, and tests run it with no network at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final, Protocol

from sqlmodel import Session

from handlers.i18n import N_, Text, _, either, long_day, ngettext, short_day, verbatim
from handlers.parse import EXAMPLES, REFERENCE_RE, CommandError
from handlers.replies import Message
from handlers.replies import mention as user_mention
from handlers.words import INTERPRETATION_NOTE
from handlers.words import rule_title as rule_title
from scheduling.calendar import WorkingCalendar, calendar_for
from scheduling.engine import Obligation, obligations
from scheduling.london import LONDON, Clock, london_today
from scheduling.profiles import Profile, RuleSpec, load_profile
from scheduling.roles import FAMILY_KINDS, PROFESSIONAL, ROLES
from scheduling.roles import role_key as role_key  # handlers import it from here
from scheduling.roles import role_label as role_label
from storage import repository as repo
from storage.db import Store
from storage.errors import NotAMember, StorageError, UnknownCase, UnknownChannel
from storage.models import SOCIAL_WORKER_ROLES, CoreGroup, Member

#: Roles that count as family members (the rest are professionals, the child or others who
#: attend): read from the one vocabulary, `scheduling/roles.py`.
FAMILY_ROLES: Final = frozenset(k for k, kind in ROLES.items() if kind in FAMILY_KINDS)


@dataclass(frozen=True, slots=True)
class Person:
    """What the channel says about a user: enough to add them to a core group."""

    name: str
    email: str | None = None
    is_bot: bool = False


class Directory(Protocol):
    """Looks up a channel's users by address (the adapter asks its platform). None means "no
    such user"."""

    def person(self, user_id: str) -> Person | None: ...


@dataclass(frozen=True, slots=True)
class Config:
    """Deployment choices handlers need (from `bot.settings`, never from the environment)."""

    channel_prefix: str = "cg-"
    #: Case references are this, a hyphen and digits (`COREGROUP_REFERENCE_PREFIX`): `CG-0042`.
    #: A reference names the channel, so nothing else (a child's name) may get into it.
    reference_prefix: str = "CG"
    #: Roles that come with the case's powers when someone who holds them (or a deployment
    #: manager) adds the member (`COREGROUP_MANAGER_ROLES`). The words alone grant nothing: added
    #: by anyone else, the member has the role without the powers.
    manager_roles: frozenset[str] = frozenset({"team_manager", "practice_lead", "manager", "service_manager"})
    #: Deployment-level managers (`COREGROUP_MANAGERS`): addresses as `<kind>:<address>` (as
    #: `Actor.address`) who may grant powers and close or change any case.
    managers: frozenset[str] = frozenset()
    #: Email is set up (SMTP or Graph, `bot.email`): members outside the chat hear by email. If
    #: not, `add email:` and `status` say plainly that they will not hear from the bot.
    email: bool = False


@dataclass(frozen=True, slots=True)
class ChannelKind:
    """A way of reaching people, as handlers need to know it. Each adapter under `bot/` makes
    one and registers it (`bot.channels`); handlers never compare its name with anything, so a
    new channel needs no change here.

    `name` is the opaque kind stored with addresses and conversations. `people_place` is where
    its people picker looks, in its own words ("workspace", "team"). `makes_channels`: True if
    the adapter creates a case's channel itself, False if it links the one `new` was typed in.
    `title` is how people call the platform, for the adapters' own messages (handlers never say
    it).
    """

    name: str
    people_place: str = "workspace"
    makes_channels: bool = True
    title: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who typed the command: their address (`user_id`) on a channel kind. `origin` (the adapter
    that carried it, e.g. the console) goes into the audit log."""

    user_id: str
    channel: ChannelKind
    origin: str

    @property
    def kind(self) -> str:
        """The channel kind their address belongs to (`MemberAddress.kind`)."""
        return self.channel.name

    @property
    def audit_id(self) -> str:
        return f"{self.origin}:{self.user_id}"

    @property
    def address(self) -> str:
        """Who this is on their channel (`<kind>:<address>`), whatever adapter carried the
        command: what `COREGROUP_MANAGERS` lists."""
        return f"{self.kind}:{self.user_id}"


class Duplicate(Exception):
    """The channel retried a request that was already handled."""


class Refusal(Exception):
    """The person may not do this; nothing changed. The message says why and what to do."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.preview)


@dataclass
class Context:
    actor: Actor
    store: Store
    clock: Clock
    #: The channel the command was typed in (implies the case), if any.
    channel_id: str | None = None
    #: The channel's id for this request (trigger id, event id): a retry carries the same one.
    request_key: str | None = None
    directory: Directory | None = None
    config: Config = field(default_factory=Config)
    #: Leave each `RefreshSummary` unrendered: the adapter renders the case's summary once for a
    #: whole batch of writes (`handlers.dispatch.rendered_summaries`), not once per write.
    defer_summaries: bool = False
    #: What this request has read of each case's profile name (from the case it resolved), of
    #: its channel and of each reader's chosen language, for `handlers.language` and delivery:
    #: the outcome, its delivery and the batch's summary ask again and again (a read each, ~6 a
    #: write). Cleared as each request starts (`language.forget`); `change_case` forgets the
    #: profile it changes, `link_channel` the channel.
    read_profiles: dict[str, str] = field(default_factory=dict, repr=False)
    read_languages: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)
    #: The channel (case reference, channel kind) the request was typed in, found by it.
    read_channels: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @property
    def now(self) -> datetime:
        return self.clock()

    @property
    def today(self) -> date:
        return london_today(self.clock)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction whose objects stay readable after it ends (they are detached
        before the rollback that would otherwise expire them)."""
        with self.store.read() as s:
            try:
                yield s
            finally:
                s.expunge_all()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that remembers `request_key`, so a retry changes nothing twice."""
        with self.store.transaction() as s:
            if self.request_key and not repo.first_time(s, self.request_key, now=self.now):
                raise Duplicate(self.request_key)
            yield s
            if self.actor.user_id:
                # The answer is written in the actor's language (`handlers.language`): read it
                # here, as this write leaves it, rather than in a transaction of its own after.
                try:
                    chosen = repo.language_of_address(s, self.actor.kind, self.actor.user_id)
                except StorageError:
                    return
                self.read_languages[(self.actor.kind, self.actor.user_id)] = chosen


# --- the case in question, and may this person touch it? ---------------------------------------


def resolve_case(s: Session, ctx: Context, explicit: str | None) -> CoreGroup:
    """The case named in the command, else the case of the channel it was typed in."""
    if explicit:
        try:
            case = repo.get_case(s, explicit)
            ctx.read_profiles[case.reference] = case.profile  # as below
            return case
        except UnknownCase:
            # The same answer as for a case the person is not in: a refusal must not tell an
            # outsider which references exist.
            raise refusal_not_member(repo.normalise_reference(explicit)) from None
    if ctx.channel_id:
        try:
            case, kind = repo.case_on_channel(s, ctx.channel_id)
        except UnknownChannel:
            pass
        else:
            # Its language settings and its channel, for the answer (`handlers.language`,
            # `handlers.cases.case_channel`); `change_case`, the one use case that changes a
            # profile, and `link_channel` forget theirs.
            ctx.read_profiles[case.reference] = case.profile
            ctx.read_channels[(case.reference, kind)] = ctx.channel_id
            return case
    raise CommandError(
        _("Which case? This isn't a core group's channel, so add the case reference."),
        f"{EXAMPLES['status']} CG-0001",
    )


def refusal_not_member(reference: str) -> Refusal:
    """One answer for "no such case" and "not your case", word for word, so a refusal never
    confirms that a reference exists."""
    return Refusal(
        Message(
            _("Only members of {reference}'s core group can see or change its record.", reference=reference),
            (_('Ask the lead social worker to add you: `/coregroup add @you role:"…"`.'),),
        )
    )


def member_of(s: Session, ctx: Context, case: CoreGroup) -> Member:
    """The acting person as a current member of `case`, or a refusal naming what to do."""
    try:
        return repo.member_by_address(s, case.reference, ctx.actor.kind, ctx.actor.user_id, on=ctx.today)
    except NotAMember:
        if case.status == "closed" and any(
            m.address(ctx.actor.kind) == ctx.actor.user_id
            for m in repo.members(s, case.reference, include_left=True)
        ):
            raise refusal_closed(case) from None
        raise refusal_not_member(case.reference) from None


def refusal_closed(case: CoreGroup) -> Refusal:
    """What someone who was in a closed case's core group hears: it is closed, not "you are
    not a member" (they were; the record is kept, not theirs to change)."""
    when_closed = _(" on {day}", day=long_day(london_date(case.closed_at))) if case.closed_at else ""
    return Refusal(
        Message(
            _(
                "{reference} was closed{when}; nothing more can be recorded for it.",
                reference=case.reference,
                when=when_closed,
            ),
            (_("Its record is kept and can be exported by the lead social worker or their manager."),),
        )
    )


def is_deployment_manager(ctx: Context) -> bool:
    return ctx.actor.address in ctx.config.managers


def member_or_manager(s: Session, ctx: Context, case: CoreGroup) -> Member | None:
    """The acting member, or None for a deployment manager who is not in the core group (they
    may use their powers on any case, and are audited like anyone); else the refusal."""
    try:
        return member_of(s, ctx, case)
    except Refusal:
        if is_deployment_manager(ctx):
            return None
        raise


def has_powers(member: Member | None) -> bool:
    """The stored grant (`Member.powers`), never the role words. Only professionals hold
    powers: never family, the child or an interpreter."""
    return member is not None and member.powers and member.kind == PROFESSIONAL


def may_use_powers(ctx: Context, member: Member | None) -> bool:
    """Close, change, remove others, grant: a member granted the powers, or a deployment
    manager (`COREGROUP_MANAGERS`)."""
    return has_powers(member) or is_deployment_manager(ctx)


def require_powers(ctx: Context, member: Member | None, case: CoreGroup, what: str) -> None:
    if not may_use_powers(ctx, member):
        raise Refusal(
            Message(
                _(
                    "Only {reference}'s lead social worker or their manager can {what}.",
                    reference=case.reference,
                    what=what,
                ),
                (_("Nothing has changed. Ask the lead social worker if this needs doing."),),
            )
        )


def is_social_worker(member: Member) -> bool:
    return member.role in SOCIAL_WORKER_ROLES


class HasKind(Protocol):
    @property
    def kind(self) -> str: ...


def is_family(member: HasKind) -> bool:
    """A parent, carer or relative (`Member.kind`), not a professional: the one test of it, used
    for what they may do and for the plain words their reminders use (handlers/nags.py,
    bot/delivery.py)."""
    return member.kind in FAMILY_KINDS


def is_professional(member: Member) -> bool:
    """Counts for quorum, may chair and take minutes, is asked for written reports."""
    return member.kind == PROFESSIONAL


def chat_id(member: Member) -> str | None:
    """The member's chat address (the first of any kind), None for someone reached by email
    only. The adapter renders it as a mention."""
    return member.any_address()


def reachable(member: Member, *, email: bool) -> bool:
    """Reached by the bot: in chat, or by email when email is set up (`Config.email`). Only
    they are asked for answers and reports, as the sweep asks them (`storage.facts`)."""
    return bool(member.any_address() or (email and member.email))


def mention(member: Member) -> str:
    """How a member is named in chat: a mention for workspace users, else their role."""
    if chat_id(member):
        return user_mention(chat_id(member) or "")
    return _("{name} ({role})", name=verbatim(member.display_name), role=verbatim(role_label(member.role)))


def case_version(s: Session, case: CoreGroup) -> int:
    """A number that changes whenever the case's record changes: its latest audit event id.

    Every change is audited in its own transaction (storage's guarantee), so this is a cheap,
    exact cache key for views computed from the record. (A helper here until storage.repository
    offers one.)
    """
    from sqlalchemy import func, select

    from storage.models import AuditEvent

    stmt = select(func.max(AuditEvent.id)).where(AuditEvent.case_id == case.id)  # type: ignore[arg-type]
    return int(s.execute(stmt).scalar() or 0)


# --- the engine ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rules:
    profile: Profile
    calendar: WorkingCalendar


def rules_for(profile_name: str) -> Rules:
    profile = load_profile(profile_name)
    return Rules(profile, calendar_for(profile.nation, profile.closures))


def case_obligations(s: Session, case: CoreGroup, today: date) -> tuple[Rules, list[Obligation]]:
    rules = rules_for(case.profile)
    state = repo.case_state(s, case.reference)
    return rules, obligations(state, rules.profile, rules.calendar, today)


_DOC = re.compile(r"^\d{3}_[0-9a-f]+\.txt\s*")


def source_label(source: str, profile: Profile) -> str:
    """`002_…txt §2.1` → `Suffolk guidance §2.1`: readers know the council, not our file names."""
    if _DOC.match(source):
        return _("{council} guidance {clause}", council=profile.title, clause=_DOC.sub("", source).strip())
    return verbatim(source)


def rule_context(rule_id: str, rules: Rules, plan: str, *, interpretation: bool | None = None) -> str:
    """The small last line: `first_core_group · Suffolk guidance §2.1 · <the rule in words>`."""
    rule = rules.profile.rules.get(rule_id)
    spec = rule.for_plan(plan) if rule else None
    if spec is None:
        return verbatim(rule_id)
    source = source_label(spec.source, rules.profile)
    text = rule_text(spec)
    if interpretation if interpretation is not None else spec.interpretation:
        return _(
            "{rule} · {source} · {text} · {note}",
            rule=rule_id,
            source=source,
            text=text,
            note=INTERPRETATION_NOTE,
        )
    return _("{rule} · {source} · {text}", rule=rule_id, source=source, text=text)


def rule_text(spec: RuleSpec) -> str:
    """The rule in words, as the profile words it: in Welsh too where the profile gives it."""
    return either(spec.text.rstrip("."), cy=spec.text_cy.rstrip(".") if spec.text_cy else None)


def when(d: date, today: date, cal: WorkingCalendar) -> str:
    """`Tue 5 Jan 2027`, with "in 3 working days" beside dates in the next two weeks."""
    text = long_day(d)
    if d == today:
        return _("{day} (today)", day=text)
    if 0 < (d - today).days <= 14:
        n = cal.working_days_between(today, d)
        if n == 1 and (d - today).days == 1:
            return _("{day} (tomorrow)", day=text)
        return ngettext("{day} (in {n} working day)", "{day} (in {n} working days)", n, day=text)
    if d < today and (today - d).days <= 14:
        n = cal.working_days_between(d, today)
        return ngettext("{day} ({n} working day ago)", "{day} ({n} working days ago)", n, day=text)
    return text


def meeting_place(venue: str | None, online: bool) -> str:
    """Where a meeting is, as a message says it: "Family centre", "online", "Family centre and
    online", or "" when neither is known. (The venue is stored as typed; online is a flag.)"""
    if venue and online:
        return _("{venue} and online", venue=venue)
    return verbatim(venue) if venue else (_("online") if online else "")


def short(d: date) -> str:
    return short_day(d)


def at_london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def happened_at(day: date, at: time, now: datetime) -> datetime:
    """When something recorded by its date happened: `day` at `at`, but never after `now`. A
    date is "not in the future" for the whole of today, so `minutes sent <today>` at 10:00 must not
    become 12:00 today and be refused by the repository as still to come."""
    return min(at_london(day, at), now)


def people_place(ctx: Context) -> str:
    """Where the bot looks people up, in the words of the actor's channel (its people picker's
    roster)."""
    return ctx.actor.channel.people_place


def london_date(dt: datetime) -> date:
    return dt.astimezone(LONDON).date()


def london_time(dt: datetime) -> str:
    return f"{dt.astimezone(LONDON):%H:%M}"


# --- turning errors into replies --------------------------------------------------------------


#: Commands about what has happened (their dates are today or before) and about what is to come
#: (after today), for `dated_example`.
_PAST_VERBS: Final = frozenset({"visit", "held", "minutes", "update", "significant"})
_FUTURE_VERBS: Final = frozenset({"meeting", "review", "tier1", "tier2", "away", "action"})
_EXAMPLE_DATE: Final = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def dated_example(example: str, today: date | None) -> str:
    """The example of an error made valid today: the fixed examples (`EXAMPLES`) carry dates
    from when they were written, so "Try `/coregroup visit 2027-01-12`" could suggest a visit
    still to come (or from before the case started), or a meeting already past. What happened
    is dated today; what is to come, when its date has passed, the working days ahead."""
    if today is None:
        return example
    words = [w for w in example.split() if not w.startswith("/") and not REFERENCE_RE.match(w.upper())]
    verb = words[0] if words else ""
    ahead = iter(range(5, 100, 5))
    cal = calendar_for("england")

    def fix(m: re.Match[str]) -> str:
        try:
            day = date.fromisoformat(m[0])
        except ValueError:
            return m[0]
        if verb in _PAST_VERBS:  # today: neither still to come nor before the case started
            return today.isoformat()
        if verb in _FUTURE_VERBS and day <= today:
            return cal.add_working_days(today, next(ahead)).isoformat()
        return m[0]

    return _EXAMPLE_DATE.sub(fix, example)


def error_message(exc: CommandError | StorageError, today: date | None = None) -> Message:
    if isinstance(exc, CommandError):
        return Message(exc.problem, (_("Try `{example}`", example=dated_example(exc.example, today)),))
    detail = (_("Try `{example}`", example=dated_example(exc.example, today)),) if exc.example else ()
    return Message(storage_words(exc), detail)


_STORAGE_SENTENCES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"^A case with reference (?P<reference>\S+) already exists\.$"),
        N_("A case with reference {reference} already exists."),
    ),
    (
        re.compile(r"^A link from this channel \(to (?P<reference>\S+)\) already exists\.$"),
        N_("A link from this channel (to {reference}) already exists."),
    ),
    (
        re.compile(r"^Member (?P<id>\d+) of (?P<reference>\S+) with that user already exists\.$"),
        N_("Member {id} of {reference} with that user already exists."),
    ),
    (
        re.compile(r"^Action (?P<id>\d+) of (?P<reference>\S+) is already achieved\.$"),
        N_("Action {id} of {reference} is already achieved."),
    ),
    (
        re.compile(r"^Escalation (?P<id>\d+) of (?P<reference>\S+) is already resolved\.$"),
        N_("Escalation {id} of {reference} is already resolved."),
    ),
    (
        re.compile(r"^Meeting (?P<id>\d+) of (?P<reference>\S+) was cancelled\.$"),
        N_("Meeting {id} of {reference} was cancelled."),
    ),
    (re.compile(r"^(?P<reference>\S+) is already open\.$"), N_("{reference} is already open.")),
    (
        re.compile(r"^(?P<reference>\S+) is closed; its record can be read and exported but not changed\.$"),
        N_("{reference} is closed; its record can be read and exported but not changed."),
    ),
    (
        re.compile(r"^This channel is not linked to a core group\.$"),
        N_("This channel is not linked to a core group."),
    ),
    (
        re.compile(r"^There is no core group with the reference '(?P<reference>[^']*)'\.$"),
        N_("There is no core group with the reference '{reference}'."),
    ),
    (
        re.compile(r"^Member (?P<id>\S+) is not \(or no longer\) in (?P<reference>\S+)'s core group\.$"),
        N_("Member {id} is not (or no longer) in {reference}'s core group."),
    ),
    (
        re.compile(
            r"^(?P<reference>\S+) can't start on (?P<start>\S+): "
            r"a visit is recorded on (?P<day>\S+), before it\.$"
        ),
        N_("{reference} can't start on {start}: a visit is recorded on {day}, before it."),
    ),
    (
        re.compile(
            r"^(?P<reference>\S+) can't start on (?P<start>\S+): "
            r"a meeting is recorded on (?P<day>\S+), before it\.$"
        ),
        N_("{reference} can't start on {start}: a meeting is recorded on {day}, before it."),
    ),
)


def storage_words(exc: StorageError) -> str:
    """A storage error's message in the reader's language. The storage layer sits below the
    catalogue (it never imports handlers), so its English is matched here, whole, as
    `handlers.words.about_words` matches the engine's; one not listed is shown as written."""
    for pattern, sentence in _STORAGE_SENTENCES:
        m = pattern.match(exc.message)
        if m:
            return Text(sentence, m.groupdict())
    return exc.message


def not_before_start(day: date, case: CoreGroup, example: str, what: str) -> None:
    if day < case.start:
        raise CommandError(
            _(
                "{day} is before {reference} started ({start}): {what} can't be earlier than that.",
                day=long_day(day),
                reference=case.reference,
                start=long_day(case.start),
                what=what,
            ),
            example,
        )
