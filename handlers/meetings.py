"""Meetings: `meeting`, `review`, `held`, `minutes sent`, `cancel`, and the Wales `tier1`/`tier2`.

Booking checks the date against the rule that governs the next core group and, when it falls
outside the window, says which rule and clause and asks before booking (nothing is written until
the person confirms). Recording a meeting as held shows whether it was quorate under the case's
profile, and what is due next (the minutes).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from sqlmodel import Session

from handlers.common import (
    Context,
    Rules,
    at_london,
    case_obligations,
    happened_at,
    london_date,
    london_time,
    meeting_place,
    member_of,
    mention,
    not_before_start,
    resolve_case,
    rule_context,
    rule_title,
    rules_for,
    source_label,
    when,
)
from handlers.forms import held_form, meeting_form
from handlers.i18n import _, long_day, ngettext, short_day, verbatim
from handlers.invitations import family_ids, record_change
from handlers.parse import (
    EXAMPLES,
    CancelMeeting,
    CommandError,
    MinutesSent,
    RecordHeld,
    ScheduleMeeting,
    ScheduleReview,
    TierMeeting,
    to_text,
)
from handlers.replies import Button, Effect, Message, OfferSlots, Outcome, only
from handlers.replies import mention as user_mention
from handlers.status import RotaSlot, chair_choice, chair_for_next, chair_member
from handlers.words import about_words, meeting_label, nation_name
from scheduling.case import CORE_GROUP_KINDS
from scheduling.catalogue import BOOKING_RULES
from scheduling.engine import Obligation, after
from scheduling.wording import long_date
from storage import repository as repo
from storage.errors import NotAMember, UnknownRecord
from storage.models import REVIEW_CONFERENCE, SOCIAL_WORKER_ROLES, Meeting, Member

#: A meeting's length when the command gives none (the invitation needs an end).
DEFAULT_LENGTH = timedelta(hours=1)

HOLDABLE = (*sorted(CORE_GROUP_KINDS), "resolution_tier1", "resolution_tier2")
DEFAULT_TIME = time(10, 0)


def _future(ctx: Context, day: date, at: time, example: str) -> None:
    if at_london(day, at) <= ctx.now:
        raise CommandError(
            _(
                "{day} at {time} has already passed. To record a meeting that took place, use `{example}`.",
                day=long_day(day),
                time=at.strftime("%H:%M"),
                example=EXAMPLES["held"],
            ),
            example,
        )


def _family(s: Session, ctx: Context, reference: str, me: Member, cmd: ScheduleMeeting) -> list[int]:
    """Family members invited to the calendar invitation: only the lead social worker (or a
    social worker colleague) decides that, and only for people who are family members here."""
    if not cmd.family:
        return []
    if me.role not in SOCIAL_WORKER_ROLES:
        raise CommandError(
            _(
                "Only {reference}'s lead social worker can invite family members to a meeting. "
                "Nothing has been booked.",
                reference=reference,
            ),
            f"{EXAMPLES['meeting']} (without family:)",
        )
    try:
        return family_ids(s, reference, repo.members(s, reference, on=ctx.today), cmd.family)
    except ValueError as exc:
        raise CommandError(
            _(
                "`{value}` is not a family member of {reference}'s core group. Use `family:all`, or the "
                "family members' numbers from the booking form.",
                value=str(exc),
                reference=reference,
            ),
            f"{EXAMPLES['meeting']} family:all",
        ) from None


def schedule_meeting(ctx: Context, cmd: ScheduleMeeting) -> Outcome:
    ex = EXAMPLES["meeting"]
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        me = member_of(s, ctx, case)
        not_before_start(cmd.day, case, ex, _("a core group"))
        _future(ctx, cmd.day, cmd.at, ex)
        family = _family(s, ctx, case.reference, me, cmd)
        rules, obs = case_obligations(s, case, ctx.today)
        if cmd.move and _movable(s, case.reference, ctx) is None:
            raise CommandError(
                _(
                    "{reference} has no core group booked to move. Book one instead (without `move`).",
                    reference=case.reference,
                ),
                ex,
            )
    if not cmd.move:
        booked = _already_booked(ctx, cmd, case.reference, rules)
        if booked is not None:
            return only(booked)
    if not cmd.confirmed:
        warning = _window_warning(case.reference, case.plan, cmd, rules, obs, ctx)
        if warning is not None:
            return only(warning)
    if cmd.move:
        return _move_meeting(ctx, cmd, case.reference, family, rules)
    with ctx.write() as s:
        everyone = repo.members(s, case.reference, on=ctx.today)
        so_far = repo.meetings(s, case.reference)
        slot = chair_for_next(everyone, so_far, rules.profile)
        after_tier1 = rules.profile.chair.after_tier1 is not None and (
            chair_choice(rules.profile, so_far, None) == rules.profile.chair.after_tier1
        )
        chair_id = chair_member(s, ctx, case.reference, cmd.chair, rules.profile, "chair", after_tier1)
        minutes_id = chair_member(
            s, ctx, case.reference, cmd.minutes, rules.profile, "minute-taker", after_tier1
        )
        by_id = {m.id: m for m in everyone}
        if chair_id is not None:
            slot = RotaSlot(
                by_id.get(chair_id), None if slot.minutes and slot.minutes.id == chair_id else slot.minutes
            )
        if minutes_id is not None:
            if slot.chair is not None and slot.chair.id == minutes_id:
                raise CommandError(
                    _("One person can't both chair and take the minutes. Nothing has been booked."), ex
                )
            slot = RotaSlot(slot.chair, by_id.get(minutes_id))
        meeting = repo.schedule_meeting(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            starts_at=at_london(cmd.day, cmd.at),
            ends_at=at_london(cmd.day, cmd.at) + DEFAULT_LENGTH,
            venue=cmd.venue,
            online=cmd.online,
            chair_member_id=slot.chair.id if slot.chair else None,
            minute_taker_member_id=slot.minutes.id if slot.minutes else None,
        )
        sync = record_change(
            s,
            ctx,
            case.reference,
            meeting,
            "create",
            online=cmd.online,
            venue=cmd.venue,
            set_venue=True,
            family=family,
        )
    place = meeting_place(cmd.venue, cmd.online)
    at = {"day": long_day(cmd.day), "time": f"{cmd.at:%H:%M}"}
    lines = [
        _("**{day} at {time}**, {place}.", place=place, **at) if place else _("**{day} at {time}**.", **at)
    ]
    if slot.chair or slot.minutes:
        lines.append(
            _(
                "Chair: {chair}; minutes: {minutes} (from `/coregroup rota`).",
                chair=mention(slot.chair) if slot.chair else _("to agree"),
                minutes=mention(slot.minutes) if slot.minutes else _("to agree"),
            )
        )
    lines.append(_("If you can't come, send apologies and a written report before the meeting."))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: core group booked for {when}",
                reference=case.reference,
                when=when(cmd.day, ctx.today, rules.calendar),
            ),
            tuple(lines),
            (
                Button(_("Sending apologies"), "cg.run", f"{case.reference} apologies {cmd.day}"),
                Button(_("Write my report"), "cg.run", f"{case.reference} report {cmd.day}"),
            ),
            (rule_context("written_report", rules, case.plan),)
            if "written_report" in rules.profile.rules
            else (),
        ),
        "channel",
    )
    _effect(out, sync)
    return out


def _effect(out: Outcome, effect: Effect | None) -> None:
    if effect is not None:
        out.effects.append(effect)


def _movable(s: Session, reference: str, ctx: Context) -> Meeting | None:
    return repo.next_meeting(s, reference, now=ctx.now, kinds=sorted(CORE_GROUP_KINDS))


def _move_meeting(
    ctx: Context, cmd: ScheduleMeeting, reference: str, family: list[int], rules: Rules
) -> Outcome:
    """`meeting … move`: the next booked core group gets the new date (and venue, if given);
    its calendar invitation is updated in place (same event, higher SEQUENCE)."""
    starts = at_london(cmd.day, cmd.at)
    with ctx.write() as s:
        meeting = _movable(s, reference, ctx)
        if meeting is None:
            raise CommandError(
                _("{reference} has no core group booked to move.", reference=reference), EXAMPLES["meeting"]
            )
        was = meeting.starts_at
        length = (meeting.ends_at - meeting.starts_at) if meeting.ends_at else DEFAULT_LENGTH
        meeting = repo.reschedule_meeting(
            s,
            reference,
            _id(meeting),
            actor=ctx.actor.audit_id,
            now=ctx.now,
            starts_at=starts,
            ends_at=starts + length,
        )
        if cmd.venue is not None or cmd.online:
            meeting = repo.update_meeting(
                s,
                reference,
                _id(meeting),
                actor=ctx.actor.audit_id,
                now=ctx.now,
                venue=cmd.venue if cmd.venue is not None else repo.UNSET,
                online=True if cmd.online else repo.UNSET,
            )
        sync = record_change(
            s,
            ctx,
            reference,
            meeting,
            "update",
            online=True if cmd.online else None,
            venue=cmd.venue,
            set_venue=cmd.venue is not None,
            family=family or None,
        )
    old_day = london_date(was)
    moved = {
        "old": long_day(old_day),
        "old_time": london_time(was),
        "day": long_day(cmd.day),
        "time": f"{cmd.at:%H:%M}",
    }
    out = Outcome(reference=reference)
    out.say(
        Message(
            _(
                "{reference}: core group moved to {when}",
                reference=reference,
                when=when(cmd.day, ctx.today, rules.calendar),
            ),
            (
                _(
                    "It was {old} at {old_time}; it is now **{day} at {time}**, {place}.",
                    place=place,
                    **moved,
                )
                if (place := meeting_place(meeting.venue, meeting.online))
                else _("It was {old} at {old_time}; it is now **{day} at {time}**.", **moved),
                _("Everyone invited gets the updated invitation."),
            ),
        ),
        "channel",
    )
    _effect(out, sync)
    return out


def _already_booked(ctx: Context, cmd: ScheduleMeeting, reference: str, rules: Rules) -> Message | None:
    """One meeting per slot, one next core group at a time: the same slot again changes nothing
    (no second meeting, no second invitation); another date offers to move the booked one."""
    with ctx.read() as s:
        booked = _movable(s, reference, ctx)
    if booked is None:
        return None
    day, at = london_date(booked.starts_at), london_time(booked.starts_at)
    if booked.starts_at != at_london(cmd.day, cmd.at) and cmd.another:
        return None
    if booked.starts_at == at_london(cmd.day, cmd.at):
        return Message(
            _(
                "{reference}: the {meeting} on {day} at {time} is already booked",
                reference=reference,
                meeting=meeting_label(booked.kind),
                day=long_day(day),
                time=at,
            ),
            (_("Nothing has changed, and no second invitation has gone out."),),
        )
    moved = replace(cmd, move=True, case=reference)
    return Message(
        _(
            "{reference}: a {meeting} is already booked for {when}",
            reference=reference,
            meeting=meeting_label(booked.kind),
            when=when(day, ctx.today, rules.calendar),
        ),
        (
            _(
                "A core group has one next meeting at a time. Move the one on {old} at {old_time} "
                "to **{day} at {time}**, book both, or keep it.",
                old=long_day(day),
                old_time=at,
                day=long_day(cmd.day),
                time=cmd.at.strftime("%H:%M"),
            ),
            _("Moving it sends everyone the updated invitation."),
        ),
        (
            Button(_("Move it to {day}", day=short_day(cmd.day)), "cg.run", to_text(moved), primary=True),
            Button(_("Book both"), "cg.run", to_text(replace(cmd, another=True, case=reference))),
            Button(_("Keep {day}", day=short_day(day)), "cg.dismiss", ""),
        ),
    )


def time_problems(day: date, at: time, rules: Rules) -> list[str]:
    """What is wrong with a meeting's date and time as such: a day that is not a working day of
    the case's nation (a weekend, a bank holiday, a local closure), or a time outside the
    profile's working hours. Each problem named, for the confirmation that asks about it."""
    out: list[str] = []
    cal = rules.calendar
    if not cal.is_working_day(day):
        name = cal.holiday_names.get(day)
        values = {"day": long_day(day), "nation": nation_name(rules.profile.nation)}
        if name == "local closure day":
            out.append(_("{day} is a local closure day: not a working day in {nation}.", **values))
        elif name:
            out.append(
                _("{day} is {name}, a bank holiday: not a working day in {nation}.", name=name, **values)
            )
        elif day.weekday() == 5:
            out.append(_("{day} is a Saturday: not a working day in {nation}.", **values))
        elif day.weekday() == 6:
            out.append(_("{day} is a Sunday: not a working day in {nation}.", **values))
        else:
            out.append(_("{day} is not a working day in {nation}.", **values))
    hours = rules.profile.working_hours
    if at < hours.start or at >= hours.end:
        out.append(
            _(
                "{time} is outside working hours ({start}–{end}).",
                time=at.strftime("%H:%M"),
                start=hours.start.strftime("%H:%M"),
                end=hours.end.strftime("%H:%M"),
            )
        )
    return out


