"""The state of one case as the engine sees it, and how to read it from CASE.json.

The engine is a pure function of this state, so the database (`storage.repository.case_state`), the
`coregroup timeline` CLI and the tests all build the same immutable value. It carries dates, kinds
and rule-relevant flags only: no names, no free text about the child.
"""

from __future__ import annotations

import calendar as _cal
import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

from scheduling.calendar import FIRST_YEAR, LAST_YEAR

Plan = Literal["cp", "cin", "lac"]
PLANS: Final[tuple[str, ...]] = ("cp", "cin", "lac")

#: Meeting kinds that are core group meetings (they count for the "next core group" clocks).
CORE_GROUP_KINDS: Final = frozenset({"core_group", "school_move_core_group", "resolution_review_core_group"})
MEETING_KINDS: Final = (*sorted(CORE_GROUP_KINDS), "resolution_tier1", "resolution_tier2")
MEETING_STATUSES: Final = ("held", "scheduled", "cancelled")
VISIT_BY: Final = ("lead_social_worker", "professional")


class CaseError(ValueError):
    """Bad case input: names the field, says what is wrong, shows a valid example."""

    def __init__(self, field: str, problem: str, example: str) -> None:
        self.field = field
        self.problem = problem
        self.example = example
        super().__init__(f"{field}: {problem}. For example: {example}")


@dataclass(frozen=True, slots=True)
class Meeting:
    date: _dt.date
    kind: str = "core_group"
    #: held / scheduled / cancelled; None means "held if on or before today, else scheduled".
    status: str | None = None
    social_worker_present: bool = True
    minutes_circulated: _dt.date | None = None
    chair_update_sent: _dt.date | None = None
    #: None = attendance not recorded; otherwise how many professional members attended.
    professionals_present: int | None = None
    lead_sw_present: bool | None = None

    def is_held(self, today: _dt.date) -> bool:
        if self.status is None:
            return self.date <= today
        return self.status == "held"

    def is_scheduled(self, today: _dt.date) -> bool:
        if self.status is None:
            return self.date > today
        return self.status == "scheduled"


@dataclass(frozen=True, slots=True)
class Visit:
    date: _dt.date
    by: str = "professional"
    seen_alone: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """A significant change in the child's circumstances and when it was reported to the chair."""

    date: _dt.date
    reported: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class Escalation:
    raised: _dt.date
    stage: int = 1
    stage_started: _dt.date | None = None
    resolved: _dt.date | None = None

    @property
    def clock_start(self) -> _dt.date:
        return self.stage_started or self.raised


@dataclass(frozen=True, slots=True)
class Resolution:
    """Cwm Taf Morgannwg's two-tier resolution process (004 §5)."""

    requested: _dt.date | None = None
    tier1_meetings: tuple[_dt.date, ...] = ()
    tier2_meetings: tuple[_dt.date, ...] = ()
    significant_risk_reduction: bool = False


