"""Who is in the core group: `add`, `remove`, `members`.

Membership is what access hangs on (only current members read or change a case), so adding is
idempotent (a retried or repeated `add` never makes a second member) and removing keeps the
person's history on the record with a leaving date.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from handlers.common import (
    Context,
    Refusal,
    chat_id,
    has_powers,
    is_family,
    may_use_powers,
    member_of,
    member_or_manager,
    mention,
    people_place,
    resolve_case,
    role_key,
    role_label,
)
from handlers.forms import add_member_form
from handlers.i18n import _, long_day, ngettext, verbatim
from handlers.invitations import members_changed
from handlers.language import ask_language
from handlers.parse import (
    EXAMPLES,
    AddMember,
    CommandError,
    GrantPowers,
    ListMembers,
    RemoveMember,
)
from handlers.replies import EmailInvitation, Invite, Kick, Message, Outcome, only
from handlers.replies import mention as user_mention
from handlers.words import joined, kind_label, kind_words
from scheduling.profiles import load_profile
from scheduling.roles import FAMILY_KINDS, MEMBER_KINDS, PROFESSIONAL, read_role
from storage import repository as repo
from storage.errors import NotAMember
from storage.models import LEAD_SOCIAL_WORKER, CoreGroup, Member


def _role_and_kind(cmd: AddMember, example: str) -> tuple[str, str]:
    """The stored role key and kind: the kind as given (`kind:family`), else read from the
    role's words (`scheduling/roles.py`). A role the vocabulary doesn't know, or a likely
    misspelling, is asked about: a wrong kind would miscount quorum or make a parent chair."""
    reading = read_role(cmd.role)
    if not reading.key:
        raise CommandError(_("The role is empty."), example)
    base = example.split(" role:")[0]
    if cmd.kind is not None:
        kind = role_key(cmd.kind)
        if kind not in MEMBER_KINDS:
            raise CommandError(
                _(
                    "`kind:{kind}` isn't a kind of member. Use one of: {kinds}.",
                    kind=cmd.kind,
                    kinds=_kinds(),
                ),
                f'{base} role:"{role_label(reading.key)}" kind:{reading.kind or PROFESSIONAL}',
            )
        clash = (reading.kind == PROFESSIONAL and kind in FAMILY_KINDS) or (
            reading.kind in FAMILY_KINDS and kind == PROFESSIONAL
        )
        if clash:
            raise CommandError(
                _(
                    "A {role} is {kind}, not {other}. Nothing has changed.",
                    role=verbatim(role_label(reading.key)),
                    kind=kind_label(reading.kind or ""),
                    other=kind_label(kind),
                ),
                f'{base} role:"{role_label(reading.key)}"',
            )
        return reading.key, kind
    if reading.kind is not None:
        return reading.key, reading.kind
    if reading.suggestion is not None:
        raise CommandError(
            _(
                'I don\'t know the role "{role}". Did you mean {suggestion}? Nothing has changed.',
                role=cmd.role,
                suggestion=reading.suggestion,
            ),
            f'{base} role:"{reading.suggestion}"',
        )
    raise CommandError(
        _(
            "I don't know the role \"{role}\", so I can't tell who they are in the core group. Add `kind:` "
            "with one of: {kinds}. Nothing has changed.",
            role=cmd.role,
            kinds=_kinds(),
        ),
        f'{base} role:"{cmd.role}" kind:professional',
    )


def _kinds() -> str:
    """ "`professional`: an agency's professional; `family`: …", in the reader's words."""
    return joined((_("`{kind}`: {words}", kind=k, words=kind_words(k)) for k in MEMBER_KINDS), "; ")


