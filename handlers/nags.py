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

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from handlers.common import Rules, rule_context, rules_for, when
from handlers.i18n import Lang, Localised, Text, _, localise, long_day, ngettext, short_day
from handlers.replies import Button, Message
from handlers.words import answer_label, meeting_label
from scheduling.reminders import CHASE_BUTTONS, ROWS
from scheduling.wording import long_date, short_date, written_out

#: Who-label for a member id in a list ("health visitor"): never a name.
RoleOf = Callable[[str], str]
#: A plan action by its number → (its words, its owner's member id or None); None: unknown.
ActionOf = Callable[[str], tuple[str, str | None] | None]
#: An action's words in a reminder are cut to this many characters (the preview is one line).
ACTION_WORDS = 60
_CHASES = ("overdue", "overdue_manager", "overdue_daily")

#: What is overdue, per rule, as the chase says it ("… was due Fri 15 Jan").
_OVERDUE_WHAT = {
    "first_core_group": "the first core group",
    "second_core_group": "the second core group",
    "next_core_group": "the next core group",
    "post_review_core_group": "the core group after the review conference",
    "school_move_core_group": "the core group after the school move",
    "final_core_group_window": "the final core group before the review conference",
    "review_conference": "the review conference",
    "child_seen": "seeing the child",
    "lead_sw_visit": "the lead social worker's visit",
    "minutes_circulated": "the minutes",
    "chair_update_to_lead_sw": "the chair's update to the lead social worker",
    "significant_change_to_conference_chair": "the report of the significant change to the conference chair",
    "resolution_tier1_meeting": "the Tier 1 resolution meeting",
    "resolution_review_core_group": "the resolution review core group",
    "resolution_tier2_meeting": "the Tier 2 resolution meeting",
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
    """The visit rules' `about` ("last seen Mon 4 Jan 2027" / "since the conference Tue 5 Jan
    2027") as what no visit is recorded since."""
    return f"since {about.removeprefix('last seen ')}" if about.startswith("last seen") else about


def _action(number: str, action_of: ActionOf | None, role_of: RoleOf) -> tuple[str, str]:
    """("plan action 4 (“Book the dentist”)", "health visitor"): the action and who owns it."""
    got = action_of(number) if action_of else None
    if got is None:
        return f"plan action {number}", "nobody named"
    text, owner = got
    words = f"plan action {number} (“{shorten(text)}”)" if text else f"plan action {number}"
    return words, role_of(owner) if owner else "nobody named"


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
    about = written_out(str(payload.get("about") or ""))
    meeting = meeting_of(subject)
    owner = ""
    if rule == "plan_action":
        what, owner = _action(subject.split(":", 1)[1], action_of, role_of)
    elif rule == "child_seen":
        what = "seeing the child"
    elif rule == "minutes_circulated" and meeting:
        what = f"the minutes of the {meeting[1]} on {short_date(meeting[0])}"
    elif rule == "chair_update_to_lead_sw" and meeting:
        what = (
            f"the chair's update to the lead social worker after the {meeting[1]} on {short_date(meeting[0])}"
        )
    else:
        what = _OVERDUE_WHAT.get(rule, rule.replace("_", " "))
    late = cal.working_days_between(due, today)
    verb = "are" if rule == "minutes_circulated" else "is"
    preview = f"{ref}: {what} {verb} overdue (due {short_date(due)})"
    if rule in ("child_seen", "lead_sw_visit"):
        who = "the child" if rule == "child_seen" else "the lead social worker's visit to the child"
        preview = f"{ref}: {who} was due by {short_date(due)}; no visit recorded {_since(about)}"
        if rule == "child_seen":
            preview = (
                f"{ref}: the child was due to be seen by {short_date(due)}; no visit recorded {_since(about)}"
            )
    detail = [f"Due {long_date(due)}: {late} working day{'s' if late != 1 else ''} ago."]
    if owner:
        detail.append(f"Owner: {owner}.")
    if about and rule not in ("plan_action", "child_seen", "lead_sw_visit"):
        detail.append(about[0].upper() + about[1:] + ".")
    if kind == "overdue_manager":
        detail.append("You are told as their line manager: please check it is in hand.")
    elif kind == "overdue_daily":
        detail.append("This is repeated once a working day until it is done; `/coregroup status` shows it.")
    else:
        detail.append("Do it now, or say in the channel what is in the way.")
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
    about = written_out(str(payload.get("about") or ""))
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
        preview = f"{ref}: can you come to the meeting about the plan on {short_date(mday)}?"
        detail = [
            f"The meeting is on {when(mday, today, cal)}. It is to check how the plan for your "
            "family is going, and you can say what you think.",
            "Please let us know if you can come. If you can't, that's OK: tell us, and tell the "
            "social worker anything you want the meeting to hear.",
        ]
    elif kind == "report_request" and family:
        preview = f"{ref}: is there anything you want the meeting on {short_date(mday)} to hear?"
        detail = [
            f"The meeting is on {when(mday, today, cal)}.",
            "You can write a few lines about how things are going. The social worker will share "
            "them at the meeting.",
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
        since = about if about.startswith("last seen") else f"no visit recorded {_since(about)}"
        preview = f"{ref}: the child must be seen by {short_date(due)}; {since}"
        detail = [f"Due {when(due, today, cal)}.", "Whoever sees the child next, record the visit."]
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
        preview = f"{ref}: {what} is due {short_date(due)}"
        detail = [f"Due {when(due, today, cal)}.", f"Owner: {owner}."]
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
    lines = tuple(f"• {p.removeprefix(reference + ': ')}" for p in previews)
    if not quiet:
        return Message(
            f"{reference}: {n} item{'s' if n != 1 else ''} still overdue on {long_date(day)}",
            lines,
            (),
            ("Repeated once a working day until done; `/coregroup status` shows everything that is due",),
        )
    return Message(
        f"{reference}: {n} reminder{'s' if n != 1 else ''} for {long_date(day)}",
        lines,
        (),
        (_("Quiet digest is on: `/coregroup digest off` to get them one by one"),),
    )


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