def confirm_time(preview: str, problems: list[str], confirmed: str, context: tuple[str, ...] = ()) -> Message:
    """The question asked before booking a meeting at an unusual time or outside its window:
    it names every problem, and "Book it anyway" books exactly what was asked."""
    return Message(
        preview,
        (*problems, _("Book it anyway (and record why in the minutes), or pick another date.")),
        (
            Button(_("Book it anyway"), "cg.run", confirmed),
            Button(_("Pick another date"), "cg.dismiss", ""),
        ),
        context,
    )


def _unusual(reference: str, what: str, day: date, at: time) -> str:
    """`what` is a catalogue phrase ("a core group", "a Tier 1 meeting")."""
    return _(
        "{reference}: {day} at {time} is not a working time for {what}",
        reference=reference,
        day=long_day(day),
        time=at.strftime("%H:%M"),
        what=what,
    )


def _window_warning(
    reference: str, plan: str, cmd: ScheduleMeeting, rules: Rules, obs: list[Obligation], ctx: Context
) -> Message | None:
    """A question (with buttons) when the date is not a working day, the time is outside working
    hours, or the date is outside the governing rule's window."""
    times = time_problems(cmd.day, cmd.at, rules)
    confirmed = replace(cmd, confirmed=True, case=reference)
    pending = [o for o in obs if o.rule in BOOKING_RULES and o.status != "met"]
    if not pending:
        if times:
            return confirm_time(
                _unusual(reference, _("a core group"), cmd.day, cmd.at), times, to_text(confirmed)
            )
        return None
    o = min(pending, key=lambda o: o.due)
    spec_rule = rules.profile.rules[o.rule]
    spec = spec_rule.for_plan(plan) or spec_rule.spec
    problem = None
    source = {"source": source_label(spec.source, rules.profile), "about": about_words(o.about)}
    if cmd.day > o.due:
        late = rules.calendar.working_days_between(o.due, cmd.day)
        values = {"day": long_day(cmd.day), "due": long_day(o.due), **source}
        if o.limit and cmd.day <= o.limit:
            problem = ngettext(
                "{day} is {n} working day after the latest date, **{due}** (the outer limit is {limit}), "
                "under {source} ({about}).",
                "{day} is {n} working days after the latest date, **{due}** (the outer limit is {limit}), "
                "under {source} ({about}).",
                late,
                limit=long_day(o.limit),
                **values,
            )
        else:
            problem = ngettext(
                "{day} is {n} working day after the latest date, **{due}**, under {source} ({about}).",
                "{day} is {n} working days after the latest date, **{due}**, under {source} ({about}).",
                late,
                **values,
            )
    elif o.earliest and cmd.day < o.earliest:
        problem = _(
            "{day} is before the earliest date, {earliest}, under {source} ({about}).",
            day=long_day(cmd.day),
            earliest=long_day(o.earliest),
            **source,
        )
    if problem is None:
        if times:
            return confirm_time(
                _unusual(reference, _("a core group"), cmd.day, cmd.at), times, to_text(confirmed)
            )
        return None
    return Message(
        _(
            "{reference}: {rule:lower} — {day} is outside the window",
            reference=reference,
            rule=rule_title(o.rule),
            day=long_day(cmd.day),
        ),
        (
            problem,
            *times,
            _("Book it anyway (and record why in the minutes), or pick another date."),
        ),
        (
            Button(_("Book it anyway"), "cg.run", to_text(confirmed)),
            Button(_("Pick another date"), "cg.dismiss", ""),
        ),
        (rule_context(o.rule, rules, plan, interpretation=o.interpretation),),
    )


