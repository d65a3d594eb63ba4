"""Starting, changing and closing a core group, and `help`.

`new` does the quick part (the record, the caller as lead social worker) inside the request and
leaves the slow part (the private channel, the pinned summary) to an effect run after the
acknowledgement, so the channel's acknowledgement never waits on channel creation.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session

from handlers.common import (
    Context,
    Rules,
    case_obligations,
    london_date,
    member_or_manager,
    mention,
    require_powers,
    resolve_case,
    rule_context,
    rule_title,
    rules_for,
    when,
)
from handlers.forms import close_form, new_case_form
from handlers.i18n import _, long_day, ngettext, verbatim
from handlers.parse import EXAMPLES, SLASH, SUMMARIES, ChangeCase, CloseCase, CommandError, Help
from handlers.parse import NewCase as NewCaseCmd
from handlers.replies import ArchiveChannel, Button, CreateChannel, Message, Outcome, only
from handlers.summary import case_summary
from handlers.words import meeting_label
from scheduling.profiles import ProfileError, load_profile, profile_names
from storage import repository as repo
from storage.errors import CaseClosed, StorageError
from storage.models import LEAD_SOCIAL_WORKER


def channel_name(prefix: str, reference: str) -> str:
    """A channel name every chat accepts (lowercase, no spaces or dots, ≤ 80) from prefix +
    reference."""
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{prefix}{reference}".lower()).strip("-")
    return name[:80]


def case_channel(ctx: Context, reference: str, kind: str) -> str | None:
    """The case's channel on that channel kind (None: no such case, or no channel there yet)."""
    known = ctx.read_channels.get((reference, kind))
    if known is not None:
        return known  # the channel the request came from (`handlers.common.resolve_case`)
    with ctx.read() as s:
        try:
            return repo.channel_of(s, reference, kind)
        except StorageError:
            return None


def link_channel(ctx: Context, reference: str, kind: str, channel_id: str) -> None:
    """Record the channel the adapter made (or linked) for the case, audited as the actor's."""
    ctx.read_channels.pop((reference, kind), None)
    with ctx.store.transaction() as s:
        repo.link_channel(
            s, reference, actor=ctx.actor.audit_id, now=ctx.now, kind=kind, channel_id=channel_id
        )


def _profile(name: str, example: str) -> Rules:
    from handlers.common import rules_for

    try:
        load_profile(name)
    except ProfileError:
        raise CommandError(
            _(
                "I don't know the profile `{name}`. Profiles: {names}.",
                name=name,
                names=", ".join(profile_names()),
            ),
            example,
        ) from None
    return rules_for(name)


def new_case(ctx: Context, cmd: NewCaseCmd) -> Outcome:
    if cmd.reference is None:
        return Outcome(form=new_case_form(profile_names()))
    ex = EXAMPLES["new"]
    assert cmd.profile and cmd.plan and cmd.start
    rules = _profile(cmd.profile, ex)
    if cmd.plan not in rules.profile.plans:
        raise CommandError(
            _(
                "The {profile} profile covers {plans} plans, not `{plan}`.",
                profile=rules.profile.title,
                plans=", ".join(rules.profile.plans),
                plan=cmd.plan,
            ),
            ex.replace("plan:cp", f"plan:{rules.profile.plans[0]}"),
        )
    if cmd.start > ctx.today:
        raise CommandError(_still_to_come(cmd.start), ex)
    person = ctx.directory.person(ctx.actor.user_id) if ctx.directory else None
    prefix = ctx.config.reference_prefix
    if cmd.reference and not re.fullmatch(rf"{re.escape(prefix)}-\d{{1,8}}", cmd.reference):
        with ctx.read() as s:
            free = repo.next_reference(s, prefix)
        raise CommandError(
            _(
                "`{reference}` isn't a case reference here: references are {prefix}- then digits, like "
                "{free}. A reference names the case's channel, so it must never carry a name. Leave it out "
                "and I'll give the case the next free one. Nothing has been set up.",
                reference=cmd.reference,
                prefix=prefix,
                free=free,
            ),
            f"{SLASH} new profile:{cmd.profile} plan:{cmd.plan} start:{cmd.start.isoformat()}",
        )
    with ctx.write() as s:
        case = repo.create_case(
            s,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            profile=cmd.profile,
            plan=cmd.plan,
            start=cmd.start,
            registered=cmd.start,
            reference=cmd.reference or None,
            prefix=prefix,
        )
        lead = repo.add_member(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            display_name=person.name if person else ctx.actor.user_id,
            role=LEAD_SOCIAL_WORKER,
            email=person.email if person else None,
            addresses={ctx.actor.kind: ctx.actor.user_id},
            joined_on=cmd.start if cmd.start <= ctx.today else ctx.today,
        )
        # Whoever starts a case is its lead and holds its powers, granted by themself (audited).
        assert lead.id is not None
        repo.grant_powers(s, case.reference, lead.id, actor=ctx.actor.audit_id, now=ctx.now)
        summary = case_summary(s, case, ctx, title=_("core group set up"))
    name = channel_name(ctx.config.channel_prefix, case.reference)
    out = Outcome(reference=case.reference)
    # Some channels' bots can't create a channel everywhere, so link the one `new` was typed in;
    # the others make the private channel.
    where = (
        _("I've linked the channel you typed this in and I'm posting the first deadlines there.")
        if not ctx.actor.channel.makes_channels
        else _("I'm creating the private channel #{name} and pinning the first deadlines there.", name=name)
    )
    out.say(
        Message(
            _("{reference} is set up and you are its lead social worker.", reference=case.reference),
            (where, _("Next: add the core group with `{example}`.", example=EXAMPLES["add"])),
        )
    )
    out.effects.append(CreateChannel(case.reference, name, (ctx.actor.user_id,), summary))
    return out


