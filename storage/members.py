"""Members of a case: join, change, leave, powers, addresses, time away and cover."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col

from storage.common import (
    MEMBER_FIELDS,
    ROLE_SHAPE,
    case_id_of,
    check_actor,
    check_choice,
    check_date,
    check_kind,
    clean_text,
    load_case,
    load_member,
    london_today,
    normalise_reference,
    normalise_role,
    record_audit,
    required_text,
    row_id,
    snapshot_of,
)
from storage.errors import AlreadyExists, InvalidState, InvalidValue, NotAMember
from storage.models import ADDRESS_HOLDERS, EMAIL_KIND, MEMBER_KINDS, CoreGroup, Member, MemberAddress

# --- members -----------------------------------------------------------------------------------

_MEMBER_TEXT: Final = {
    "display_name": 255,
    "agency": 255,
    "email": 320,
    "line_manager_name": 255,
    "line_manager_email": 320,
}
#: An address's longest form (an email address); chat user ids are far shorter.
_ADDRESS_MAX: Final = 320


def _check_email(value: str | None, field: str) -> None:
    if value is not None and (value.count("@") != 1 or " " in value):
        raise InvalidValue(field, f"{value!r} is not an email address", f'{field}="name@agency.example"')


def _addresses(values: Mapping[str, str | None] | None, field: str) -> dict[str, str | None]:
    """{kind: address} checked; None (or empty) as an address means "none on that kind"."""
    out: dict[str, str | None] = {}
    for kind, address in (values or {}).items():
        out[check_kind(kind)] = clean_text(
            address, field, max_len=_ADDRESS_MAX, example=f'{field}={{"{kind}": "U0123ABCD"}}'
        )
    return out


def _set_addresses(session: Session, member: Member, whose: str, values: Mapping[str, str | None]) -> bool:
    """Write the member's (or line manager's) address per kind; True if anything changed."""
    assert whose in ADDRESS_HOLDERS
    have = {a.kind: a for a in member.addresses if a.whose == whose}
    changed = False
    for kind, address in values.items():
        row = have.get(kind)
        if address is None:
            if row is not None:
                session.delete(row)
                changed = True
        elif row is None:
            session.add(MemberAddress(member_id=row_id(member), whose=whose, kind=kind, address=address))
            changed = True
        elif row.address != address:
            row.address = address
            changed = True
    if changed:
        session.flush()
        session.refresh(member, ["addresses"])
    return changed


def _duplicate_member(
    session: Session,
    case: CoreGroup,
    today: date,
    *,
    exclude: int | None,
    addresses: Mapping[str, str | None],
    email: str | None,
) -> None:
    for m in members(session, case.reference, on=today):
        if m.id == exclude:
            continue
        if any(address and m.address(kind) == address for kind, address in addresses.items()) or (
            email and m.email and m.email.lower() == email.lower()
        ):
            raise AlreadyExists(
                f"Member {m.id} of {case.reference} with that user", f"/coregroup members {case.reference}"
            )


def add_member(
    session: Session,
    reference: str,
    *,
    actor: str,
    now: datetime,
    display_name: str,
    role: str,
    kind: str = "professional",
    agency: str | None = None,
    email: str | None = None,
    addresses: Mapping[str, str | None] | None = None,
    line_manager_name: str | None = None,
    line_manager_email: str | None = None,
    line_manager_addresses: Mapping[str, str | None] | None = None,
    joined_on: date | None = None,
    language: str | None = None,
) -> Member:
    """Add someone to the core group. `addresses` ({channel kind: address}) are how the bot
    reaches them; people outside every chat have none (email only). `language` (`en`, `cy`):
    the one they chose, if known."""
    actor = check_actor(actor)
    today = london_today(now)
    values: dict[str, str | None] = {
        "display_name": display_name,
        "agency": agency,
        "email": email,
        "line_manager_name": line_manager_name,
        "line_manager_email": line_manager_email,
    }
    own = _addresses(addresses, "addresses")
    manager = _addresses(line_manager_addresses, "line_manager_addresses")
    clean = {k: clean_text(v, k, max_len=_MEMBER_TEXT[k], example=f'{k}="…"') for k, v in values.items()}
    if clean["display_name"] is None:
        raise InvalidValue("display_name", "is required", 'display_name="A. Practitioner"')
    _check_email(clean["email"], "email")
    _check_email(clean["line_manager_email"], "line_manager_email")
    role = normalise_role(required_text(role, "role", max_len=64, example='role="health visitor"'))
    if not ROLE_SHAPE.match(role):
        raise InvalidValue("role", f"{role!r} is not a role", 'role="health visitor"')
    kind = check_choice(kind, "kind", MEMBER_KINDS)
    check_date(joined_on, "joined_on")
    if language is not None:
        check_choice(language, "language", LANGUAGES)
    case = load_case(session, reference)
    _duplicate_member(session, case, today, exclude=None, addresses=own, email=clean["email"])
    member = Member(
        case_id=case_id_of(case),
        display_name=clean["display_name"],
        role=role,
        kind=kind,
        joined_on=joined_on or today,
        language=language,
        created_at=now,
    )
    for key, value in clean.items():
        setattr(member, key, value)
    session.add(member)
    session.flush()
    _set_addresses(session, member, "member", own)
    _set_addresses(session, member, "line_manager", manager)
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.added",
        entity="member",
        entity_id=member.id,
        after={**snapshot_of(member, MEMBER_FIELDS), **({"language": language} if language else {})},
    )
    return member


def update_member(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    changes: Mapping[str, str | None],
    addresses: Mapping[str, str | None] | None = None,
    line_manager_addresses: Mapping[str, str | None] | None = None,
) -> Member:
    """Change contact/role fields (display_name, role, agency, email, line manager) and
    addresses ({channel kind: address}, None removes that kind's)."""
    actor = check_actor(actor)
    today = london_today(now)
    allowed = {*_MEMBER_TEXT, "role", "kind"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidValue(
            unknown[0],
            f"cannot be changed here; changeable: {', '.join(sorted(allowed))}",
            'changes={"role": "chair"}',
        )
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "role":
            role = normalise_role(required_text(value, "role", max_len=64, example='role="chair"'))
            if not ROLE_SHAPE.match(role):
                raise InvalidValue("role", f"{role!r} is not a role", 'role="health visitor"')
            clean[key] = role
        elif key == "kind":
            clean[key] = check_choice(value or "", "kind", MEMBER_KINDS)
        elif key == "display_name":
            clean[key] = required_text(value, key, max_len=255, example='display_name="A. Practitioner"')
        else:
            clean[key] = clean_text(value, key, max_len=_MEMBER_TEXT[key], example=f'{key}="…"')
    _check_email(clean.get("email"), "email")
    _check_email(clean.get("line_manager_email"), "line_manager_email")
    own = _addresses(addresses, "addresses")
    manager = _addresses(line_manager_addresses, "line_manager_addresses")
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=today)
    _duplicate_member(session, case, today, exclude=member.id, addresses=own, email=clean.get("email"))
    before = snapshot_of(member, MEMBER_FIELDS)
    for key, value in clean.items():
        setattr(member, key, value)
    session.flush()
    if _set_addresses(session, member, "member", own):
        clean["addresses"] = own
    if _set_addresses(session, member, "line_manager", manager):
        clean["line_manager_addresses"] = manager
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.updated",
        entity="member",
        entity_id=member.id,
        before=before,
        after={**snapshot_of(member, MEMBER_FIELDS), "fields_changed": sorted(clean)},
    )
    return member