def add_member(ctx: Context, cmd: AddMember) -> Outcome:
    if not cmd.role and cmd.user is None and cmd.email is None:
        with ctx.read() as s:
            case = resolve_case(s, ctx, cmd.case)
            _may_add(case, member_of(s, ctx, case))
        return Outcome(form=add_member_form(case.reference, people_place(ctx)), reference=case.reference)
    role, kind = _role_and_kind(cmd, EXAMPLES["add_email"] if cmd.email else EXAMPLES["add"])
    person = None
    if cmd.user and ctx.directory is not None:
        person = ctx.directory.person(cmd.user)
        if person is None:
            raise CommandError(
                _(
                    "I can't find {who} in this {place}. Pick them from the list as you type @, or add "
                    "someone outside the {place} by email.",
                    who=user_mention(cmd.user),
                    place=people_place(ctx),
                ),
                EXAMPLES["add_email"],
            )
        if person.is_bot:
            raise CommandError(_("Bots can't be core group members."), EXAMPLES["add"])
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_or_manager(s, ctx, case)
        _may_add(case, me)
        entitled = may_use_powers(ctx, me)
        existing = _existing(s, case.reference, ctx, cmd)
        if existing is not None:
            return only(
                Message(
                    _(
                        "{reference}: {who} is already in the core group ({role}).",
                        reference=case.reference,
                        who=mention(existing),
                        role=role_label(existing.role),
                    ),
                    (_("Nothing has changed."),),
                )
            )
        if role == LEAD_SOCIAL_WORKER and any(
            m.role == LEAD_SOCIAL_WORKER for m in repo.members(s, case.reference, on=ctx.today)
        ):
            raise CommandError(
                _(
                    '{reference} already has a lead social worker; add a colleague as "social worker".',
                    reference=case.reference,
                ),
                f'{EXAMPLES["add"].split(" role:")[0]} role:"social worker" agency:"Children\'s services"',
            )
        if role == LEAD_SOCIAL_WORKER and not entitled:
            # The lead's role carries the powers, so naming one is a grant.
            raise Refusal(
                Message(
                    _(
                        "Only {reference}'s lead social worker or their manager can name a new "
                        "lead social worker.",
                        reference=case.reference,
                    ),
                    (
                        _(
                            "Nothing has changed. Ask the team manager, or add them as "
                            '"social worker" for now.'
                        ),
                    ),
                )
            )
        member = repo.add_member(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            display_name=(cmd.display_name or (person.name if person else None) or cmd.user or "member"),
            role=role,
            kind=kind,
            agency=cmd.agency,
            email=cmd.email or (person.email if person else None),
            addresses={ctx.actor.kind: cmd.user} if cmd.user else None,
            joined_on=ctx.today,
            language=cmd.language,
        )
        known_language = cmd.language or (
            repo.language_of_address(s, ctx.actor.kind, cmd.user) if cmd.user else None
        )
        ask = load_profile(case.profile).language.ask_new_members and not known_language
        powerful = role == LEAD_SOCIAL_WORKER or role in ctx.config.manager_roles
        if powerful and entitled and member.kind == "professional":
            assert member.id is not None
            member = repo.grant_powers(s, case.reference, member.id, actor=ctx.actor.audit_id, now=ctx.now)
        # Future meetings' invitations gain the new member (sent after the acknowledgement).
        syncs = members_changed(s, ctx, case.reference)
    out = Outcome(reference=case.reference)
    if powerful and not member.powers:
        out.say(
            Message(
                _(
                    "{reference}: {who} is in as {role}, without a manager's powers (closing the case, "
                    "changing it, removing others).",
                    reference=case.reference,
                    who=mention(member),
                    role=role_label(member.role),
                ),
                (
                    _(
                        "Only the lead social worker or a case manager can grant those. Ask the lead "
                        "social worker: `{example}`.",
                        example=EXAMPLES["grant"].replace("@someone", mention(member)),
                    ),
                ),
            )
        )
    said = {"reference": case.reference, "who": mention(member), "role": role_label(member.role)}
    out.say(
        Message(
            _("{reference}: {who} joined the core group as {role}, {agency}.", agency=member.agency, **said)
            if member.agency
            else _("{reference}: {who} joined the core group as {role}.", **said),
            () if chat_id(member) else _by_email(ctx, member),
        ),
        "channel",
    )
    if ask and chat_id(member):
        # The Welsh Language Standards: the choice is offered, not assumed.
        out.say(ask_language(case.reference), "user", user=chat_id(member))
    if chat_id(member):
        out.effects.append(Invite(case.reference, (chat_id(member) or "",)))
    else:
        assert member.id is not None
        out.effects.append(EmailInvitation(case.reference, member.id))
    out.effects.extend(syncs)
    return out