def change_case(ctx: Context, cmd: ChangeCase) -> Outcome:
    ex = EXAMPLES["change"]
    if cmd.start is not None and cmd.start > ctx.today:
        raise CommandError(_still_to_come(cmd.start), ex)
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_or_manager(s, ctx, case)
        what = _("change its profile") if cmd.profile else _("change its start date")
        require_powers(ctx, me, case, what)
        before_profile, before_start = case.profile, case.start
        rules = rules_for(case.profile)
        if cmd.profile:
            rules = _profile(cmd.profile, ex.replace("start:2027-01-04", "profile:suffolk"))
            if case.plan not in rules.profile.plans:
                raise CommandError(
                    _(
                        "The {profile} profile doesn't cover {plan} plans.",
                        profile=rules.profile.title,
                        plan=case.plan,
                    ),
                    f"{SLASH} change profile:shropshire",
                )
            case = repo.update_case(
                s, case.reference, actor=ctx.actor.audit_id, now=ctx.now, profile=cmd.profile
            )
            ctx.read_profiles.pop(case.reference, None)  # the answer follows the new profile
        if cmd.start is not None and cmd.start != case.start:
            # The storage layer re-reads the whole record as the engine does and refuses a
            # start after anything already recorded (a meeting, a visit, a review).
            case = repo.change_start(s, case.reference, cmd.start, actor=ctx.actor.audit_id, now=ctx.now)
        _rules, obs = case_obligations(s, case, ctx.today)
    nxt = next((o for o in obs if o.status != "met"), None)
    detail = []
    new_profile = bool(cmd.profile)
    new_start = cmd.start is not None and cmd.start != before_start
    if cmd.profile:
        detail.append(_("It followed {profile}.", profile=load_profile(before_profile).title))
    if new_start:
        detail.append(_("The start was {day}.", day=long_day(before_start)))
    if not new_profile and not new_start:
        return only(
            Message(
                _("{reference}: nothing to change.", reference=case.reference),
                (_("It already starts on {day}.", day=long_day(before_start)),),
            )
        )
    detail.append(_("Deadlines are recounted."))
    if nxt:
        detail.append(
            _(
                "Next: **{rule}** by {when}",
                rule=rule_title(nxt.rule),
                when=when(nxt.due, ctx.today, rules.calendar),
            )
        )
    if new_profile and new_start:
        headline = _(
            "{reference} now follows {profile} and now starts on {day}.",
            reference=case.reference,
            profile=rules.profile.title,
            day=long_day(case.start),
        )
    elif new_profile:
        headline = _(
            "{reference} now follows {profile}.", reference=case.reference, profile=rules.profile.title
        )
    else:
        headline = _("{reference} now starts on {day}.", reference=case.reference, day=long_day(case.start))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            headline,
            tuple(detail),
            context=(rule_context(nxt.rule, rules, case.plan),) if nxt else (),
        ),
        "channel",
    )
    return out