def open_meeting_form(ctx: Context, reference: str | None) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, reference)
        me = member_of(s, ctx, case)
        family = [
            (m.id, _label(m))
            for m in repo.members(s, case.reference, on=ctx.today)
            if m.kind == "family" and m.email and m.id is not None
        ]
    # Only the lead social worker decides whether family members get the invitation.
    offer = family if me.role in SOCIAL_WORKER_ROLES else []
    return Outcome(form=meeting_form(case.reference, offer), reference=case.reference)


def schedule_review(ctx: Context, cmd: ScheduleReview) -> Outcome:
    ex = EXAMPLES["review"]
    at = cmd.at or DEFAULT_TIME
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        if cmd.day <= case.start:
            raise CommandError(
                _(
                    "A review conference follows the conference that started the plan ({start}); "
                    "{day} is not after it.",
                    start=long_day(case.start),
                    day=long_day(cmd.day),
                ),
                ex,
            )
        rules, before = case_obligations(s, case, ctx.today)
        due = next((o for o in before if o.rule == "review_conference"), None)
        record = repo.schedule_meeting if at_london(cmd.day, at) > ctx.now else repo.record_held_meeting
        review = record(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            starts_at=at_london(cmd.day, at),
            kind=REVIEW_CONFERENCE,
        )
        sync = (
            record_change(s, ctx, case.reference, review, "create") if review.status == "scheduled" else None
        )
        after_obs = case_obligations(s, case, ctx.today)[1]
    lines = [_("Review conference on **{when}**.", when=when(cmd.day, ctx.today, rules.calendar))]
    context = []
    if due is not None:
        context.append(rule_context("review_conference", rules, case.plan))
        if cmd.day > due.due:
            lines.append(_("That is after the latest date the rule allows, {day}.", day=long_day(due.due)))
    window = next((o for o in after_obs if o.rule == "final_core_group_window" and o.status != "met"), None)
    if window is not None:
        lines.append(
            _(
                "The last core group before it should be held between {start} and {end}.",
                start=long_day(window.earliest),
                end=long_day(window.due),
            )
            if window.earliest
            else _("The last core group before it should be held by {day}.", day=long_day(window.due))
        )
        context.append(rule_context(window.rule, rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: review conference set for {day}",
                reference=case.reference,
                day=long_day(cmd.day),
            ),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    _effect(out, sync)
    return out


def _find_scheduled(s: Session, reference: str, day: date | None, today: date) -> Meeting | None:
    scheduled = [m for m in repo.meetings(s, reference, status="scheduled") if m.kind in HOLDABLE]
    if day is not None:
        same = [m for m in scheduled if london_date(m.starts_at) == day]
        return same[0] if same else None
    past = [m for m in scheduled if london_date(m.starts_at) <= today]
    return max(past, key=lambda m: m.starts_at) if past else None


def _member_ids(s: Session, reference: str, ctx: Context, who: tuple[str, ...]) -> list[int]:
    ids: list[int] = []
    for w in who:
        if w.startswith("m:"):
            mid = int(w[2:])
            try:
                repo.get_member(s, reference, mid)
            except (UnknownRecord, NotAMember):
                raise CommandError(
                    _("Member {number} isn't in {reference}'s core group.", number=mid, reference=reference),
                    EXAMPLES["held"],
                ) from None
            ids.append(mid)
            continue
        try:
            m = repo.member_by_address(s, reference, ctx.actor.kind, w, on=ctx.today)
        except NotAMember:
            raise CommandError(
                _(
                    "{who} isn't a member of {reference}'s core group.",
                    who=user_mention(w),
                    reference=reference,
                ),
                f"{EXAMPLES['held']} attended:@someone,@someone-else apologies:@another",
            ) from None
        assert m.id is not None
        ids.append(m.id)
    return ids


def record_held(ctx: Context, cmd: RecordHeld) -> Outcome:
    ex = EXAMPLES["held"]
    if cmd.day is not None and cmd.day > ctx.today:
        raise CommandError(
            _(
                "{day} hasn't happened yet: record a meeting as held on or after the day.",
                day=long_day(cmd.day),
            ),
            ex,
        )
    if cmd.attended is None:
        return _held_form(ctx, cmd)
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        if cmd.day is not None:
            not_before_start(cmd.day, case, ex, _("a core group"))
        if cmd.meeting_id is not None:
            meeting: Meeting | None = repo.get_meeting(s, case.reference, cmd.meeting_id)
        else:
            meeting = _find_scheduled(s, case.reference, cmd.day, ctx.today)
        attended = _member_ids(s, case.reference, ctx, cmd.attended)
        apologies = _member_ids(s, case.reference, ctx, cmd.apologies)
        both = set(attended) & set(apologies)
        if both:
            raise CommandError(_("Someone can't both attend and send apologies."), ex)
        if meeting is None:
            if cmd.day is None:
                raise CommandError(_("No meeting was booked on or before today: give the date."), ex)
            meeting = repo.record_held_meeting(
                s,
                case.reference,
                actor=ctx.actor.audit_id,
                now=ctx.now,
                starts_at=happened_at(cmd.day, DEFAULT_TIME, ctx.now),
            )
        elif meeting.status != "held":
            meeting = repo.hold_meeting(
                s, case.reference, _id(meeting), actor=ctx.actor.audit_id, now=ctx.now
            )
        repo.record_attendance(
            s,
            case.reference,
            _id(meeting),
            actor=ctx.actor.audit_id,
            now=ctx.now,
            attended=attended,
            apologies=apologies,
        )
        people = {m.id: m for m in repo.members(s, case.reference, include_left=True)}
        rules, obs = case_obligations(s, case, ctx.today)
    day = london_date(meeting.starts_at)
    present = [people[i] for i in attended if i in people]
    lines = [
        _("Attended: {present}; apologies: {apologies}.", present=len(present), apologies=len(apologies))
    ]
    context = []
    quorum_line, quorum_ctx = _quorum(present, rules, case.plan)
    if quorum_line:
        lines.append(quorum_line)
        context.append(quorum_ctx)
    sw_there = any(m.role in SOCIAL_WORKER_ROLES for m in present)
    if not sw_there and "chair_update_to_lead_sw" in rules.profile.rules:
        spec = rules.profile.rules["chair_update_to_lead_sw"].spec
        assert spec.period is not None
        lines.append(
            _(
                "The social worker wasn't there: the chair updates the lead social worker by {day}.",
                day=long_day(after(rules.calendar, day, spec.period)),
            )
        )
        context.append(rule_context("chair_update_to_lead_sw", rules, case.plan))
    minutes = [
        o for o in obs if o.rule == "minutes_circulated" and o.status != "met" and day.isoformat() in o.about
    ]
    if minutes:
        due_text = when(minutes[0].due, ctx.today, rules.calendar)
        lines.append(_("Minutes go to every member by **{when}**.", when=due_text))
        context.append(
            rule_context("minutes_circulated", rules, case.plan, interpretation=minutes[0].interpretation)
        )
    window = _next_window(obs, rules, ctx.today)
    if window is not None:
        lines.append(
            _(
                "Next core group by {when}: I'll suggest times below, so you can book it before you leave.",
                when=when(window[1], ctx.today, rules.calendar),
            )
        )
    out = Outcome(reference=case.reference)
    if window is not None:
        # The slot lookup reads calendars (Graph free/busy), so it runs after the ack.
        out.effects.append(
            OfferSlots(case.reference, window[1], "core_group", _plain_venue(meeting.venue), window[0])
        )
    out.say(
        Message(
            _(
                "{reference}: {meeting} on {day} recorded as held",
                reference=case.reference,
                meeting=meeting_label(meeting.kind),
                day=long_day(day),
            ),
            tuple(lines),
            (Button(_("Mark minutes sent"), "cg.run", f"minutes sent case:{case.reference}", primary=True),)
            if minutes
            else (),
            tuple(context),
        ),
        "channel",
    )
    return out


#: Slots offered after a meeting fall in the last this-many working days before the deadline.
SLOT_SPAN = 10


def _next_window(obs: list[Obligation], rules: Rules, today: date) -> tuple[date, date] | None:
    """(first day, last day) the next core group should fall in: by the soonest deadline (the 6
    weeks, the first core group, a Tier deadline); inside the final core group's window before a
    booked review (Suffolk §3.6) when that window opens by then, so the meeting counts as the
    final one; else in the deadline's last two working weeks — never simply the next few days."""
    pending = [o for o in obs if o.rule in BOOKING_RULES and o.status != "met"]
    final = [o for o in obs if o.rule == "final_core_group_window" and o.status != "met"]
    if not pending and not final:
        return None
    deadline = min(o.due for o in pending + final)
    opens = final[0].earliest if final else None
    if opens is not None and opens <= deadline:
        start = opens
        deadline = min(deadline, final[0].due)
    else:
        start = rules.calendar.subtract_working_days(deadline, SLOT_SPAN)
    return max(start, today + timedelta(days=1)), deadline


def _plain_venue(venue: str | None) -> str | None:
    """The venue as typed, without the "(and online)" the booking adds for display."""
    if not venue or venue == "Online":
        return None
    return venue.removesuffix(" (and online)")


def _id(meeting: Meeting) -> int:
    assert meeting.id is not None
    return meeting.id


def _quorum(present: list[Member], rules: Rules, plan: str) -> tuple[str | None, str]:
    rule = rules.profile.rules.get("quorum")
    spec = rule.for_plan(plan) if rule else None
    if spec is None:
        return None, ""
    pros = sum(1 for m in present if m.kind == "professional")
    lead = any(m.role in SOCIAL_WORKER_ROLES for m in present)
    needed = spec.min_professionals
    enough = needed is None or pros >= needed
    line = _quorum_line(pros, needed, enough, lead if spec.lead_sw_required else None)
    if line is None:
        return None, ""
    return line, rule_context("quorum", rules, plan)


def _quorum_line(pros: int, needed: int | None, enough: bool, lead: bool | None) -> str | None:
    """Whether the meeting was quorate, and why, as one whole sentence for each case (a
    translator sees the yes and the no, and each reason, together). `lead` is None when the
    profile does not require the lead social worker."""
    if needed is not None and lead is None:
        if enough:
            return ngettext(
                "Quorate: **yes** — {n} professional member attended; at least {needed} needed.",
                "Quorate: **yes** — {n} professional members attended; at least {needed} needed.",
                pros,
                needed=needed,
            )
        return ngettext(
            "Quorate: **no** — {n} professional member attended; at least {needed} needed.",
            "Quorate: **no** — {n} professional members attended; at least {needed} needed.",
            pros,
            needed=needed,
        )
    if needed is None and lead is not None:
        if lead:
            return _("Quorate: **yes** — the lead social worker or a representative attended.")
        return _("Quorate: **no** — the lead social worker or a representative did not attend.")
    if needed is not None and lead is not None:
        if not lead:
            return ngettext(
                "Quorate: **no** — {n} professional member attended; at least {needed} needed; "
                "the lead social worker or a representative did not attend.",
                "Quorate: **no** — {n} professional members attended; at least {needed} needed; "
                "the lead social worker or a representative did not attend.",
                pros,
                needed=needed,
            )
        if enough:
            return ngettext(
                "Quorate: **yes** — {n} professional member attended; at least {needed} needed; "
                "the lead social worker or a representative attended.",
                "Quorate: **yes** — {n} professional members attended; at least {needed} needed; "
                "the lead social worker or a representative attended.",
                pros,
                needed=needed,
            )
        return ngettext(
            "Quorate: **no** — {n} professional member attended; at least {needed} needed; "
            "the lead social worker or a representative attended.",
            "Quorate: **no** — {n} professional members attended; at least {needed} needed; "
            "the lead social worker or a representative attended.",
            pros,
            needed=needed,
        )
    return None


def _held_form(ctx: Context, cmd: RecordHeld) -> Outcome:
    with ctx.read() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        if cmd.day is not None:
            not_before_start(cmd.day, case, EXAMPLES["held"], _("a core group"))
        meeting = _find_scheduled(s, case.reference, cmd.day, ctx.today)
        people = repo.members(s, case.reference, on=ctx.today)
    if meeting is None:
        if cmd.day is None:
            raise CommandError(
                _("No meeting was booked on or before today: give the date it was held."), EXAMPLES["held"]
            )
        mid, day = 0, cmd.day
    else:
        mid, day = _id(meeting), london_date(meeting.starts_at)
    options = [(m.id, _label(m)) for m in people if m.id is not None]
    return Outcome(form=held_form(case.reference, mid, day, options), reference=case.reference)


def _label(m: Member) -> str:
    """A member as the forms list them: the name and the role as typed (data, in any language)."""
    role = m.role.replace("_", " ")
    return verbatim(f"{m.display_name} ({role})")


def minutes_sent(ctx: Context, cmd: MinutesSent) -> Outcome:
    ex = EXAMPLES["minutes"]
    day = cmd.day or ctx.today
    if day > ctx.today:
        raise CommandError(_("{day} is still to come: record the minutes once sent.", day=long_day(day)), ex)
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        not_before_start(day, case, ex, _("the minutes"))
        held = [
            m
            for m in repo.meetings(s, case.reference, status="held")
            if m.kind in HOLDABLE and m.minutes_circulated_at is None and london_date(m.starts_at) <= day
        ]
        if not held:
            raise CommandError(
                _(
                    "{reference} has no meeting held on or before {day} still waiting for its minutes.",
                    reference=case.reference,
                    day=long_day(day),
                ),
                f"{EXAMPLES['held']} (record the meeting first)",
            )
        meeting = max(held, key=lambda m: m.starts_at)
        repo.mark_minutes_circulated(
            s,
            case.reference,
            _id(meeting),
            actor=ctx.actor.audit_id,
            now=ctx.now,
            at=happened_at(day, time(12, 0), ctx.now) if cmd.day else ctx.now,
        )
    rules = rules_for(case.profile)
    mday = london_date(meeting.starts_at)
    lines = []
    context = []
    rule = rules.profile.rules.get("minutes_circulated")
    spec = rule.for_plan(case.plan) if rule else None
    if spec is not None and spec.period is not None:
        due = after(rules.calendar, mday, spec.period)
        if day <= due:
            lines.append(_("On time: they were due by {day}.", day=long_day(due)))
        else:
            late = rules.calendar.working_days_between(due, day)
            lines.append(
                ngettext(
                    "{n} working day after the due date, {day}.",
                    "{n} working days after the due date, {day}.",
                    late,
                    day=long_day(due),
                )
            )
        context.append(rule_context("minutes_circulated", rules, case.plan))
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: minutes of the {meeting} on {mday} sent {day}",
                reference=case.reference,
                meeting=meeting_label(meeting.kind),
                mday=long_day(mday),
                day=long_day(day),
            ),
            tuple(lines),
            context=tuple(context),
        ),
        "channel",
    )
    return out


