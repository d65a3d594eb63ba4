"""Forms: where typing a command is awkward, the same command is reachable by filling in fields.

A form is described neutrally (`handlers.replies.Form`); its submission comes back as a mapping of
field id → value and is turned into the very command object the text grammar produces, so a form
and a typed line run the same handler. Checks that need only the values happen here and name the
field, so a chat that can show the problem beside it does so before the modal closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from handlers.i18n import LANGUAGE_NAMES, Lang, Localised, _, localise, verbatim
from handlers.parse import (
    EXAMPLES,
    AddAction,
    AddMember,
    CloseCase,
    Command,
    CommandError,
    NewCase,
    RecordHeld,
    RecordVisit,
    ResolutionRequest,
    ScheduleMeeting,
    WriteReport,
    parse_date,
    parse_email,
    parse_reference,
    parse_time,
)
from handlers.replies import Form, FormField, Option, clean
from scheduling.case import PLANS
from scheduling.roles import MEMBER_KINDS

FormValue = str | list[str] | None

#: The longest option label every chat shows in full (the strictest chat's limit).
OPTION_MAX = 75

PLAN_LABELS = {
    "cp": _("Child protection plan (cp)"),
    "cin": _("Child in need plan (cin)"),
    "lac": _("Looked-after child (lac)"),
}


#: Who a member is, as the add form offers it (`scheduling.roles.KIND_WORDS`, said for readers).
KIND_LABELS = {
    "professional": _("professional: an agency's professional"),
    "family": _("family: a parent, carer or relative"),
    "child": _("child: the child or young person"),
    "other": _("other: attends but isn't a core-group professional (interpreter, advocate)"),
}


class _Clipped(Localised):
    """An option label cut to what a chat shows, after it is said in the reader's language (a
    member's label, translated, may be longer in Welsh than in English)."""

    text: str

    def __new__(cls, text: str) -> _Clipped:
        self = super().__new__(cls, str(text)[:OPTION_MAX])
        self.text = text
        return self

    def render(self, lang: Lang) -> str:
        return localise(self.text, lang)[:OPTION_MAX]

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.text,)


def clipped(label: str) -> str:
    """`label` cut to `OPTION_MAX`; a plain `str` stays plain, so the leak check still sees it."""
    return _Clipped(label) if isinstance(label, Localised) else label[:OPTION_MAX]


class _Joined(Localised):
    """Sentences one after another, each said in the reader's language."""

    parts: tuple[str, ...]

    def __new__(cls, parts: Sequence[str]) -> _Joined:
        self = super().__new__(cls, " ".join(parts))
        self.parts = tuple(parts)
        return self

    def render(self, lang: Lang) -> str:
        return " ".join(localise(p, lang) for p in self.parts)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.parts,)