def remove_member(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    left_on: date | None = None,
) -> Member:
    """The member leaves (left_on, default today); their history stays on the record.

    Anyone they were covering for loses the cover (in the same transaction, audited).
    """
    actor = check_actor(actor)
    today = london_today(now)
    check_date(left_on, "left_on")
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=today)
    left = left_on or today
    if left < member.joined_on:
        raise InvalidValue(
            "left_on",
            f"{left} is before they joined ({member.joined_on})",
            f"left_on=date({today.year}, {today.month}, {today.day})",
        )
    before = snapshot_of(member, MEMBER_FIELDS)
    member.left_on = left
    covered = list(
        session.scalars(
            select(Member).where(col(Member.case_id) == case.id, col(Member.cover_member_id) == member.id)
        )
    )
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.removed",
        entity="member",
        entity_id=member.id,
        before=before,
        after=snapshot_of(member, MEMBER_FIELDS),
    )
    for other in covered:
        ob = snapshot_of(other, MEMBER_FIELDS)
        other.cover_member_id = None
        session.flush()
        record_audit(
            session,
            case,
            actor=actor,
            now=now,
            action="member.cover_cleared",
            entity="member",
            entity_id=other.id,
            before=ob,
            after=snapshot_of(other, MEMBER_FIELDS),
        )
    return member


