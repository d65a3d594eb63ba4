"""The words of every reminder (docs/messages.md): a preview line with the case reference, what and
when; the detail; the buttons that answer it; the rule and its source last.

Rendered from the outbox row's payload (`scheduling.sweep.Outgoing.payload`), which holds ids,
dates, kinds and counts only — never names — so the same text comes out at delivery, in the daily
digest and in `coregroup sweep --dry-run`. The buttons are the plan row's
(`scheduling.reminders.PLAN`), so the planner and the words never disagree on what a reminder
asks. Buttons carry a full command line naming the case (`CG-0001 attending 2027-01-05`), so they
work from a direct message too; the commands themselves are handled by the answers handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from handlers.common import Rules, rule_context, rules_for, when
from handlers.i18n import Lang, Localised, Text, _, localise, long_day, ngettext, short_day, verbatim
from handlers.replies import Button, Message
from handlers.words import about_words, answer_label, meeting_label
from scheduling.reminders import CHASE_BUTTONS, ROWS

#: Who-label for a member id in a list ("health visitor"): never a name.
RoleOf = Callable[[str], str]
#: A plan action by its number → (its words, its owner's member id or None); None: unknown.
ActionOf = Callable[[str], tuple[str, str | None] | None]
#: An action's words in a reminder are cut to this many characters (the preview is one line).
ACTION_WORDS = 60
_CHASES = ("overdue", "overdue_manager", "overdue_daily")

#: What is overdue, per rule, as the chase says it ("… was due Fri 15 Jan").
_OVERDUE_WHAT = {
    "first_core_group": _("the first core group"),
    "second_core_group": _("the second core group"),
    "next_core_group": _("the next core group"),
    "post_review_core_group": _("the core group after the review conference"),
    "school_move_core_group": _("the core group after the school move"),
    "final_core_group_window": _("the final core group before the review conference"),
    "review_conference": _("the review conference"),
    "child_seen": _("seeing the child"),
    "lead_sw_visit": _("the lead social worker's visit"),
    "chair_update_to_lead_sw": _("the chair's update to the lead social worker"),
    "significant_change_to_conference_chair": _(
        "the report of the significant change to the conference chair"
    ),
    "resolution_tier1_meeting": _("the Tier 1 resolution meeting"),
    "resolution_review_core_group": _("the resolution review core group"),
    "resolution_tier2_meeting": _("the Tier 2 resolution meeting"),
}


def meeting_of(subject: str) -> tuple[date, str] | None:
    """("meeting:2027-01-19:core_group") → (date, "core group")."""
    parts = subject.split(":")
    if len(parts) == 3 and parts[0] == "meeting":
        try:
            return date.fromisoformat(parts[1]), meeting_label(parts[2], "reminder")
        except ValueError:
            return None
    return None


def _d(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _progress(p: Any) -> str | None:
    if not p:
        return None
    got, total = int(p[0]), int(p[1])
    return ngettext("{got} of {n} written report in", "{got} of {n} written reports in", total, got=got)


def shorten(text: str, limit: int = ACTION_WORDS) -> str:
    """An action's words on one line, cut at a word with "…" when longer than `limit`."""
    one = " ".join(text.split())
    if len(one) <= limit:
        return one
    return one[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _since(about: str) -> str:
    """The visit rules' `about` ("last seen 2027-01-04" / "since the conference 2027-01-05") as
    what no visit is recorded since, dates written out in the reader's words."""
    seen = re.fullmatch(r"last seen (\d{4}-\d\d-\d\d)", about)
    if seen:
        try:
            return _("since {day}", day=long_day(date.fromisoformat(seen[1])))
        except ValueError:
            pass
    return about_words(about)


class _Capital(Localised):
    """A sentence (an obligation's `about`) starting with a capital in any language, as a
    detail line of its own."""

    text: str

    def __new__(cls, text: str) -> _Capital:
        self = super().__new__(cls, text[:1].upper() + text[1:])
        self.text = text
        return self

    def render(self, lang: Lang) -> str:
        out = localise(self.text, lang)
        return out[:1].upper() + out[1:]

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.text,)