def cancel_meeting(ctx: Context, cmd: CancelMeeting) -> Outcome:
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        meeting = repo.next_meeting(s, case.reference, now=ctx.now)
        if meeting is None:
            raise CommandError(
                _("{reference} has no meeting booked to cancel.", reference=case.reference),
                EXAMPLES["status"],
            )
        meeting = repo.cancel_meeting(s, case.reference, _id(meeting), actor=ctx.actor.audit_id, now=ctx.now)
        rules, obs = case_obligations(s, case, ctx.today)
        sync = record_change(
            s,
            ctx,
            case.reference,
            meeting,
            "cancel",
            message=f"cancelled in the core group's channel on {long_date(ctx.today)}; a new "
            "date will follow",
        )
    day = london_date(meeting.starts_at)
    lines = []
    nxt = next((o for o in obs if o.rule in BOOKING_RULES and o.status != "met"), None)
    if nxt is not None:
        lines.append(
            _(
                "The next core group is still due by **{when}**.",
                when=when(nxt.due, ctx.today, rules.calendar),
            )
        )
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: the {meeting} on {day} at {time} is cancelled",
                reference=case.reference,
                meeting=meeting_label(meeting.kind),
                day=long_day(day),
                time=london_time(meeting.starts_at),
            ),
            tuple(lines),
            (Button(_("Book another date"), "cg.run", f"meeting case:{case.reference}", primary=True),)
            if nxt
            else (),
            (rule_context(nxt.rule, rules, case.plan),) if nxt else (),
        ),
        "channel",
    )
    _effect(out, sync)
    return out