def grant_powers(session: Session, reference: str, member_id: int, *, actor: str, now: datetime) -> Member:
    """Give a current professional member the case's powers (close, change, remove others,
    grant). Who may grant is the handlers' rule; here the grant is recorded with its grantor and
    audited. Family members never hold powers. Granting again changes nothing."""
    actor = check_actor(actor)
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=london_today(now))
    if member.kind != "professional":
        raise InvalidValue(
            "powers",
            "only professionals hold a case's powers (never family, the child or others who attend)",
            f"/coregroup grant @someone (a professional in {case.reference})",
        )
    if member.powers:
        return member
    before = {"powers": False, "powers_granted_by": member.powers_granted_by}
    member.powers, member.powers_granted_by, member.powers_granted_at = True, actor, now
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.powers_granted",
        entity="member",
        entity_id=member.id,
        before=before,
        after={"powers": True, "powers_granted_by": actor, "role": member.role},
    )
    return member


def withdraw_powers(session: Session, reference: str, member_id: int, *, actor: str, now: datetime) -> Member:
    """Take the case's powers back (audited with who withdrew them and who had granted them)."""
    actor = check_actor(actor)
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=london_today(now))
    if not member.powers:
        return member
    before = {"powers": True, "powers_granted_by": member.powers_granted_by}
    member.powers, member.powers_granted_by, member.powers_granted_at = False, None, None
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.powers_withdrawn",
        entity="member",
        entity_id=member.id,
        before=before,
        after={"powers": False, "role": member.role},
    )
    return member


def get_member(session: Session, reference: str, member_id: int) -> Member:
    case = load_case(session, reference, writable=False)
    return load_member(session, case, member_id, include_left=True)


def members(
    session: Session, reference: str, *, on: date | None = None, include_left: bool = False
) -> list[Member]:
    """Members in joining order: those current on `on` (default: not yet left), or everyone."""
    case = load_case(session, reference, writable=False)
    rows = session.scalars(select(Member).where(col(Member.case_id) == case.id).order_by(col(Member.id)))
    if include_left:
        return list(rows)
    if on is None:
        return [m for m in rows if m.left_on is None]
    return [m for m in rows if m.active_on(on)]


#: Built once: every write checks its author with it. The member's addresses come in the same
#: query (the relationship would select them in a second one).
_BY_ADDRESS: Final = (
    select(Member)
    .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
    .where(
        col(Member.case_id) == bindparam("case"),
        col(MemberAddress.kind) == bindparam("kind"),
        col(MemberAddress.address) == bindparam("address"),
        col(MemberAddress.whose) == "member",
    )
    .order_by(col(Member.id))
    .options(joinedload(Member.addresses))  # type: ignore[arg-type]
)


def member_by_address(
    session: Session, reference: str, kind: str, address: str, *, on: date | None = None
) -> Member:
    """The current member of this case with that address on that channel kind (NotAMember if
    none)."""
    kind = check_kind(kind)
    if kind == EMAIL_KIND:
        for m in members(session, reference, on=on):
            if m.address(kind) == address:
                return m
            if m.email and m.email.lower() == address.lower():
                return m  # the email column is that kind's address (models.EMAIL_KIND)
        raise NotAMember(address, normalise_reference(reference))
    # A chat address: one indexed lookup (ix_member_address_kind_address) rather than loading
    # every member of the case. A member has at most one address per (whose, kind).
    case = load_case(session, reference, writable=False)
    found = session.scalars(_BY_ADDRESS, {"case": case.id, "kind": kind, "address": address}).unique()
    for m in found:
        if (m.left_on is None) if on is None else m.active_on(on):
            return m
    raise NotAMember(address, normalise_reference(reference))


def cases_for_address(session: Session, kind: str, address: str) -> list[CoreGroup]:
    """Active cases where this address is a current member (App Home, "my cases")."""
    kind = check_kind(kind)
    stmt = (
        select(CoreGroup)
        .join(Member, col(Member.case_id) == col(CoreGroup.id))
        .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
        .where(
            col(MemberAddress.kind) == kind,
            col(MemberAddress.address) == address,
            col(MemberAddress.whose) == "member",
            col(Member.left_on).is_(None),
            col(CoreGroup.status) == "active",
        )
        .order_by(col(CoreGroup.reference))
        .distinct()
    )
    return list(session.scalars(stmt))


