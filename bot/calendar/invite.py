"""What a calendar invitation says, independent of how it is delivered (Graph or an .ics file).

An `Invite` is built from plain values so the storage and chat layers can fill it from their own
records. It carries the case reference and people's roles, never a child's name: an invitation
goes to email inboxes outside the chat workspace (police, school, health visitor) and is kept
there for years, so it must not identify the child. The subject and body builders only ever read
the fields below, which is what makes that a property of the code rather than of each caller.

The agenda in the body follows the meeting kind: the outline agenda of Shropshire's core group
guidance (001, "Outline Agenda for Core Group Meetings") for core groups, and Cwm Taf Morgannwg's
Appendix 4 (004, "Agenda for Resolution Meeting") for Tier 1 / Tier 2 resolution meetings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from handlers.i18n import BILINGUAL_RULE, _, localise, long_day
from handlers.words import meeting_label
from scheduling.london import LONDON
from scheduling.profiles import ProfileError, load_profile
from scheduling.wording import MEETING_KIND_LABELS

CORE_GROUP: Final = "core_group"
SCHOOL_MOVE_CORE_GROUP: Final = "school_move_core_group"
RESOLUTION_REVIEW_CORE_GROUP: Final = "resolution_review_core_group"
TIER1: Final = "resolution_tier1"
TIER2: Final = "resolution_tier2"
REVIEW_CONFERENCE: Final = "review_conference"

#: An invitation's title per meeting kind (the one table, `scheduling.wording.MEETING_KIND_LABELS`).
KIND_LABELS: Final[dict[str, str]] = {k: v.invitation for k, v in MEETING_KIND_LABELS.items()}
CORE_GROUP_KINDS: Final = frozenset({CORE_GROUP, SCHOOL_MOVE_CORE_GROUP, RESOLUTION_REVIEW_CORE_GROUP})
#: 004 §5, Tier 1 item 1: "The meeting should not include the family." Tier 2 is the senior
#: managers' escalation of the same process, so the family is not invited to it either.
FAMILY_NOT_INVITED: Final = frozenset({TIER1, TIER2})

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")


def london_wall(at: datetime) -> datetime:
    """`at` as a London wall-clock time that exists. Going through UTC matters: `astimezone` to
    the zone a datetime already has returns it unchanged, so a time in the spring-forward gap
    (01:30 on the last Sunday of March) would be written as a wall time that never happens, which
    calendar parsers read differently."""
    return at.astimezone(UTC).astimezone(LONDON)


class InviteError(ValueError):
    """An invitation that cannot be sent as given (a programming or data error, not Graph's)."""


# --- people --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attendee:
    """A required attendee. `role` is what their calendar shows as the name, e.g. "Health visitor"."""

    email: str
    role: str


@dataclass(frozen=True, slots=True)
class MemberContact:
    """One core group member as the calendar needs them; filled from `storage.models.Member`."""

    member_id: int | str
    role: str
    email: str | None
    family: bool = False
    #: Member on the meeting date (joined, not left); see `Member.active_on`.
    current: bool = True


def role_label(role: str) -> str:
    """`lead_social_worker` -> `Lead social worker`: roles are stored as keys or free text."""
    text = " ".join(role.replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else "Member"


def attendees_for(
    members: Iterable[MemberContact], kind: str, family_ticked: Collection[int | str] = ()
) -> tuple[Attendee, ...]:
    """Every current member with an email; family members only when the lead social worker ticked
    them, and never for Tier 1/Tier 2 meetings (004 §5). One entry per address."""
    seen: set[str] = set()
    out: list[Attendee] = []
    for m in members:
        if not m.current or not m.email:
            continue
        if m.family and (kind in FAMILY_NOT_INVITED or m.member_id not in family_ticked):
            continue
        key = m.email.strip().lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(Attendee(email=m.email.strip(), role=role_label(m.role)))
    return tuple(out)


# --- the invitation ------------------------------------------------------------------------------


def make_uid(case_ref: str, meeting_id: int | str) -> str:
    """Stable per meeting, so every later change (Graph PATCH, .ics with a higher SEQUENCE) lands on
    the same calendar entry in every member's calendar."""
    safe = re.sub(r"[^A-Za-z0-9-]", "-", case_ref)
    return f"coregroup-{safe}-{meeting_id}@coregroup"


@dataclass(frozen=True)
class Invite:
    uid: str
    case_ref: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    #: The organiser mailbox (GRAPH_ORGANISER) or, for .ics files, the lead social worker's address.
    organiser: str
    attendees: tuple[Attendee, ...] = ()
    venue: str | None = None
    #: A Teams meeting (Graph creates it); in an .ics file, `online_url` if one is known.
    online: bool = False
    online_url: str | None = None
    #: RFC 5545 SEQUENCE: raise it on every change (`changed`), never lower it.
    sequence: int = 0
    #: Policy profile name (scheduling/profiles), for the agenda and the plan's name.
    profile: str = "england"
    #: Who chairs, as a role ("Health visitor"), when agreed; never a name.
    chair_role: str | None = None

    def __post_init__(self) -> None:
        if not _REF.match(self.case_ref):
            raise InviteError(f"case_ref: {self.case_ref!r} is not a case reference such as CG-0421")
        if self.kind not in KIND_LABELS:
            raise InviteError(f"kind: unknown meeting kind {self.kind!r}; allowed: {', '.join(KIND_LABELS)}")
        for name in ("starts_at", "ends_at"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise InviteError(f"{name}: must be an aware datetime (got {value.isoformat()})")
        if self.ends_at <= self.starts_at:
            raise InviteError("ends_at: must be after starts_at")
        if not _EMAIL.match(self.organiser):
            raise InviteError("organiser: must be an email address or user principal name")
        for a in self.attendees:
            if not _EMAIL.match(a.email):
                raise InviteError(f"attendees: {a.email!r} is not an email address")
        if self.sequence < 0:
            raise InviteError("sequence: must be 0 or more")

    def changed(self, **changes: object) -> Invite:
        """The same meeting after a change: SEQUENCE goes up by one (RFC 5545 §3.8.7.4)."""
        return replace(self, sequence=self.sequence + 1, **changes)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def local_start(self) -> datetime:
        return london_wall(self.starts_at)

    @property
    def local_end(self) -> datetime:
        return london_wall(self.ends_at)


# --- agendas -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaItem:
    text: str
    sub: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Agenda:
    title: str
    source: str
    items: tuple[AgendaItem, ...]


SHROPSHIRE_OUTLINE: Final = Agenda(
    title="Outline agenda for core group meetings",
    source="Shropshire core group practice guidance, Outline Agenda (001_04dc52776adad048.txt)",
    items=(
        AgendaItem("Status of child and purpose of meeting"),
        AgendaItem(
            "Apologies",
            (
                "Note agency / role and name of attendees and those sending apologies",
                "Note any updates / reports from those not able to attend",
                "Where significant family members are not in attendance, discuss how they will be "
                "represented and agree actions to ensure their participation",
            ),
        ),
        AgendaItem("Review membership", ("Are the right people still around the table",)),
        AgendaItem(
            "Check minutes",
            (
                "Ensure these have been received by the family and agencies",
                "Note dissent and any issues arising from these",
            ),
        ),
        AgendaItem(
            "Updates from all members", ("Invite core group members to provide any significant updates",)
        ),
        AgendaItem(
            "Review each action on the plan",
            (
                "Amend actions if necessary and ensure they remain SMART",
                "Note progress in relation to the task",
                "Revise and agree any changes to the plan",
                "Review contingency plan",
            ),
        ),
        AgendaItem("Analysis of current situation, risks/needs of the child"),
        AgendaItem("Any other matters to discuss", ("Invite core group members to raise any other issues",)),
        AgendaItem("Setting next meeting"),
    ),
)

CTM_RESOLUTION: Final = Agenda(
    title="Agenda for Tier 1 or Tier 2 resolution meeting",
    source="Cwm Taf Morgannwg core group guidance, Appendix 4 (004_b4a14c8ed1396301.txt)",
    items=(
        AgendaItem("Welcome and apologies"),
        AgendaItem("Summary of the case and the presenting issues"),
        AgendaItem(
            "Summary and review of partners' involvement to date (including a review of the Plan "
            "and any assessments undertaken)"
        ),
        AgendaItem(
            "The views of the child(ren) and parent(s)/family members about working with the "
            "Care and Support Plan"
        ),
        AgendaItem(
            "Analysis of risks, protective factors, parents' ability to change (to include "
            "consideration of the Cwm Taf Multi Agency Protocol on Working with Non-Cooperative "
            "Families)"
        ),
        AgendaItem("Agreed outcomes and any actions/timescales (update Plan)"),
        AgendaItem(
            "Agree on how the outcomes of the meeting and revised plan will be communicated to the "
            "family and by whom"
        ),
        AgendaItem("Date of next core group meeting"),
    ),
)


def agenda_for(kind: str, profile: str) -> Agenda | None:
    """The agenda printed in the invitation. Core groups in every profile use Shropshire's outline
    (the only written core group agenda among the source documents); resolution meetings use
    Cwm Taf Morgannwg's set agenda, which its guidance requires (004 §5, Tier 1 item 3). A review
    conference's agenda belongs to its independent chair, so none is printed."""
    if kind in CORE_GROUP_KINDS:
        if profile == "shropshire":
            return SHROPSHIRE_OUTLINE
        return replace(SHROPSHIRE_OUTLINE, source=SHROPSHIRE_OUTLINE.source + ", used as the default")
    if kind in (TIER1, TIER2):
        return CTM_RESOLUTION
    return None


def _nation(profile: str) -> str:
    from scheduling.profiles import ProfileError, load_profile

    try:
        return load_profile(profile).nation
    except ProfileError:
        return "england"


def plan_name(profile: str) -> str:
    """Wales calls it the care and support protection plan (004 §1); elsewhere the protection plan."""
    return "care and support protection plan" if _nation(profile) == "wales" else "child protection plan"


# --- subject and body ----------------------------------------------------------------------------


def when_text(invite: Invite) -> str:
    """`Tue 5 Jan 2027, 10:00–11:30 (UK time)`: dates written out as in docs/messages.md."""
    s, e = invite.local_start, invite.local_end
    day = f"{s:%a} {s.day} {s:%b %Y}"
    if s.date() == e.date():
        return f"{day}, {s:%H:%M}–{e:%H:%M} (UK time)"
    return f"{day} {s:%H:%M} – {e:%a} {e.day} {e:%b %Y} {e:%H:%M} (UK time)"


def where_text(invite: Invite) -> str:
    parts: list[str] = []
    if invite.venue:
        parts.append(invite.venue)
    if invite.online:
        parts.append(f"online: {invite.online_url}" if invite.online_url else "online (Microsoft Teams)")
    return " and ".join(parts) if parts else "to be confirmed by the lead social worker"


def subject(invite: Invite) -> str:
    """`CG-0421: core group meeting` -- the case reference and the kind, nothing else. For a
    Welsh profile's case, Welsh first: `CG-0421: cyfarfod grŵp craidd / core group meeting` (one
    invitation goes to everyone, so it is in both languages, as the channel is)."""
    english = f"{invite.case_ref}: {invite.label}"
    if not _bilingual(invite.profile):
        return english
    welsh = localise(
        _(
            "{reference}: {meeting}",
            reference=invite.case_ref,
            meeting=meeting_label(invite.kind, "invitation"),
        ),
        "cy",
    )
    return f"{welsh} / {invite.label}"


def _bilingual(profile: str) -> bool:
    try:
        return load_profile(profile).language.bilingual_channel
    except ProfileError:
        return False


def _welsh_body(invite: Invite) -> str:
    """The invitation's essentials in Welsh, above the English (the agenda stays in English: it
    is the guidance's own wording)."""
    s, e = invite.local_start, invite.local_end
    if invite.venue and invite.online:
        where = _("{venue} and online", venue=invite.venue)
    elif invite.venue or invite.online:
        where = invite.venue or _("online")
    else:
        where = _("to be confirmed by the lead social worker")
    lines = [
        _(
            "{reference}: {meeting}",
            reference=invite.case_ref,
            meeting=meeting_label(invite.kind, "invitation"),
        ),
        _(
            "When: {day}, {start}–{end} (UK time)",
            day=long_day(s.date()),
            start=s.strftime("%H:%M"),
            end=e.strftime("%H:%M"),
        ),
        _("Where: {where}", where=where),
    ]
    if invite.kind in CORE_GROUP_KINDS:
        lines.append(
            _(
                "If you cannot attend, tell the lead social worker and send a written report before the "
                "meeting."
            )
        )
    lines.append(
        _(
            "This invitation names the case by its reference ({reference}) only. Please keep it that way "
            "in replies.",
            reference=invite.case_ref,
        )
    )
    return "\n".join(localise(line, "cy") for line in lines)


def _purpose(invite: Invite) -> list[str]:
    plan = plan_name(invite.profile)
    if invite.kind == SCHOOL_MOVE_CORE_GROUP:
        return [
            "Held at the new school after a change of school, so that it can take its part in the "
            f"{plan} (Newham guidance §5.5: within 10 working days of the move)."
        ]
    if invite.kind == RESOLUTION_REVIEW_CORE_GROUP:
        return [
            "Reviews progress of the revised plan agreed at the Tier 1 resolution meeting; chaired by "
            "the allocated social worker (Cwm Taf Morgannwg guidance §5)."
        ]
    if invite.kind == TIER1:
        return [
            "For the professionals in the core group and their line managers; the family is not "
            "invited. Chaired by the Children's Services Team Manager (Cwm Taf Morgannwg guidance §5)."
        ]
    if invite.kind == TIER2:
        return [
            "For senior managers from the partner agencies; the family is not invited. Convened and "
            "chaired by the Principal Officer / Service Manager (Cwm Taf Morgannwg guidance §5)."
        ]
    if invite.kind == REVIEW_CONFERENCE:
        return [
            "The conference chair sets the agenda. Send your agency's report to the chair before the "
            "conference."
        ]
    return []


def body_text(invite: Invite) -> str:
    """Plain text: it reads the same in Outlook, Gmail, a phone and an .ics DESCRIPTION."""
    lines = [
        f"{invite.case_ref}: {invite.label}",
        f"When: {when_text(invite)}",
        f"Where: {where_text(invite)}",
    ]
    if invite.chair_role:
        lines.append(f"Chair: {invite.chair_role}")
    purpose = _purpose(invite)
    if purpose:
        lines += ["", *purpose]
    agenda = agenda_for(invite.kind, invite.profile)
    if agenda is not None:
        lines += ["", f"Agenda ({agenda.title}; {agenda.source}):"]
        for i, item in enumerate(agenda.items, start=1):
            lines.append(f"{i}. {item.text}")
            lines += [f"   {chr(ord('a') + j)}. {s}" for j, s in enumerate(item.sub)]
    if invite.kind in CORE_GROUP_KINDS:
        lines += [
            "",
            f"Please bring your copy of the {plan_name(invite.profile)}. If you cannot attend, tell the "
            "lead social worker and send a written report before the meeting (Suffolk guidance §4.6).",
        ]
    lines += [
        "",
        f"This invitation names the case by its reference ({invite.case_ref}) only. Please keep it that "
        "way in replies.",
    ]
    english = "\n".join(lines)
    if _bilingual(invite.profile):
        return f"{_welsh_body(invite)}\n\n{BILINGUAL_RULE}\n\n{english}"
    return english