class FormError(Exception):
    """Problems with the submitted values: field id → what is wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def new_case_form(profiles: Iterable[str]) -> Form:
    return Form(
        id="new",
        title=_("New core group"),
        intro=_("Use the case reference only (like CG-0001), never the child's name."),
        fields=(
            FormField(
                "reference",
                _("Case reference"),
                optional=True,
                placeholder=verbatim("CG-0001"),
                hint=_("Leave empty to get the next free reference."),
            ),
            FormField(
                "profile",
                _("Local guidance"),
                "select",
                options=tuple(Option(p, verbatim(p)) for p in profiles),
            ),
            FormField(
                "plan",
                _("Plan type"),
                "select",
                options=tuple(Option(p, PLAN_LABELS[p]) for p in PLANS),
                initial="cp",
            ),
            FormField("start", _("Date of the conference (start event)"), "date"),
        ),
        submit=_("Create"),
    )


def add_member_form(reference: str, place: str = _("workspace")) -> Form:
    """`place`: where the people picker looks, in the channel's words (`ChannelKind.people_place`:
    "workspace", "team")."""
    return Form(
        id="add",
        title=_("Add a member"),
        context=reference,
        intro=_("Pick someone in the {place}, or give the email of someone outside it.", place=place),
        fields=(
            FormField("user", _("Person in the {place}", place=place), "user", optional=True),
            FormField(
                "email", _("…or their email (outside the {place})", place=place), "email", optional=True
            ),
            FormField("name", _("Their name (outside the {place} only)", place=place), optional=True),
            # Roles are read in English (`scheduling.roles`), so the example stays as it is typed.
            FormField("role", _("Role"), placeholder=verbatim("health visitor")),
            FormField(
                "kind",
                _("Who they are"),
                "select",
                optional=True,
                options=tuple(Option(k, KIND_LABELS[k]) for k in MEMBER_KINDS),
                hint=_("Leave empty to read it from the role (a mother is family, a GP a professional)."),
            ),
            FormField("agency", _("Agency"), optional=True, placeholder=_("NHS")),
            FormField(
                "language",
                _("Language they read"),
                "select",
                optional=True,
                # Each language by its own name, the same for every reader.
                options=tuple(Option(code, verbatim(name)) for code, name in LANGUAGE_NAMES.items()),
                hint=_("Leave empty to ask them (Welsh guidance) or use the guidance's default."),
            ),
        ),
        submit=_("Add"),
    )


def close_form(reference: str, still_open: Sequence[str] = ()) -> Form:
    """Why the case is closing; what is still open is shown above, so closing is a decision."""
    intro = (
        _(
            "Closing stops every reminder and archives the channel. Still open: {items}",
            items=_Joined(still_open),
        )
        if still_open
        else _("Closing stops every reminder and archives the channel.")
    )
    return Form(
        id="close",
        title=_("Close the case"),
        context=reference,
        intro=intro,
        fields=(
            FormField(
                "reason",
                _("Why is the case closing?"),
                placeholder=_("Plan ended at the review conference"),
            ),
        ),
        submit=_("Close"),
    )


def meeting_form(reference: str, family: Sequence[tuple[int, str]] = ()) -> Form:
    """`family`: family members with an email, offered only to the lead social worker, who
    decides whether each gets the calendar invitation (none is ticked by default)."""
    fields = [
        FormField("date", _("Date"), "date"),
        FormField("time", _("Time"), "time", initial="10:00"),
        FormField("venue", _("Venue"), optional=True, placeholder=_("Family centre")),
        FormField(
            "online", _("Online"), "checkbox", optional=True, options=(Option("online", _("Online meeting")),)
        ),
    ]
    if family:
        fields.append(
            FormField(
                "family",
                _("Send the invitation to family members"),
                "checkbox",
                optional=True,
                options=tuple(Option(f"m:{mid}", clipped(label)) for mid, label in family[:10]),
                hint=_("Only the people you tick get the calendar invitation."),
            )
        )
    return Form(
        id="meeting", title=_("Book a core group"), context=reference, fields=tuple(fields), submit=_("Book")
    )


def held_form(reference: str, meeting_id: int, day: date, members: Sequence[tuple[int, str]]) -> Form:
    """Attendance and apologies; members are offered by id so people outside the chat count too."""
    opts = tuple(Option(f"m:{mid}", clipped(label)) for mid, label in members)
    return Form(
        id="held",
        title=_("Meeting held"),
        context=f"{reference}|{meeting_id}",
        fields=(
            FormField("date", _("Date it was held"), "date", initial=day.isoformat()),
            FormField("attended", _("Who attended"), "multi_select", options=opts),
            FormField("apologies", _("Who sent apologies"), "multi_select", optional=True, options=opts),
        ),
        submit=_("Record"),
    )


def report_form(reference: str, meeting_id: int, meeting_label: str) -> Form:
    return Form(
        id="report",
        title=_("Written report"),
        context=f"{reference}|{meeting_id}",
        intro=_(
            "Your report for the core group on {day}: contact with the family, work done, concerns, "
            "progress against the plan.",
            day=meeting_label,
        ),
        fields=(FormField("text", _("Report"), "long_text"),),
        submit=_("Send report"),
    )


def action_form(reference: str) -> Form:
    return Form(
        id="action",
        title=_("Add a plan action"),
        context=reference,
        fields=(
            FormField("text", _("Action"), "long_text"),
            FormField("owner", _("Owner"), "user", optional=True),
            FormField("due", _("Due"), "date", optional=True),
        ),
        submit=_("Add"),
    )


def visit_form(reference: str, today: date) -> Form:
    """From the "Record a visit" reminder button: the date (today unless changed), whether the
    child was seen alone, and who visited when it was not the person filling it in."""
    return Form(
        id="visit",
        title=_("Record a visit"),
        context=reference,
        fields=(
            FormField("date", _("Date of the visit"), "date", initial=today.isoformat()),
            FormField(
                "seen_alone",
                _("Seen alone"),
                "checkbox",
                optional=True,
                options=(Option("yes", _("The child was seen alone")),),
            ),
            FormField("by", _("Visited by (leave empty if it was you)"), "user", optional=True),
        ),
        submit=_("Record"),
    )


def resolution_form(reference: str, today: date) -> Form:
    """Cwm Taf Morgannwg Appendix 3, the resolution request, reduced to what the record needs."""
    return Form(
        id="resolution",
        title=_("Resolution request"),
        context=reference,
        intro=_(
            "Appendix 3: a request for the resolution process (Tier 1). Keep it brief and "
            "factual; the full form stays on the case record."
        ),
        fields=(
            FormField("requested", _("Date of the request"), "date", initial=today.isoformat()),
            FormField("reason", _("Why the plan is not reducing the risk"), "long_text"),
        ),
        submit=_("Send request"),
    )


# --- submissions ---------------------------------------------------------------------------------


def _one(values: Mapping[str, FormValue], key: str) -> str | None:
    v = values.get(key)
    if isinstance(v, list):
        v = v[0] if v else None
    return v.strip() if isinstance(v, str) and v.strip() else None


def _many(values: Mapping[str, FormValue], key: str) -> tuple[str, ...]:
    v = values.get(key)
    if v is None:
        return ()
    return tuple(v) if isinstance(v, list) else (v,)


def submit(form_id: str, values: Mapping[str, FormValue], context: str) -> Command:
    """The command a submitted form stands for; FormError names the fields to fix."""
    # What a form carries is typed text like a command's: stripped of what could pass as ours.
    values = {
        k: [clean(x) for x in v] if isinstance(v, list) else clean(v) if isinstance(v, str) else v
        for k, v in values.items()
    }
    errors: dict[str, str] = {}

    def need(key: str, what: str) -> str:
        v = _one(values, key)
        if v is None:
            errors[key] = _("Please give {what}.", what=what)
            return ""
        return v

    def dated(key: str, what: str, example: str, required: bool = True) -> date | None:
        raw = need(key, what) if required else _one(values, key)
        if not raw:
            return None
        try:
            return parse_date(raw, example)
        except CommandError as exc:
            errors[key] = exc.problem
            return None

    ref, _sep, extra = context.partition("|")
    meeting_id = int(extra) if extra.isdigit() else None
    if form_id == "new":
        reference = _one(values, "reference") or ""
        if reference:
            try:
                reference = parse_reference(reference, EXAMPLES["new"])
            except CommandError as exc:
                errors["reference"] = exc.problem
        profile = need("profile", _("the local guidance"))
        plan = need("plan", _("the plan type"))
        start = dated("start", _("the conference date"), EXAMPLES["new"])
        _raise(errors)
        return NewCase(reference=reference, profile=profile, plan=plan, start=start)
    if form_id == "add":
        user, email = _one(values, "user"), _one(values, "email")
        role = need("role", _("their role"))
        if not user and not email:
            errors["user"] = _("Pick a person, or give an email address below.")
        if email:
            try:
                email = parse_email(email, EXAMPLES["add_email"])
            except CommandError as exc:
                errors["email"] = exc.problem
            if not user and not _one(values, "name"):
                errors["name"] = _("Give the name of someone added by email.")
        language = _one(values, "language")
        if language and language not in LANGUAGE_NAMES:
            errors["language"] = _("Pick Cymraeg or English, or leave it empty.")
        _raise(errors)
        kind = _one(values, "kind")
        if user:
            return AddMember(
                case=ref,
                user=user,
                role=role,
                agency=_one(values, "agency"),
                kind=kind,
                language=language or None,
            )
        return AddMember(
            case=ref,
            email=email,
            display_name=_one(values, "name"),
            role=role,
            agency=_one(values, "agency"),
            language=language or None,
            kind=kind,
        )
    if form_id == "close":
        reason = need("reason", _("why the case is closing"))
        _raise(errors)
        # The form showed what is still open: submitting it is the confirmation.
        return CloseCase(case=ref, reason=reason, confirmed=True)
    if form_id == "meeting":
        day = dated("date", _("the date"), EXAMPLES["meeting"])
        raw_time = need("time", _("the time"))
        at = None
        if raw_time:
            try:
                at = parse_time(raw_time, EXAMPLES["meeting"])
            except CommandError as exc:
                errors["time"] = exc.problem
        _raise(errors)
        assert day and at
        return ScheduleMeeting(
            case=ref,
            day=day,
            at=at,
            venue=_one(values, "venue"),
            online=bool(_many(values, "online")),
            family=_many(values, "family"),
        )
    if form_id == "held":
        day = dated("date", _("the date it was held"), EXAMPLES["held"])
        attended = _many(values, "attended")
        if not attended:
            errors["attended"] = _("Pick who attended.")
        apologies = _many(values, "apologies")
        both = set(attended) & set(apologies)
        if both:
            errors["apologies"] = _("Someone can't both attend and send apologies.")
        _raise(errors)
        return RecordHeld(case=ref, day=day, attended=attended, apologies=apologies, meeting_id=meeting_id)
    if form_id == "report":
        text = need("text", _("your report"))
        _raise(errors)
        return WriteReport(case=ref, text=text, meeting_id=meeting_id)
    if form_id == "action":
        text = need("text", _("the action"))
        due = dated("due", _("the due date"), EXAMPLES["action"], required=False)
        _raise(errors)
        return AddAction(case=ref, text=text, owner=_one(values, "owner"), due=due)
    if form_id == "visit":
        day = dated("date", _("the date of the visit"), EXAMPLES["visit"])
        _raise(errors)
        return RecordVisit(
            case=ref, day=day, seen_alone=bool(_many(values, "seen_alone")), by=_one(values, "by")
        )
    if form_id == "resolution":
        requested = dated("requested", _("the date of the request"), EXAMPLES["resolution"])
        reason = need("reason", _("the reason"))
        _raise(errors)
        return ResolutionRequest(case=ref, reason=reason, requested=requested)
    raise FormError({"_": _("There is no `{form}` form.", form=form_id)})


def problem_lines(form_id: str, errors: Mapping[str, str]) -> list[str]:
    """The problems of a submitted form as people read them: each named by the field's label
    ("**Who attended**: Pick who attended."), not its id. A chat with modals shows them beside
    the field by id instead; the others list them."""
    labels = _labels().get(form_id, {})
    lines = [
        _("**{label}**: {problem}", label=labels.get(k, verbatim(k)), problem=v)
        for k, v in errors.items()
        if k != "_"
    ]
    return lines or list(errors.values())


def _labels() -> dict[str, dict[str, str]]:
    """form id → field id → label, from the forms themselves (built once)."""
    if not _LABELS:
        today = date(2000, 1, 1)
        for form in (
            new_case_form(()),
            add_member_form(""),
            meeting_form(""),
            held_form("", 0, today, ()),
            report_form("", 0, ""),
            action_form(""),
            visit_form("", today),
            resolution_form("", today),
        ):
            _LABELS[form.id] = {f.id: f.label for f in form.fields}
    return _LABELS


_LABELS: dict[str, dict[str, str]] = {}


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise FormError(errors)