def set_away(
    session: Session,
    reference: str,
    member_id: int,
    *,
    actor: str,
    now: datetime,
    away_from: date,
    away_until: date | None,
    cover_member_id: int | None = None,
) -> Member:
    """A member is away (leave, sickness) from..until, optionally with a colleague covering."""
    actor = check_actor(actor)
    today = london_today(now)
    check_date(away_from, "away_from")
    check_date(away_until, "away_until")
    if away_until is not None and away_until < away_from:
        raise InvalidValue(
            "away_until",
            f"{away_until} is before away_from ({away_from})",
            "away_from=date(2027, 2, 1), away_until=date(2027, 2, 12)",
        )
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=today)
    if cover_member_id is not None:
        if cover_member_id == member_id:
            raise InvalidValue(
                "cover_member_id",
                "a member cannot cover for themselves",
                "cover_member_id=<a colleague's member number>",
            )
        cover = load_member(session, case, cover_member_id, on=today)
        if cover.away_on(away_from):
            raise InvalidState(
                f"Member {cover.id} is away themselves on {away_from}.", "choose another colleague to cover"
            )
    before = snapshot_of(member, MEMBER_FIELDS)
    member.away_from, member.away_until = away_from, away_until
    member.cover_member_id = cover_member_id
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.away",
        entity="member",
        entity_id=member.id,
        before=before,
        after=snapshot_of(member, MEMBER_FIELDS),
    )
    return member


def clear_away(session: Session, reference: str, member_id: int, *, actor: str, now: datetime) -> Member:
    actor = check_actor(actor)
    today = london_today(now)
    case = load_case(session, reference)
    member = load_member(session, case, member_id, on=today)
    before = snapshot_of(member, MEMBER_FIELDS)
    member.away_from = member.away_until = member.cover_member_id = None
    session.flush()
    record_audit(
        session,
        case,
        actor=actor,
        now=now,
        action="member.back",
        entity="member",
        entity_id=member.id,
        before=before,
        after=snapshot_of(member, MEMBER_FIELDS),
    )
    return member


def cover_for(session: Session, reference: str, member_id: int, on: date) -> Member:
    """Who to contact instead of `member_id` on `on`: their cover if they are away, else them."""
    m = get_member(session, reference, member_id)
    if m.away_on(on) and m.cover_member_id is not None:
        cover = session.get(Member, m.cover_member_id)
        if cover is not None and cover.active_on(on):
            return cover
    return m


# --- language ----------------------------------------------------------------------------------

#: The languages a member may choose (`handlers.i18n.Lang`).
LANGUAGES: Final = ("en", "cy")


def set_language(
    session: Session, kind: str, address: str, language: str, *, actor: str, now: datetime
) -> list[Member]:
    """Set the language of every current membership of the person at (`kind`, `address`): a
    person reads one language, whatever the case. Audited once per case. Returns the members."""
    actor = check_actor(actor)
    kind = check_kind(kind)
    language = check_choice(language, "language", LANGUAGES)
    stmt = (
        select(Member)
        .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
        .where(
            col(MemberAddress.kind) == kind,
            col(MemberAddress.address) == address,
            col(MemberAddress.whose) == "member",
            col(Member.left_on).is_(None),
        )
        .order_by(col(Member.id))
    )
    if kind == EMAIL_KIND:  # the email column is that kind's address (the answer page's switch)
        stmt = (
            select(Member)
            .where(func.lower(col(Member.email)) == address.lower(), col(Member.left_on).is_(None))
            .order_by(col(Member.id))
        )
    changed = list(session.scalars(stmt))
    for member in changed:
        before = member.language
        if before == language:
            continue
        member.language = language
        session.flush()
        record_audit(
            session,
            session.get(CoreGroup, member.case_id),
            actor=actor,
            now=now,
            action="member.language_set",
            entity="member",
            entity_id=member.id,
            before={"language": before},
            after={"language": language},
        )
    return changed


def language_of_address(session: Session, kind: str, address: str) -> str | None:
    """The language the person at (`kind`, `address`) chose in any current membership, None if
    they never chose one. An email address (`EMAIL_KIND`) is the member's `email`."""
    kind = check_kind(kind)
    if kind == EMAIL_KIND:
        by_mail = (
            select(col(Member.language))
            .where(
                func.lower(col(Member.email)) == address.lower(),
                col(Member.language).is_not(None),
                col(Member.left_on).is_(None),
            )
            .order_by(col(Member.id).desc())
            .limit(1)
        )
        return session.scalars(by_mail).first()
    session.flush()  # a choice made in this transaction counts (the query below is Core)
    found = session.connection().execute(_LANGUAGE, {"kind": kind, "address": address}).scalar()
    return None if found is None else str(found)


#: Built once: every answer is written in its reader's language.
_LANGUAGE: Final = (
    select(col(Member.language))
    .join(MemberAddress, col(MemberAddress.member_id) == col(Member.id))
    .where(
        col(MemberAddress.kind) == bindparam("kind"),
        col(MemberAddress.address) == bindparam("address"),
        col(MemberAddress.whose) == "member",
        col(Member.language).is_not(None),
    )
    .order_by(col(Member.id).desc())
    .limit(1)
)
