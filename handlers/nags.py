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
from scheduling.reminders import ROWS

#: Who-label for a member id in a list ("health visitor"): never a name.
RoleOf = Callable[[str], str]


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
) -> Message:
    """The message for one reminder. `note` is a first detail line (e.g. why a cover gets it)."""
    kind = str(payload["kind"])
    rules = rules or rules_for(str(payload["profile"]))
    cal = rules.calendar
    due = _d(payload["due"])
    subject = str(payload["subject"])
    ref = reference
    meeting = meeting_of(subject)
    mday = meeting[0] if meeting else due
    mlabel = meeting[1] if meeting else meeting_label("core_group", "reminder")
    about = str(payload.get("about") or "")
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
        preview = _("{ref}: the child must be seen by {day}; no visit recorded yet", ref=ref, day=day)
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
    elif kind in ("action_soon", "action_overdue"):
        number = subject.split(":", 1)[1]
        if kind == "action_soon":
            preview = _("{ref}: plan action {number} is due {day}", ref=ref, number=number, day=day)
            detail = [due_line]
        else:
            preview = _("{ref}: plan action {number} is overdue (due {day})", ref=ref, number=number, day=day)
            detail = [_("Finish it, or say in the channel what is in the way.")]
    else:  # a kind this version does not know (a newer process enqueued it): say it plainly
        preview = _("{ref}: {what} due {day}", ref=ref, what=kind.replace("_", " "), day=day)
    row = ROWS.get(kind)
    number = subject.split(":", 1)[1] if subject.startswith("action:") else ""
    buttons = tuple(
        Button(
            answer_label(a.label), "cg.run", a.command.format(ref=ref, day=iso, number=number), primary=i == 0
        )
        for i, a in enumerate(row.buttons if row else ())
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
    return Message(preview, tuple(x for x in detail if x), buttons, (context,))


def digest(reference: str, day: date, previews: list[str]) -> Message:
    """One channel message a morning for a core group in quiet mode: every reminder of the day."""
    n = len(previews)
    return Message(
        ngettext(
            "{reference}: {n} reminder for {day}",
            "{reference}: {n} reminders for {day}",
            n,
            reference=reference,
            day=long_day(day),
        ),
        tuple(_("• {line}", line=_without_reference(p, reference)) for p in previews),
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