def close_case(ctx: Context, cmd: CloseCase) -> Outcome:
    """Closing ends the reminders and archives the channel, so it is never a slip: it asks why
    (kept on the record), names what is still open (plan actions, a concern, a booked meeting)
    and asks to confirm; the closing message goes to the channel before it is archived."""
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_or_manager(s, ctx, case)
        require_powers(ctx, me, case, _("close it"))
        if case.status == "closed":
            raise CaseClosed(case.reference)
        still_open = _still_open(s, ctx, case.reference)
    if cmd.reason is None or not cmd.reason.strip():
        return Outcome(form=close_form(case.reference, tuple(still_open)), reference=case.reference)
    reason = cmd.reason.strip()
    if still_open and not cmd.confirmed:
        again = f'close reason:"{reason.replace(chr(34), chr(39))}" confirm case:{case.reference}'
        return only(
            Message(
                ngettext(
                    "{reference} still has {n} thing open; nothing has been closed yet.",
                    "{reference} still has {n} things open; nothing has been closed yet.",
                    len(still_open),
                    reference=case.reference,
                ),
                (*still_open, _("Closing stops every reminder and archives the channel. Close anyway?")),
                (Button(_("Close anyway"), "cg.run", again, primary=True),),
                context=(_("Or finish them first, then `{example}`.", example=EXAMPLES["close"]),),
            )
        )
    with ctx.write() as s:
        case = repo.close_case(s, case.reference, actor=ctx.actor.audit_id, now=ctx.now, reason=reason)
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _("{reference} is closed: {reason}", reference=case.reference, reason=reason),
            (
                _(
                    "Its record is kept for the retention period and can be exported; no more reminders "
                    "will be sent. The channel is archived."
                ),
            ),
        ),
        "channel",
    )
    out.effects.append(ArchiveChannel(case.reference))
    return out


def _still_open(s: Session, ctx: Context, reference: str) -> list[str]:
    """What closing would leave undone, one line each, in the words people use."""
    lines = []
    people = {m.id: m for m in repo.members(s, reference, include_left=True)}
    for a in repo.actions(s, reference, status="open"):
        owner = people.get(a.owner_member_id) if a.owner_member_id else None
        values = {"number": a.id, "text": a.text}
        if owner and a.due_on:
            line = _(
                "Open plan action {number}: {text}, {who}, due {day}.",
                who=mention(owner),
                day=long_day(a.due_on),
                **values,
            )
        elif owner:
            line = _("Open plan action {number}: {text}, {who}.", who=mention(owner), **values)
        elif a.due_on:
            line = _("Open plan action {number}: {text}, due {day}.", day=long_day(a.due_on), **values)
        else:
            line = _("Open plan action {number}: {text}.", **values)
        lines.append(line)
    for e in repo.escalations(s, reference, open_only=True):
        lines.append(_("An open concern, raised {day}.", day=long_day(london_date(e.raised_at))))
    for m in repo.meetings(s, reference, status="scheduled"):
        if m.starts_at >= ctx.now:
            lines.append(
                _(
                    "A {meeting} booked for {day}; its invitation is not cancelled by closing.",
                    meeting=meeting_label(m.kind),
                    day=long_day(london_date(m.starts_at)),
                )
            )
    return lines


def help_text(ctx: Context, cmd: Help) -> Outcome:
    if cmd.topic and cmd.topic in EXAMPLES:
        summary = dict(SUMMARIES).get(cmd.topic, "")
        return only(
            Message(
                _("`{command}`: {summary}", command=SLASH + " " + cmd.topic, summary=summary),
                (verbatim(f"`{EXAMPLES[cmd.topic]}`"),),
            )
        )
    lines = tuple(_("`{name}` — {what}", name=name, what=what) for name, what in SUMMARIES)
    return only(
        Message(
            _("What I can do with `{slash}` (in a core group's channel the case is implied):", slash=SLASH),
            lines,
            context=(_("Example: `{example}`", example=EXAMPLES["meeting"]),),
        )
    )


def _still_to_come(day: date) -> str:
    return _(
        "`start:` is the date of the conference that started the plan; {day} is still to come.",
        day=long_day(day),
    )
