"""Any JSON at all: `case_from_dict` answers with a CaseState or a CaseError, never another exception.

Hypothesis puts arbitrary JSON values (nulls, numbers, huge integers, strings, lists, objects) and
date-shaped strings (year 0, year 9999, month 00, day 32) in every field of an otherwise valid
CASE.json, at the top level and inside meetings, visits, changes, resolution and escalations. A
CaseError must be one line that names a field and shows an example. A case that is accepted must
then go through the engine without an exception (its profile may still be unknown or not cover the
plan: those are errors with a message too). The same documents go through `coregroup timeline`
in-process: exit 0, or exit 2 with exactly one line on stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from scheduling.calendar import calendar_for
from scheduling.case import CaseError, CaseState, case_from_dict
from scheduling.engine import obligations
from scheduling.profiles import ProfileError, load_profile

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.integers(-3, 400)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
date_like = st.builds(
    lambda y, m, d, sep: f"{y:04d}{sep}{m:02d}{sep}{d:02d}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["-", "-", "/"]),
)
good_date = st.dates(min_value=date(2000, 1, 1), max_value=date(2075, 12, 31)).map(date.isoformat)
anything = json_value | date_like | good_date

BASE: dict[str, Any] = {
    "profile": "suffolk",
    "plan": "cp",
    "start": "2026-12-18",
    "registered": "2026-12-18",
    "review_conferences": ["2027-03-10"],
    "meetings": [
        {
            "kind": "core_group",
            "date": "2027-01-05",
            "social_worker_present": False,
            "minutes_circulated": None,
            "professionals_present": 1,
            "lead_sw_present": True,
        }
    ],
    "visits": [{"date": "2027-01-08", "by": "lead_social_worker", "seen_alone": True}],
    "school_moves": ["2027-02-01"],
    "significant_changes": ["2027-02-03", {"date": "2027-02-04", "reported": None}],
    "resolution": {
        "requested": None,
        "tier1_meetings": ["2027-04-20"],
        "tier2_meetings": [],
        "significant_risk_reduction": False,
    },
    "escalations": [{"raised": "2027-01-10", "stage": 1, "stage_started": None, "resolved": None}],
    "lead_visit_every": 10,
}
#: Where a value can be swapped: a top-level key, or a key inside the first item / the object.
PATHS: list[tuple[str, ...]] = [
    *((k,) for k in BASE),
    *(("meetings", k) for k in BASE["meetings"][0]),
    *(("visits", k) for k in BASE["visits"][0]),
    *(("escalations", k) for k in BASE["escalations"][0]),
    *(("resolution", k) for k in BASE["resolution"]),
    ("significant_changes", "date"),
    ("significant_changes", "reported"),
]
PROFILES = st.sampled_from(
    ["suffolk", "newham", "shropshire", "cwm-taf-morgannwg", "scotland", "northern-ireland", "atlantis"]
)


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A CASE.json-like value: mostly a valid case with a few fields swapped for anything."""
    if draw(st.integers(0, 19)) == 0:
        return draw(json_value)  # not even an object, usually
    doc = json.loads(json.dumps(BASE))
    doc["profile"] = draw(PROFILES)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        value = draw(anything)
        if len(path) == 1:
            doc[path[0]] = value
        else:
            holder = doc.get(path[0])
            if isinstance(holder, list) and holder:
                target = holder[-1] if path[0] == "significant_changes" else holder[0]
                if isinstance(target, dict):
                    target[path[1]] = value
            elif isinstance(holder, dict):
                holder[path[1]] = value
    if draw(st.booleans()):
        doc[draw(st.text(max_size=10))] = draw(json_value)  # maybe an unknown field
    if draw(st.integers(0, 9)) == 0:
        doc.pop(draw(st.sampled_from(["profile", "plan", "start"])), None)
    return doc


def _one_line(msg: str) -> None:
    assert "\n" not in msg and "\r" not in msg, msg
    assert ". For example: " in msg, msg


@FUZZ
@given(documents(), good_date)
def test_case_from_dict_raises_only_case_errors(doc: Any, today: str) -> None:
    try:
        case = case_from_dict(doc)
    except CaseError as exc:
        _one_line(str(exc))
        assert exc.field and exc.example
        return
    assert isinstance(case, CaseState)
    try:
        profile = load_profile(case.profile)
    except ProfileError:
        return
    cal = calendar_for(profile.nation, profile.closures)
    try:
        obs = obligations(case, profile, cal, date.fromisoformat(today))
    except CaseError as exc:  # a plan the profile does not cover
        _one_line(str(exc))
        return
    for o in obs:
        assert cal.is_working_day(o.due) or o.rule in {"quorum", "resolution_tier1_trigger"}
        o.as_json()  # the words can always be written


@FUZZ
@given(documents(), st.one_of(good_date, date_like, st.text(max_size=12)))
def test_coregroup_timeline_never_escapes(doc: Any, today: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "case.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(["timeline", str(path), "--today", today, "--json"])
            except SystemExit as exc:  # argparse refusing the option value itself
                rc = int(exc.code or 0)
    if rc == 0:
        assert err.getvalue() == ""
        json.loads(out.getvalue())
        return
    assert rc == 2, (rc, err.getvalue())
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines  # argparse's own refusals too (`--today -x`)
    assert out.getvalue() == ""