def _action(number: str, action_of: ActionOf | None, role_of: RoleOf) -> tuple[str, str]:
    """("plan action 4 (“Book the dentist”)", "health visitor"): the action and who owns it."""
    got = action_of(number) if action_of else None
    if got is None:
        return _("plan action {number}", number=number), _("nobody named")
    text, owner = got
    words = (
        _("plan action {number} (“{text}”)", number=number, text=shorten(text))
        if text
        else _("plan action {number}", number=number)
    )
    return words, role_of(owner) if owner else _("nobody named")


def _chase(
    kind: str,
    payload: Mapping[str, Any],
    ref: str,
    today: date,
    cal: Any,
    role_of: RoleOf,
    action_of: ActionOf | None,
) -> tuple[str, list[str]]:
    """Preview and detail of the overdue chase, the same words at each of its three steps."""
    rule = str(payload["rule"])
    due = _d(payload["due"])
    subject = str(payload["subject"])
    raw = str(payload.get("about") or "")
    about = about_words(raw) if raw else ""
    meeting = meeting_of(subject)
    owner = ""
    day = short_day(due)
    values = {"ref": ref, "day": day}
    if rule == "plan_action":
        what, owner = _action(subject.split(":", 1)[1], action_of, role_of)
        preview = _("{ref}: {what} is overdue (due {day})", what=what, **values)
    elif rule == "child_seen":
        preview = _(
            "{ref}: the child was due to be seen by {day}; no visit recorded {since}",
            since=_since(raw),
            **values,
        )
    elif rule == "lead_sw_visit":
        preview = _(
            "{ref}: the lead social worker's visit to the child was due by {day}; no visit recorded {since}",
            since=_since(raw),
            **values,
        )
    elif rule == "minutes_circulated" and meeting:
        preview = _(
            "{ref}: the minutes of the {meeting} on {mday} are overdue (due {day})",
            meeting=meeting[1],
            mday=short_day(meeting[0]),
            **values,
        )
    elif rule == "minutes_circulated":
        preview = _("{ref}: the minutes are overdue (due {day})", **values)
    elif rule == "chair_update_to_lead_sw" and meeting:
        preview = _(
            "{ref}: the chair's update to the lead social worker after the {meeting} on {mday} is overdue "
            "(due {day})",
            meeting=meeting[1],
            mday=short_day(meeting[0]),
            **values,
        )
    else:
        what = _OVERDUE_WHAT.get(rule) or verbatim(rule.replace("_", " "))
        preview = _("{ref}: {what} is overdue (due {day})", what=what, **values)
    late = cal.working_days_between(due, today)
    detail = [
        ngettext(
            "Due {day}: {n} working day ago.", "Due {day}: {n} working days ago.", late, day=long_day(due)
        )
    ]
    if owner:
        detail.append(_("Owner: {who}.", who=owner))
    if about and rule not in ("plan_action", "child_seen", "lead_sw_visit"):
        detail.append(_("{about}.", about=_Capital(about)))
    if kind == "overdue_manager":
        detail.append(_("You are told as their line manager: please check it is in hand."))
    elif kind == "overdue_daily":
        detail.append(
            _("This is repeated once a working day until it is done; `/coregroup status` shows it.")
        )
    else:
        detail.append(_("Do it now, or say in the channel what is in the way."))
    return preview, detail


def _roles(ids: Any, role_of: RoleOf) -> str:
    names = [role_of(str(i)) for i in ids or ()]
    return ", ".join(names) if names else _("none")


