"""Plan actions: `action add`, `action done N`, `actions`. Never a delete (Suffolk §2.3, §3.4).

Actions are numbered 1, 2, 3… in the order they were added to the case; because they are never
deleted the numbers never shift, so "action done 3" means the same thing next month.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.common import Context, chat_id, member_of, mention, not_before_start, resolve_case, short
from handlers.forms import action_form
from handlers.i18n import _, long_day, ngettext, verbatim
from handlers.parse import EXAMPLES, ActionDone, AddAction, CommandError, ListActions
from handlers.replies import Message, Outcome, only
from handlers.replies import mention as user_mention
from handlers.words import joined
from storage import repository as repo
from storage.errors import NotAMember
from storage.models import Member, PlanAction


def _numbered(s: Session, reference: str) -> list[PlanAction]:
    return sorted(repo.actions(s, reference), key=lambda a: a.id or 0)


def open_action_form(ctx: Context, reference: str | None) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, reference)
        member_of(s, ctx, case)
    return Outcome(form=action_form(case.reference), reference=case.reference)


def _owner(s: Session, ctx: Context, reference: str, cmd: AddAction, ex: str) -> Member | None:
    """The member who owns the action: by mention, by email or by name. Any current member may
    own one, family included (Suffolk §7.2 gives parents roles in the plan), and members reached
    by email too; someone outside the core group may not."""
    if cmd.owner:
        try:
            return repo.member_by_address(s, reference, ctx.actor.kind, cmd.owner, on=ctx.today)
        except NotAMember:
            raise CommandError(
                _(
                    "{who} isn't a member of {reference}'s core group; an action's owner must be.",
                    who=user_mention(cmd.owner),
                    reference=reference,
                ),
                ex,
            ) from None
    wanted = cmd.owner_email or cmd.owner_name
    if not wanted:
        return None
    people = repo.members(s, reference, on=ctx.today)
    if cmd.owner_email:
        found = [m for m in people if m.email and m.email.lower() == cmd.owner_email.lower()]
    else:
        found = [m for m in people if m.display_name.strip().lower() == wanted.strip().lower()]
    if len(found) == 1:
        return found[0]
    named = ", ".join(f'"{m.display_name}"' for m in people if not chat_id(m))
    values = {"wanted": wanted, "reference": reference, "named": named}
    if found and named:
        problem = _(
            "`{wanted}` is more than one member of {reference}'s core group: use their email; an action's "
            "owner must be one. Members by email: {named}.",
            **values,
        )
    elif found:
        problem = _(
            "`{wanted}` is more than one member of {reference}'s core group: use their email; an action's "
            "owner must be one.",
            **values,
        )
    elif named:
        problem = _(
            "`{wanted}` is not a member of {reference}'s core group; an action's owner must be one. Members "
            "by email: {named}.",
            **values,
        )
    else:
        problem = _(
            "`{wanted}` is not a member of {reference}'s core group; an action's owner must be one.", **values
        )
    raise CommandError(problem, ex)


def add_action(ctx: Context, cmd: AddAction) -> Outcome:
    ex = EXAMPLES["action"]
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        owner = _owner(s, ctx, case.reference, cmd, ex)
        if cmd.due is not None:
            not_before_start(cmd.due, case, ex, _("an action's due date"))
        action = repo.add_action(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            text=cmd.text,
            owner_member_id=owner.id if owner else None,
            due_on=cmd.due,
        )
        assert action.id is not None
        number = repo.action_number(s, case.reference, action.id)
    if owner and cmd.due:
        line = _(
            "“{text}” — owner {who}, due {day}", text=cmd.text, who=mention(owner), day=long_day(cmd.due)
        )
    elif owner:
        line = _("“{text}” — owner {who}", text=cmd.text, who=mention(owner))
    elif cmd.due:
        line = _("“{text}” — due {day}", text=cmd.text, day=long_day(cmd.due))
    else:
        line = verbatim(f"“{cmd.text}”")
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: plan action {number} added", reference=case.reference, number=number),
            (line,),
            context=(
                _(
                    "Mark it done with `/coregroup action done {number}`; actions are never deleted",
                    number=number,
                ),
            ),
        ),
        "channel",
    )
    return out


def action_done(ctx: Context, cmd: ActionDone) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        numbered = _numbered(s, case.reference)
        if not 1 <= cmd.number <= len(numbered):
            raise CommandError(
                ngettext(
                    "{reference} has {n} plan action; there is no number {number}.",
                    "{reference} has {n} plan actions; there is no number {number}.",
                    len(numbered),
                    reference=case.reference,
                    number=cmd.number,
                ),
                f"{EXAMPLES['actions']} (to see their numbers)",
            )
        action = numbered[cmd.number - 1]
        assert action.id is not None
        if action.status == "achieved":
            return only(
                Message(
                    _(
                        "{reference}: action {number} is already done.",
                        reference=case.reference,
                        number=cmd.number,
                    ),
                    (_("Nothing has changed."),),
                )
            )
        repo.achieve_action(s, case.reference, action.id, actor=ctx.actor.audit_id, now=ctx.now)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference}: plan action {number} done", reference=case.reference, number=cmd.number),
            (verbatim(f"“{action.text}”"),),
        ),
        "channel",
    )
    return out


def list_actions(ctx: Context, cmd: ListActions) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        numbered = _numbered(s, case.reference)
        people = {m.id: m for m in repo.members(s, case.reference, include_left=True)}
    lines = []
    for i, a in enumerate(numbered, start=1):
        owner = people.get(a.owner_member_id) if a.owner_member_id else None
        bits = [mention(owner)] if owner else []
        if a.due_on:
            late = a.status == "open" and a.due_on < ctx.today
            bits.append(
                _("**was due** {day}", day=short(a.due_on)) if late else _("due {day}", day=short(a.due_on))
            )
        state = _("done") if a.status == "achieved" else _("open")
        lines.append(
            _(
                "{number}. [{state}] {text} — {details}",
                number=i,
                state=state,
                text=a.text,
                details=joined(bits),
            )
            if bits
            else _("{number}. [{state}] {text}", number=i, state=state, text=a.text)
        )
    open_count = sum(1 for a in numbered if a.status == "open")
    return only(
        Message(
            ngettext(
                "{reference}: {n} open plan action of {total}",
                "{reference}: {n} open plan actions of {total}",
                open_count,
                reference=case.reference,
                total=len(numbered),
            ),
            tuple(lines) or (_("No actions yet."),),
            context=(_("Add one: `{example}`", example=EXAMPLES["action"]),),
        )
    )