@dataclass(frozen=True, slots=True)
class CaseState:
    profile: str
    plan: str
    start: _dt.date
    registered: _dt.date | None = None
    review_conferences: tuple[_dt.date, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    visits: tuple[Visit, ...] = ()
    school_moves: tuple[_dt.date, ...] = ()
    significant_changes: tuple[Change, ...] = ()
    resolution: Resolution = field(default_factory=Resolution)
    escalations: tuple[Escalation, ...] = ()
    #: Working days between lead social worker visits, where the core group agrees it (004 §2).
    lead_visit_every: int | None = None

    @property
    def registered_on(self) -> _dt.date:
        return self.registered or self.start


# --- reading CASE.json -------------------------------------------------------------------------

#: ASCII digits only: `\d` would also take Arabic-Indic or full-width digits.
_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTHS = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _show(value: Any) -> str:
    """A bad value as it goes into a one-line message: repr (so no raw newline), cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _key(field_name: str) -> str:
    """The JSON key a field path ends in: `meetings[0].kind` -> `kind`."""
    return field_name.rsplit(".", 1)[-1].partition("[")[0]


def date_example(field_name: str, example: str = "2027-01-05") -> str:
    """What a good value of `field_name` looks like, written the way the person would write it.

    `--today` is a command-line option (`--today 2027-01-06`); `meetings[0].date` is the `date` key of a
    meeting object (`"date": "2027-01-05"`); `review_conferences[2]` is an item of a list of dates.
    """
    if field_name.startswith("--"):
        return f"{field_name} {example}"
    last = field_name.rsplit(".", 1)[-1]
    name, bracket, _ = last.partition("[")
    if bracket:
        return f'"{name}": ["{example}"]'
    return f'"{name}": "{example}"'


def parse_date(value: Any, field_name: str, example: str = "2027-01-05") -> date:
    """A YYYY-MM-DD date in the calendar's years, with a message that says why a near-miss is wrong.

    Years outside FIRST_YEAR..LAST_YEAR are refused here, naming the field, rather than later by the
    calendar (which cannot say which field the date came from); year 0 would otherwise reach
    `datetime.date` and escape as a bare ValueError.
    """
    ex = date_example(field_name, example)
    if not isinstance(value, str):
        raise CaseError(field_name, f"expected a date as YYYY-MM-DD, got {_show(value)}", ex)
    m = _ISO.match(value.strip())
    if not m:
        raise CaseError(field_name, f"{_show(value)} is not a date in the form YYYY-MM-DD", ex)
    y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        raise CaseError(field_name, f"{_show(value)} has month {mo}; months run 01 to 12", ex)
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise CaseError(
            field_name,
            f"{_show(value)} is outside the years the bank-holiday calendar covers "
            f"({FIRST_YEAR} to {LAST_YEAR})",
            ex,
        )
    last = _cal.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise CaseError(
            field_name, f"{_show(value)} is not a real date: {_MONTHS[mo]} {y} has {last} days", ex
        )
    return date(y, mo, d)


def _opt_date(value: Any, field_name: str) -> date | None:
    return None if value is None else parse_date(value, field_name)


def _list(raw: Mapping[str, Any], key: str, example: str) -> list[Any]:
    value = raw.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(key, f"expected a list, got {type(value).__name__}", example)
    return value


def _obj(value: Any, field_name: str, example: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CaseError(field_name, f"expected an object, got {_show(value)}", example)
    return value


def _bool(value: Any, field_name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise CaseError(
            field_name, f"expected true or false, got {_show(value)}", f'"{_key(field_name)}": true'
        )
    return value


def _choice(value: Any, field_name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CaseError(
            field_name,
            f"{_show(value)} is not one of {', '.join(allowed)}",
            f'"{_key(field_name)}": "{allowed[0]}"',
        )
    return str(value)


_KNOWN = {
    "profile",
    "plan",
    "start",
    "registered",
    "review_conferences",
    "meetings",
    "visits",
    "school_moves",
    "significant_changes",
    "resolution",
    "escalations",
    "lead_visit_every",
    "reference",
}


def case_from_dict(raw: Any) -> CaseState:
    """Validate a CASE.json document. Raises CaseError naming the first bad field."""
    if not isinstance(raw, dict):
        raise CaseError(
            "(file)", "expected a JSON object", '{"profile": "suffolk", "plan": "cp", "start": "2026-12-18"}'
        )
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        key = unknown[0]
        name = key if key.isprintable() and 0 < len(key) <= 40 and key.strip() == key else _show(key)
        raise CaseError(
            name, f"unknown field; known fields are {', '.join(sorted(_KNOWN))}", '"start": "2026-12-18"'
        )
    for key, ex in (
        ("profile", '"profile": "suffolk"'),
        ("plan", '"plan": "cp"'),
        ("start", '"start": "2026-12-18"'),
    ):
        if raw.get(key) in (None, ""):
            raise CaseError(key, "is missing", ex)
    profile = raw["profile"]
    if not isinstance(profile, str):
        raise CaseError("profile", f"expected a profile name, got {_show(profile)}", '"profile": "suffolk"')
    plan = _choice(raw["plan"], "plan", PLANS)
    start = parse_date(raw["start"], "start", "2026-12-18")
    registered = _opt_date(raw.get("registered"), "registered")

    reviews = tuple(
        parse_date(v, f"review_conferences[{i}]", "2027-03-10")
        for i, v in enumerate(_list(raw, "review_conferences", '"review_conferences": ["2027-03-10"]'))
    )
    for i, r in enumerate(reviews):
        if r <= start:
            raise CaseError(
                f"review_conferences[{i}]",
                f"{r.isoformat()} is not after the start ({start.isoformat()}); a review conference "
                "follows the conference that started the plan",
                '"review_conferences": ["2027-03-10"]',
            )

    meetings = []
    mex = '"meetings": [{"kind": "core_group", "date": "2027-01-05"}]'
    for i, m in enumerate(_list(raw, "meetings", mex)):
        f = f"meetings[{i}]"
        m = _obj(m, f, mex)
        if "date" not in m:
            raise CaseError(f"{f}.date", "is missing", mex)
        d = parse_date(m["date"], f"{f}.date")
        if d < start:
            raise CaseError(f"{f}.date", f"{d.isoformat()} is before the start ({start.isoformat()})", mex)
        status = m.get("status")
        meetings.append(
            Meeting(
                date=d,
                kind=_choice(m.get("kind", "core_group"), f"{f}.kind", MEETING_KINDS),
                status=None if status is None else _choice(status, f"{f}.status", MEETING_STATUSES),
                social_worker_present=_bool(
                    m.get("social_worker_present"), f"{f}.social_worker_present", True
                ),
                minutes_circulated=_opt_date(m.get("minutes_circulated"), f"{f}.minutes_circulated"),
                chair_update_sent=_opt_date(m.get("chair_update_sent"), f"{f}.chair_update_sent"),
                professionals_present=_opt_int(m.get("professionals_present"), f"{f}.professionals_present"),
                lead_sw_present=None
                if m.get("lead_sw_present") is None
                else _bool(m.get("lead_sw_present"), f"{f}.lead_sw_present", True),
            )
        )

    visits = []
    vex = '"visits": [{"date": "2027-01-08", "by": "lead_social_worker", "seen_alone": true}]'
    for i, v in enumerate(_list(raw, "visits", vex)):
        f = f"visits[{i}]"
        v = _obj(v, f, vex)
        if "date" not in v:
            raise CaseError(f"{f}.date", "is missing", vex)
        visits.append(
            Visit(
                date=parse_date(v["date"], f"{f}.date"),
                by=_choice(v.get("by", "professional"), f"{f}.by", VISIT_BY),
                seen_alone=_bool(v.get("seen_alone"), f"{f}.seen_alone", False),
            )
        )

    school_moves = tuple(
        parse_date(v, f"school_moves[{i}]")
        for i, v in enumerate(_list(raw, "school_moves", '"school_moves": ["2027-02-01"]'))
    )
    changes = []
    cex = '"significant_changes": ["2027-02-03"] or [{"date": "2027-02-03", "reported": null}]'
    for i, c in enumerate(_list(raw, "significant_changes", cex)):
        f = f"significant_changes[{i}]"
        if isinstance(c, dict):
            if "date" not in c:
                raise CaseError(f"{f}.date", "is missing", cex)
            changes.append(
                Change(parse_date(c["date"], f"{f}.date"), _opt_date(c.get("reported"), f"{f}.reported"))
            )
        else:
            changes.append(Change(parse_date(c, f)))

    rex = '"resolution": {"requested": null, "tier1_meetings": ["2027-04-20"]}'
    res_raw = _obj(raw.get("resolution") or {}, "resolution", rex)

    def tier(kind: str) -> tuple[_dt.date, ...]:
        # A Tier meeting may be given either way: in `resolution.<kind>_meetings`, or as a meeting
        # of kind `resolution_<kind>` (as the bot records it). Both count once held (no status: by
        # its date, as for every meeting); a scheduled or cancelled one doesn't yet.
        listed = {
            parse_date(v, f"resolution.{kind}_meetings[{i}]")
            for i, v in enumerate(_list(res_raw, f"{kind}_meetings", rex))
        }
        listed |= {m.date for m in meetings if m.kind == f"resolution_{kind}" and m.status in (None, "held")}
        return tuple(sorted(listed))

    resolution = Resolution(
        requested=_opt_date(res_raw.get("requested"), "resolution.requested"),
        tier1_meetings=tier("tier1"),
        tier2_meetings=tier("tier2"),
        significant_risk_reduction=_bool(
            res_raw.get("significant_risk_reduction"), "resolution.significant_risk_reduction", False
        ),
    )

    escalations = []
    eex = '"escalations": [{"raised": "2027-01-10", "stage": 1, "resolved": null}]'
    for i, e in enumerate(_list(raw, "escalations", eex)):
        f = f"escalations[{i}]"
        e = _obj(e, f, eex)
        if "raised" not in e:
            raise CaseError(f"{f}.raised", "is missing", eex)
        stage = e.get("stage", 1)
        if not isinstance(stage, int) or isinstance(stage, bool) or stage < 1:
            raise CaseError(f"{f}.stage", f"expected a stage number from 1, got {_show(stage)}", eex)
        escalations.append(
            Escalation(
                raised=parse_date(e["raised"], f"{f}.raised"),
                stage=stage,
                stage_started=_opt_date(e.get("stage_started"), f"{f}.stage_started"),
                resolved=_opt_date(e.get("resolved"), f"{f}.resolved"),
            )
        )

    return CaseState(
        profile=profile,
        plan=plan,
        start=start,
        registered=registered,
        review_conferences=tuple(sorted(reviews)),
        meetings=tuple(sorted(meetings, key=lambda m: m.date)),
        visits=tuple(sorted(visits, key=lambda v: v.date)),
        school_moves=tuple(sorted(school_moves)),
        significant_changes=tuple(sorted(changes, key=lambda c: c.date)),
        resolution=resolution,
        escalations=tuple(escalations),
        # Choice: at most a year of working days between visits; the catalogue gives 10 to 20.
        lead_visit_every=_opt_int(raw.get("lead_visit_every"), "lead_visit_every", most=260),
    )


def _opt_int(value: Any, field_name: str, most: int = 1000) -> int | None:
    """A whole number from 0 to `most`; the cap keeps absurd values out of the date arithmetic."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise CaseError(
            field_name,
            f"expected a whole number from 0 to {most}, got {_show(value)}",
            f'"{_key(field_name)}": 10',
        )
    return value