def _tier_warning(
    s: Session, ctx: Context, reference: str, plan: str, cmd: TierMeeting, at: time, rules: Rules
) -> Message | None:
    """Booking a Tier meeting on a non-working day, out of hours or after its deadline asks first."""
    problems = time_problems(cmd.day, at, rules)
    rule = f"resolution_tier{cmd.tier}_meeting"
    _rules, obs = case_obligations(s, repo.get_case(s, reference), ctx.today)
    due = next((o for o in obs if o.rule == rule and o.status != "met"), None)
    context: tuple[str, ...] = ()
    if due is not None and cmd.day > due.due:
        late = rules.calendar.working_days_between(due.due, cmd.day)
        problems.insert(
            0,
            ngettext(
                "{day} is {n} working day after the Tier {tier} deadline, **{due}**.",
                "{day} is {n} working days after the Tier {tier} deadline, **{due}**.",
                late,
                day=long_day(cmd.day),
                tier=cmd.tier,
                due=long_day(due.due),
            ),
        )
        context = (rule_context(rule, rules, plan, interpretation=due.interpretation),)
    if not problems:
        return None
    confirmed = replace(cmd, confirmed=True, case=reference)
    preview = (
        _(
            "{reference}: a Tier {tier} meeting on {day} would be after its deadline",
            reference=reference,
            tier=cmd.tier,
            day=long_day(cmd.day),
        )
        if context
        else _unusual(reference, _("a Tier {tier} meeting", tier=cmd.tier), cmd.day, at)
    )
    return confirm_time(preview, problems, to_text(confirmed), context)