def _by_email(ctx: Context, member: Member) -> tuple[str, ...]:
    """What someone added by email will really receive: it depends on whether email is set up."""
    place = people_place(ctx)
    if not ctx.config.email:
        return (
            _(
                "Email is not set up: they will not hear from me; an administrator can set COREGROUP_SMTP_URL."  # noqa: E501
            ),
            _("Until then, someone in the {place} needs to pass on invitations and reminders.", place=place),
        )
    if is_family(member):
        return (
            _(
                "They are outside the {place}, so I will email them the meeting invitations and ask "
                "if they are coming, with a link to answer.",
                place=place,
            ),
        )
    return (
        _(
            "They are outside the {place}, so I will email them the meeting invitations, attendance "
            "asks, written-report requests and reminders for plan actions they own, each with a link "
            "to answer.",
            place=place,
        ),
    )


def _existing(s: Session, reference: str, ctx: Context, cmd: AddMember) -> Member | None:
    if cmd.user:
        try:
            return repo.member_by_address(s, reference, ctx.actor.kind, cmd.user, on=ctx.today)
        except NotAMember:
            return None
    for m in repo.members(s, reference, on=ctx.today):
        if cmd.email and m.email and m.email.lower() == cmd.email.lower():
            return m
    return None


def _may_add(case: CoreGroup, me: Member | None) -> None:
    """Family members are in the core group to take part, not to decide who else sees the
    child's record: only professionals (and deployment managers, `me` None) add people."""
    if me is not None and me.kind != PROFESSIONAL:
        raise Refusal(
            Message(
                _(
                    "Only the professionals in {reference}'s core group can add people.",
                    reference=case.reference,
                ),
                (_("Nothing has changed. If someone should join, ask the lead social worker."),),
            )
        )


def remove_member(ctx: Context, cmd: RemoveMember) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_or_manager(s, ctx, case)
        target = _target(s, case.reference, ctx, cmd.user)
        if (me is None or target.id != me.id) and not may_use_powers(ctx, me):
            raise Refusal(
                Message(
                    _(
                        "Only {reference}'s lead social worker can take someone else out of the core group.",
                        reference=case.reference,
                    ),
                    (_("Nothing has changed. You can remove yourself: `/coregroup remove @you`."),),
                )
            )
        assert target.id is not None
        repo.remove_member(s, case.reference, target.id, actor=ctx.actor.audit_id, now=ctx.now)
        syncs = members_changed(s, ctx, case.reference)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: {who} has left the core group.", reference=case.reference, who=mention(target)),
            (_("Their contributions stay on the record."),),
        ),
        "channel",
    )
    out.effects.append(Kick(case.reference, cmd.user))
    out.effects.extend(syncs)
    return out


def _target(s: Session, reference: str, ctx: Context, user: str) -> Member:
    try:
        return repo.member_by_address(s, reference, ctx.actor.kind, user, on=ctx.today)
    except NotAMember:
        raise CommandError(
            _(
                "{who} isn't a member of {reference}'s core group.",
                who=user_mention(user),
                reference=reference,
            ),
            f"{EXAMPLES['members']} (to see who is)",
        ) from None