def render(
    payload: Mapping[str, Any],
    reference: str,
    today: date,
    *,
    role_of: RoleOf = lambda i: f"member {i}",
    note: str | None = None,
    rules: Rules | None = None,
    action_of: ActionOf | None = None,
    family: bool = False,
) -> Message:
    """The message for one reminder. `note` is a first detail line (e.g. why a cover gets it).
    `family`: it goes to a parent or carer, in plain words (no "core group", no "written report")."""
    kind = str(payload["kind"])
    rules = rules or rules_for(str(payload["profile"]))
    cal = rules.calendar
    due = _d(payload["due"])
    subject = str(payload["subject"])
    ref = reference
    meeting = meeting_of(subject)
    mday = meeting[0] if meeting else due
    mlabel = meeting[1] if meeting else meeting_label("core_group", "reminder")
    raw_about = str(payload.get("about") or "")
    about = about_words(raw_about) if raw_about else ""
    iso = mday.isoformat()
    detail: list[str] = []
    day, mdate = short_day(due), short_day(mday)
    due_line = _("Due {when}.", when=when(due, today, cal))

    if kind == "book_first":
        preview = _("{ref}: the first core group must be held by {day}; none is booked", ref=ref, day=day)
        detail = [due_line, _("Book it so invitations go out in time.")]
    elif kind == "book_next":
        preview = _("{ref}: the next core group must be held by {day}; none is booked", ref=ref, day=day)
        detail = [due_line, _("Book it so invitations go out in time.")]
    elif kind == "attendance" and family:
        preview = _("{ref}: can you come to the meeting about the plan on {day}?", ref=ref, day=mdate)
        detail = [
            _(
                "The meeting is on {when}. It is to check how the plan for your family is going, and you "
                "can say what you think.",
                when=when(mday, today, cal),
            ),
            _(
                "Please let us know if you can come. If you can't, that's OK: tell us, and tell the "
                "social worker anything you want the meeting to hear."
            ),
        ]
    elif kind == "report_request" and family:
        preview = _("{ref}: is there anything you want the meeting on {day} to hear?", ref=ref, day=mdate)
        detail = [
            _("The meeting is on {when}.", when=when(mday, today, cal)),
            _(
                "You can write a few lines about how things are going. The social worker will share "
                "them at the meeting."
            ),
        ]
    elif kind == "attendance":
        preview = _("{ref}: are you coming to the {meeting} on {day}?", ref=ref, meeting=mlabel, day=mdate)
        detail = [
            _("The {meeting} is on {when}.", meeting=mlabel, when=when(mday, today, cal)),
            _("If you can't come, send apologies and a written report."),
        ]
    elif kind == "report_request":
        preview = _(
            "{ref}: your written report is needed before the {meeting} on {day}",
            ref=ref,
            meeting=mlabel,
            day=mdate,
        )
        detail = [
            _(
                "The {meeting} is on {when} and you are not down as attending.",
                meeting=mlabel,
                when=when(mday, today, cal),
            ),
            _("Cover contact with the family, work done, concerns and progress against the plan."),
        ]
    elif kind == "chair_bundle":
        got = _progress(payload.get("progress")) or _("written reports")
        preview = _("{ref}: {got} for the {meeting} on {day}", ref=ref, got=got, meeting=mlabel, day=mdate)
        detail = [
            _("In: {who}.", who=_roles(payload.get("received"), role_of)),
            _("Nothing yet from: {who}.", who=_roles(payload.get("waiting"), role_of)),
            _("Reports that arrive later are added here."),
        ]
    elif kind == "final_window":
        preview = _(
            "{ref}: the final core group before the review can be held now, by {day}", ref=ref, day=day
        )
        detail = [due_line, about]
    elif kind in ("minutes_soon", "minutes_due", "minutes_overdue"):
        values = {"ref": ref, "meeting": mlabel, "mday": mdate, "day": day}
        preview = {
            "minutes_soon": _("{ref}: the minutes of the {meeting} on {mday} are due by {day}", **values),
            "minutes_due": _("{ref}: the minutes of the {meeting} on {mday} are due today", **values),
            "minutes_overdue": _(
                "{ref}: the minutes of the {meeting} on {mday} are overdue (due {day})", **values
            ),
        }[kind]
        detail = [due_line, _("Send them to everyone in the core group, then mark them sent.")]
    elif kind == "lead_visit_soon":
        preview = _("{ref}: the lead social worker's visit is due by {day}", ref=ref, day=day)
        detail = [due_line, about]
    elif kind == "child_seen_soon":
        # `about` says what the due date counts from: the last visit recorded, or (none yet)
        # the conference; only then is "no visit recorded yet" true.
        if raw_about.startswith("last seen"):
            preview = _("{ref}: the child must be seen by {day}; {about}", ref=ref, day=day, about=about)
        else:
            preview = _(
                "{ref}: the child must be seen by {day}; no visit recorded {since}",
                ref=ref,
                day=day,
                since=_since(raw_about),
            )
        detail = [due_line, _("Whoever sees the child next, record the visit.")]
    elif kind == "escalation_stage_end":
        preview = _("{ref}: this escalation stage ends {day}", ref=ref, day=day)
        detail = [about, _("Resolve it, or take it to the next stage.")]
    elif kind == "tier1_trigger":
        preview = _("{ref}: a Tier 1 resolution meeting is now needed", ref=ref)
        detail = [about, _("From {day}.", day=long_day(due))]
    elif kind == "tier1_meeting":
        preview = _("{ref}: the Tier 1 meeting must be held by {day}", ref=ref, day=day)
        detail = [due_line]
    elif kind == "resolution_review":
        preview = _("{ref}: the resolution review core group must be held by {day}", ref=ref, day=day)
        detail = [due_line, _("The social worker chairs it.")]
    elif kind == "tier2_trigger":
        preview = _("{ref}: decide today: significant risk reduction, or Tier 2", ref=ref)
        detail = [about]
    elif kind == "action_soon":
        what, owner = _action(subject.split(":", 1)[1], action_of, role_of)
        preview = _("{ref}: {what} is due {day}", ref=ref, what=what, day=day)
        detail = [due_line, _("Owner: {who}.", who=owner)]
    elif kind in _CHASES:
        preview, detail = _chase(kind, payload, ref, today, cal, role_of, action_of)
    else:  # a kind this version does not know (a newer process enqueued it): say it plainly
        preview = _("{ref}: {what} due {day}", ref=ref, what=kind.replace("_", " "), day=day)
    row = ROWS.get(kind)
    number = subject.split(":", 1)[1] if subject.startswith("action:") else ""
    answers = row.buttons if row else ()
    if kind in ("overdue", "overdue_daily"):
        answers = CHASE_BUTTONS.get(str(payload["rule"]), ())
    if kind in _CHASES and not meeting:
        # The chair's update and a significant change are named by their day, not a meeting.
        iso = subject.rsplit(":", 1)[-1] if subject.startswith("change:") else iso
    buttons = tuple(
        Button(
            answer_label(a.label), "cg.run", a.command.format(ref=ref, day=iso, number=number), primary=i == 0
        )
        for i, a in enumerate(answers)
    )
    progress = _progress(payload.get("progress"))
    if progress and (row is None or row.progress != "bundle"):
        detail.append(_("{progress}.", progress=progress))
    if note:
        detail.insert(0, note)
    context = rule_context(
        str(payload["rule"]),
        rules,
        str(payload["plan"]),
        interpretation=bool(payload.get("interpretation")) or None,
    )
    # A parent needs no rule citation (the guidance's clause is for the professionals).
    return Message(preview, tuple(x for x in detail if x), buttons, () if family else (context,))