def tier_meeting(ctx: Context, cmd: TierMeeting) -> Outcome:
    ex = EXAMPLES[f"tier{cmd.tier}"]
    at = cmd.at or DEFAULT_TIME
    kind = f"resolution_tier{cmd.tier}"
    with ctx.write() as s:
        case = resolve_case(s, ctx, cmd.case)
        member_of(s, ctx, case)
        rules = rules_for(case.profile)
        if f"resolution_tier{cmd.tier}_meeting" not in rules.profile.rules:
            raise CommandError(
                _(
                    "Tier 1 and Tier 2 meetings belong to Cwm Taf Morgannwg's resolution process; "
                    "{reference} follows {profile}.",
                    reference=case.reference,
                    profile=rules.profile.title,
                ),
                f"{EXAMPLES['concern']} (to raise a concern instead)",
            )
        not_before_start(cmd.day, case, ex, _("a Tier {tier} meeting", tier=cmd.tier))
        future = at_london(cmd.day, at) > ctx.now
        if future and not cmd.confirmed:
            warning = _tier_warning(s, ctx, case.reference, case.plan, cmd, at, rules)
            if warning is not None:
                return only(warning)
        record = repo.schedule_meeting if future else repo.record_held_meeting
        tier = record(
            s,
            case.reference,
            actor=ctx.actor.audit_id,
            now=ctx.now,
            starts_at=at_london(cmd.day, at),
            kind=kind,
        )
        sync = record_change(s, ctx, case.reference, tier, "create") if tier.status == "scheduled" else None
        rules, obs = case_obligations(s, case, ctx.today)
    follow = [o for o in obs if o.rule.startswith("resolution_") and o.status != "met"]
    lines = [
        _(
            "Tier {tier} meeting on **{when}** at {time}.",
            tier=cmd.tier,
            when=when(cmd.day, ctx.today, rules.calendar),
            time=at.strftime("%H:%M"),
        )
    ]
    for o in follow[:3]:
        lines.append(
            _("{rule} by {when}.", rule=rule_title(o.rule), when=when(o.due, ctx.today, rules.calendar))
        )
    out = Outcome(reference=case.reference)
    out.say(
        Message(
            _(
                "{reference}: Tier {tier} resolution meeting recorded for {day}",
                reference=case.reference,
                tier=cmd.tier,
                day=long_day(cmd.day),
            ),
            tuple(lines),
            context=tuple(rule_context(o.rule, rules, case.plan) for o in follow[:3]),
        ),
        "channel",
    )
    _effect(out, sync)
    return out