def grant_powers(ctx: Context, cmd: GrantPowers) -> Outcome:
    """`grant @x` / `revoke @x`: only someone who holds the powers (or a deployment manager)
    passes them on; the grant is audited with its grantor (`member.powers_granted`)."""
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_or_manager(s, ctx, case)
        if not may_use_powers(ctx, me):
            raise Refusal(
                Message(
                    _(
                        "Only {reference}'s lead social worker or their manager can give or take back a "
                        "manager's powers.",
                        reference=case.reference,
                    ),
                    (_("Nothing has changed. Ask the lead social worker if this needs doing."),),
                )
            )
        target = _target(s, case.reference, ctx, cmd.user)
        assert target.id is not None
        if target.kind != PROFESSIONAL:
            raise CommandError(
                _("{who} is family; family members never hold a case's powers.", who=mention(target))
                if is_family(target)
                else _(
                    "{who} is {kind}; only professionals hold a case's powers.",
                    who=mention(target),
                    kind=kind_label(target.kind),
                ),
                f"{EXAMPLES['grant']} (a professional in the core group)",
            )
        if cmd.withdraw and me is not None and target.id == me.id:
            raise CommandError(
                _("You can't take back your own powers; ask another manager."), EXAMPLES["revoke"]
            )
        if has_powers(target) != cmd.withdraw:
            return only(
                Message(
                    _(
                        "{reference}: {who} has no manager powers.",
                        reference=case.reference,
                        who=mention(target),
                    )
                    if cmd.withdraw
                    else _(
                        "{reference}: {who} already has the manager powers.",
                        reference=case.reference,
                        who=mention(target),
                    ),
                    (_("Nothing has changed."),),
                )
            )
        change = repo.withdraw_powers if cmd.withdraw else repo.grant_powers
        change(s, case.reference, target.id, actor=ctx.actor.audit_id, now=ctx.now)
    out = Outcome(reference=case.reference)
    if cmd.withdraw:
        out.say(
            Message(
                _(
                    "{reference}: {who} no longer has the manager powers.",
                    reference=case.reference,
                    who=mention(target),
                ),
                (_("They stay in the core group."),),
            ),
            "channel",
        )
    else:
        out.say(
            Message(
                _(
                    "{reference}: {who} now has the manager powers.",
                    reference=case.reference,
                    who=mention(target),
                ),
                (
                    _(
                        "They can close the case, change its profile or start date, remove members and "
                        "grant these powers. `{example}` takes them back.",
                        example=EXAMPLES["revoke"].replace("@someone", mention(target)),
                    ),
                ),
            ),
            "channel",
        )
    return out


def list_members(ctx: Context, cmd: ListMembers) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        people = repo.members(s, case.reference, on=ctx.today)
    by_id = {m.id: m for m in people}
    order = {LEAD_SOCIAL_WORKER: 0}
    people.sort(key=lambda m: (order.get(m.role, 1), m.kind != "professional", m.id or 0))
    lines = []
    for m in people:
        agency = _(" — {agency}", agency=m.agency) if m.agency else ""
        where = "" if chat_id(m) else _(" (by email)")
        words = role_label(m.role)
        label = verbatim(words.upper() if len(words) <= 3 else words[:1].upper() + words[1:])
        if m.kind != PROFESSIONAL:
            label = _("{role} ({kind})", role=label, kind=kind_label(m.kind))
        lines.append(
            _(
                "**{role}**: {who}{agency}{where}{away}{powers}",
                role=label,
                who=mention(m),
                agency=agency,
                where=where,
                away=_away(m, by_id, ctx.today),
                powers=_powers(m, me, ctx),
            )
        )
    return only(
        Message(
            ngettext(
                "{reference}: {n} member in the core group",
                "{reference}: {n} members in the core group",
                len(people),
                reference=case.reference,
            ),
            tuple(lines),
            context=(_("Add someone: `{example}`", example=EXAMPLES["add"]),),
        )
    )


def _powers(m: Member, me: Member, ctx: Context) -> str:
    """Who holds the case's powers (everyone sees it); and, for those who can grant, a manager
    role that came without them (added by someone without the right, or before migration 0006)."""
    if has_powers(m):
        return "" if m.role == LEAD_SOCIAL_WORKER else _(" — manager powers")
    if (
        (m.role == LEAD_SOCIAL_WORKER or m.role in ctx.config.manager_roles)
        and not is_family(m)
        and may_use_powers(ctx, me)
    ):
        return _(
            " — no manager powers yet (`{example}`)",
            example=EXAMPLES["grant"].replace("@someone", mention(m)),
        )
    return ""


def _away(m: Member, by_id: dict[int | None, Member], today: date) -> str:
    """ ", away until Fri 12 Feb 2027 (cover <@U…>)" for someone away now or soon; else ""."""
    if m.away_from is None or (m.away_until is not None and m.away_until < today):
        return ""
    start = "" if m.away_from <= today else _(" from {day}", day=long_day(m.away_from))
    until = _(" until {day}", day=long_day(m.away_until)) if m.away_until else ""
    cover = by_id.get(m.cover_member_id) if m.cover_member_id else None
    if cover is not None:
        who = _("cover {who}", who=mention(cover))
    elif manager := m.manager_address():
        who = _("line manager {who} hears", who=user_mention(manager))
    else:
        who = _("no cover named: reminders go to the channel")
    return _(" — **away**{start}{until} ({who})", start=start, until=until, who=who)