def case_to_dict(case: CaseState) -> dict[str, Any]:
    """The CASE.json form of a state (inverse of `case_from_dict`), used by the DB export."""

    def iso(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    return {
        "profile": case.profile,
        "plan": case.plan,
        "start": case.start.isoformat(),
        "registered": iso(case.registered),
        "review_conferences": [d.isoformat() for d in case.review_conferences],
        "meetings": [
            {
                "kind": m.kind,
                "date": m.date.isoformat(),
                "status": m.status,
                "social_worker_present": m.social_worker_present,
                "minutes_circulated": iso(m.minutes_circulated),
                "chair_update_sent": iso(m.chair_update_sent),
                "professionals_present": m.professionals_present,
                "lead_sw_present": m.lead_sw_present,
            }
            for m in case.meetings
        ],
        "visits": [{"date": v.date.isoformat(), "by": v.by, "seen_alone": v.seen_alone} for v in case.visits],
        "school_moves": [d.isoformat() for d in case.school_moves],
        "significant_changes": [
            {"date": c.date.isoformat(), "reported": iso(c.reported)} for c in case.significant_changes
        ],
        "resolution": {
            "requested": iso(case.resolution.requested),
            "tier1_meetings": [d.isoformat() for d in case.resolution.tier1_meetings],
            "tier2_meetings": [d.isoformat() for d in case.resolution.tier2_meetings],
            "significant_risk_reduction": case.resolution.significant_risk_reduction,
        },
        "escalations": [
            {
                "raised": e.raised.isoformat(),
                "stage": e.stage,
                "stage_started": iso(e.stage_started),
                "resolved": iso(e.resolved),
            }
            for e in case.escalations
        ],
        "lead_visit_every": case.lead_visit_every,
    }