def digest(reference: str, day: date, previews: list[str], *, quiet: bool = True) -> Message:
    """One channel message a morning: in quiet mode every reminder of the day; otherwise the
    daily repeat of what is still overdue (once a working day, docs/messages.md "Noise")."""
    n = len(previews)
    lines = tuple(_digest_line(p, reference) for p in previews)
    if not quiet:
        return Message(
            ngettext(
                "{reference}: {n} item still overdue on {day}",
                "{reference}: {n} items still overdue on {day}",
                n,
                reference=reference,
                day=long_day(day),
            ),
            lines,
            (),
            (_("Repeated once a working day until done; `/coregroup status` shows everything that is due"),),
        )
    return Message(
        ngettext(
            "{reference}: {n} reminder for {day}",
            "{reference}: {n} reminders for {day}",
            n,
            reference=reference,
            day=long_day(day),
        ),
        lines,
        (),
        (_("Quiet digest is on: `/coregroup digest off` to get them one by one"),),
    )


def _digest_line(preview: str, reference: str) -> str:
    """A digest's line: the reminder's preview without its reference, after a bullet."""
    line = _without_reference(preview, reference)
    return _("• {line}", line=line) if isinstance(line, Localised) else f"• {line}"


def _without_reference(preview: str, reference: str) -> str:
    """A reminder's preview without its leading reference, still in the reader's language: the
    digest line is the preview sentence, so the sentence's own translation is kept."""
    if isinstance(preview, Text) and preview.values.get("ref") == reference:
        return _("{line}", line=_Trimmed(preview, reference))
    return preview.removeprefix(reference + ": ")


class _Trimmed(Localised):
    """A rendered preview with the "CG-0001: " it starts with taken off, in any language."""

    text: str
    reference: str

    def __new__(cls, text: str, reference: str) -> _Trimmed:
        self = super().__new__(cls, text.removeprefix(reference + ": "))
        self.text = text
        self.reference = reference
        return self

    def render(self, lang: Lang) -> str:
        return localise(self.text, lang).removeprefix(self.reference + ": ")
