"""Regenerate the engine's golden table: `tests/engine/golden_cases.json` and `tests/engine/golden.csv`.

The table is the reviewed record of what `coregroup timeline` answers for small invented cases placed
around the dates where counting goes wrong (Christmas and New Year, Easter, Scotland's 2 January and
St Andrew's Day, Northern Ireland's 17 March and 12 July, month ends, weekend start events). A change
to the engine that moves any date shows up as a diff of this table in review, so regenerate it only on
purpose and read the diff by eye:

    .venv/bin/python scripts/golden.py          # rewrite both files
    .venv/bin/python scripts/golden.py --check  # exit 1 if the files are out of date

All case references and dates are invented.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a clean clone
    sys.path.insert(0, str(ROOT))

from scheduling.calendar import calendar_for  # noqa: E402
from scheduling.case import case_from_dict  # noqa: E402
from scheduling.engine import obligations  # noqa: E402
from scheduling.profiles import load_profile  # noqa: E402

CASES_PATH = ROOT / "tests" / "engine" / "golden_cases.json"
TABLE_PATH = ROOT / "tests" / "engine" / "golden.csv"
COLUMNS = ("scenario", "profile", "plan", "today", "rule", "due", "earliest", "limit", "status", "about")


def _s(sid: str, today: str, note: str, **case: Any) -> dict[str, Any]:
    return {"id": sid, "today": today, "note": note, "case": case}


def _held(d: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "core_group", "date": d, **extra}


# Each scenario: the facts of one invented case and the day we ask. The note says what it probes.
SCENARIOS: list[dict[str, Any]] = [
    # --- England (national profile) ----------------------------------------------------------
    _s(
        "eng-xmas",
        "2026-12-21",
        "ICPC Fri 18 Dec 2026: 10 WD over Christmas, Boxing Day observed, New Year",
        profile="england",
        plan="cp",
        start="2026-12-18",
    ),
    _s(
        "eng-easter-next",
        "2027-02-20",
        "next core group 6 weeks lands on Easter Monday 2027: back to Thu",
        profile="england",
        plan="cp",
        start="2027-01-11",
        meetings=[_held("2027-02-15")],
    ),
    _s(
        "eng-sat-start",
        "2027-05-02",
        "ICPC on Sat 1 May 2027, then May Day Monday: day 1 is Tue 4 May",
        profile="england",
        plan="cp",
        start="2027-05-01",
    ),
    _s(
        "eng-month-end",
        "2026-12-01",
        "3 months after 30 Nov is 28 Feb 2027, a Sunday: back to Fri 26 Feb",
        profile="england",
        plan="cp",
        start="2026-11-30",
    ),
    _s(
        "eng-review-held",
        "2026-10-01",
        "6 months after a review on 29 Sep 2026 is Easter Monday 2027",
        profile="england",
        plan="cp",
        start="2026-06-30",
        review_conferences=["2026-09-29"],
        meetings=[_held("2026-07-14"), _held("2026-09-15")],
    ),
    _s(
        "eng-bank-holiday-start",
        "2026-09-01",
        "ICPC on the Late Summer Bank Holiday itself (31 Aug 2026)",
        profile="england",
        plan="cp",
        start="2026-08-31",
    ),
    # --- Wales -------------------------------------------------------------------------------
    _s(
        "wls-xmas-2027",
        "2027-12-20",
        "Christmas 2027 on a weekend: 27, 28 Dec and 3 Jan 2028 observed",
        profile="wales",
        plan="cp",
        start="2027-12-17",
    ),
    _s(
        "wls-easter-2028",
        "2028-04-05",
        "10 WD across Good Friday and Easter Monday 2028",
        profile="wales",
        plan="cp",
        start="2028-04-03",
    ),
    _s(
        "wls-next-xmas",
        "2027-11-20",
        "6 weeks after 16 Nov 2027 is Tue 28 Dec (observed): back to Fri 24 Dec",
        profile="wales",
        plan="cp",
        start="2027-11-02",
        meetings=[_held("2027-11-16")],
    ),
    # --- Scotland ----------------------------------------------------------------------------
    _s(
        "sct-xmas",
        "2026-12-21",
        "15 WD over Christmas and Scotland's 2 January (observed Mon 4 Jan 2027)",
        profile="scotland",
        plan="cp",
        start="2026-12-18",
    ),
    _s(
        "sct-st-andrew",
        "2026-11-17",
        "15 WD across St Andrew's Day, Mon 30 Nov 2026",
        profile="scotland",
        plan="cp",
        start="2026-11-16",
    ),
    _s(
        "sct-easter",
        "2027-03-16",
        "15 WD across Easter 2027: Good Friday only, no Easter Monday in Scotland",
        profile="scotland",
        plan="cp",
        start="2027-03-15",
    ),
    _s(
        "sct-change-xmas",
        "2026-12-24",
        "3 calendar days from Wed 23 Dec 2026 is Sat 26 Dec: back past Christmas",
        profile="scotland",
        plan="cp",
        start="2026-12-01",
        meetings=[_held("2026-12-22")],
        significant_changes=["2026-12-23"],
    ),
    _s(
        "sct-new-year-2028",
        "2027-12-31",
        "3 days from Fri 31 Dec 2027 is Mon 3 Jan 2028 (holiday): back to 31 Dec",
        profile="scotland",
        plan="cp",
        start="2027-12-20",
        significant_changes=["2027-12-31"],
    ),
    _s(
        "sct-change-on-christmas",
        "2027-12-27",
        "DOUBT: a change on Sat 25 Dec 2027 + 3 days = Tue 28 (observed), rolled back past the event "
        "to Fri 24 Dec: due before it happened",
        profile="scotland",
        plan="cp",
        start="2027-12-01",
        significant_changes=["2027-12-25"],
    ),
    _s(
        "sct-august",
        "2027-06-22",
        "6 weeks after 21 Jun 2027 is Scotland's Summer Bank Holiday, 2 Aug",
        profile="scotland",
        plan="cp",
        start="2027-06-07",
        meetings=[_held("2027-06-21")],
    ),
    # --- Northern Ireland --------------------------------------------------------------------
    _s(
        "nir-patrick",
        "2027-03-08",
        "10 WD across St Patrick's Day, Wed 17 Mar 2027",
        profile="northern-ireland",
        plan="cp",
        start="2027-03-05",
    ),
    _s(
        "nir-twelfth",
        "2027-07-01",
        "10 WD across the Twelfth, Mon 12 Jul 2027",
        profile="northern-ireland",
        plan="cp",
        start="2027-06-30",
    ),
    _s(
        "nir-twelfth-observed",
        "2026-06-02",
        "12 Jul 2026 is a Sunday, observed Mon 13 Jul; first core group across the Spring Bank Holiday",
        profile="northern-ireland",
        plan="cp",
        start="2026-05-15",
        meetings=[_held("2026-06-01")],
    ),
    _s(
        "nir-easter",
        "2027-03-22",
        "10 WD across Good Friday and Easter Monday 2027 (both holidays in NI)",
        profile="northern-ireland",
        plan="cp",
        start="2027-03-19",
    ),
    # --- Newham (England) --------------------------------------------------------------------
    _s(
        "newham-full",
        "2027-01-28",
        "every timed Newham rule on one case over New Year",
        profile="newham",
        plan="cp",
        start="2026-12-18",
        review_conferences=["2027-03-10"],
        meetings=[_held("2027-01-05", lead_sw_present=True), {"kind": "core_group", "date": "2027-02-10"}],
        school_moves=["2027-01-11"],
        escalations=[{"raised": "2027-01-20", "stage": 2, "stage_started": "2027-01-27"}],
    ),
    _s(
        "newham-minutes-xmas",
        "2026-12-22",
        "minutes 7 days after Mon 21 Dec 2026 is 28 Dec (observed)",
        profile="newham",
        plan="cp",
        start="2026-12-07",
        meetings=[_held("2026-12-21")],
    ),
    _s(
        "newham-not-quorate",
        "2027-04-06",
        "lead SW absent: the last core group was not quorate",
        profile="newham",
        plan="cp",
        start="2027-03-12",
        meetings=[_held("2027-03-25", lead_sw_present=False, minutes_circulated="2027-03-30")],
    ),
    # --- Shropshire (England): cp, cin, lac -------------------------------------------------
    _s(
        "shrop-cp-month-end",
        "2027-02-01",
        "1 month after Fri 29 Jan 2027 is 28 Feb (Sun): back to Fri 26 Feb",
        profile="shropshire",
        plan="cp",
        start="2027-01-15",
        meetings=[_held("2027-01-29")],
    ),
    _s(
        "shrop-cp-review-held",
        "2027-01-04",
        "after a review on 23 Dec 2026: post-review core group, next review",
        profile="shropshire",
        plan="cp",
        start="2026-10-01",
        review_conferences=["2026-12-23"],
        meetings=[
            _held("2026-10-15", minutes_circulated="2026-10-20"),
            _held("2026-11-12", minutes_circulated="2026-11-16"),
            _held("2026-12-10"),
        ],
    ),
    _s(
        "shrop-cp-leap",
        "2028-02-01",
        "1 month after Mon 31 Jan 2028 is Tue 29 Feb 2028 (leap year)",
        profile="shropshire",
        plan="cp",
        start="2028-01-14",
        review_conferences=["2028-04-11"],
        meetings=[_held("2028-01-31")],
    ),
    _s(
        "shrop-cp-second-before-review",
        "2027-03-01",
        "the final window before the first review is met by the second core group, not the first",
        profile="shropshire",
        plan="cp",
        start="2027-01-15",
        review_conferences=["2027-04-14"],
        meetings=[
            _held("2027-01-28", minutes_circulated="2027-02-02"),
            _held("2027-02-25", minutes_circulated="2027-02-26"),
        ],
    ),
    _s(
        "shrop-cin-easter",
        "2027-04-05",
        "cin: 10 WD after the assessment across Easter 2027; 28 days; 12 weeks",
        profile="shropshire",
        plan="cin",
        start="2027-03-19",
        meetings=[_held("2027-04-01")],
    ),
    _s(
        "shrop-cin-review",
        "2027-09-01",
        "cin: a review on Tue 31 Aug 2027, the day after the bank holiday",
        profile="shropshire",
        plan="cin",
        start="2027-06-01",
        review_conferences=["2027-08-31"],
        meetings=[
            _held("2027-06-14", minutes_circulated="2027-06-16"),
            _held("2027-07-12", minutes_circulated="2027-07-14"),
            _held("2027-08-09", minutes_circulated="2027-08-11"),
        ],
    ),
    _s(
        "shrop-lac-review-xmas",
        "2027-12-15",
        "lac: 2 weeks after a review on 14 Dec 2027 is 28 Dec (observed)",
        profile="shropshire",
        plan="lac",
        start="2027-09-14",
        review_conferences=["2027-12-14"],
        meetings=[
            _held("2027-10-08", minutes_circulated="2027-10-12"),
            _held("2027-11-05", minutes_circulated="2027-11-09"),
            _held("2027-12-03", minutes_circulated="2027-12-07"),
        ],
    ),
    _s(
        "shrop-lac-xmas",
        "2027-12-01",
        "lac: 28 days after Tue 30 Nov 2027 is Tue 28 Dec (observed): back to 24 Dec",
        profile="shropshire",
        plan="lac",
        start="2027-11-30",
    ),
    _s(
        "shrop-lac-feb",
        "2027-02-02",
        "lac: second core group 28 days, next 1 month from Fri 29 Jan 2027",
        profile="shropshire",
        plan="lac",
        start="2027-01-04",
        meetings=[_held("2027-01-29")],
    ),
    # --- Suffolk (England) -------------------------------------------------------------------
    _s(
        "suffolk-example",
        "2027-01-06",
        "examples/case-suffolk.json on the day of the issue's example",
        **json.loads((ROOT / "examples" / "case-suffolk.json").read_text(encoding="utf-8")),
    ),
    _s(
        "suffolk-easter",
        "2027-03-25",
        "every timed Suffolk rule across Easter 2027",
        profile="suffolk",
        plan="cp",
        start="2027-03-01",
        review_conferences=["2027-05-20"],
        meetings=[
            _held("2027-03-12", social_worker_present=False, professionals_present=1),
            {"kind": "core_group", "date": "2027-04-20"},
        ],
        visits=[
            {"date": "2027-03-19", "by": "lead_social_worker", "seen_alone": True},
            {"date": "2027-03-24", "by": "professional"},
        ],
        significant_changes=["2027-03-24"],
    ),
    _s(
        "suffolk-sunday-start",
        "2027-08-29",
        "ICPC on Sun 29 Aug 2027, then the Late Summer Bank Holiday",
        profile="suffolk",
        plan="cp",
        start="2027-08-29",
    ),
    # --- Sandwell (England) ------------------------------------------------------------------
    _s(
        "sandwell-may",
        "2027-05-21",
        "May Day and Spring Bank Holiday 2027; escalation a working week",
        profile="sandwell",
        plan="cp",
        start="2027-04-30",
        meetings=[_held("2027-05-14"), {"kind": "core_group", "date": "2027-06-01"}],
        escalations=[{"raised": "2027-05-20", "stage": 1}],
    ),
    _s(
        "sandwell-minutes-easter",
        "2027-03-23",
        "minutes 7 days after Mon 22 Mar 2027 is Easter Monday",
        profile="sandwell",
        plan="cp",
        start="2027-03-08",
        meetings=[_held("2027-03-22")],
    ),
    # --- Cwm Taf Morgannwg (Wales) -----------------------------------------------------------
    _s(
        "ctm-new-year",
        "2027-01-12",
        "first core group, record in 5 WD, per-case visits, automatic Tier 1 date",
        profile="cwm-taf-morgannwg",
        plan="cp",
        start="2026-12-18",
        registered="2026-12-18",
        meetings=[_held("2027-01-05"), {"kind": "core_group", "date": "2027-01-26"}],
        visits=[{"date": "2027-01-08", "by": "lead_social_worker"}],
        lead_visit_every=10,
    ),
    _s(
        "ctm-tiers",
        "2027-07-02",
        "3rd review triggers Tier 1; Tier 2 after 12 weeks; no 12 July in Wales",
        profile="cwm-taf-morgannwg",
        plan="cp",
        start="2026-01-05",
        review_conferences=["2026-04-01", "2026-09-30", "2027-03-24"],
        meetings=[
            {"kind": "resolution_review_core_group", "date": "2027-05-12", "minutes_circulated": "2027-05-14"}
        ],
        resolution={"tier1_meetings": ["2027-04-07"]},
    ),
    _s(
        "ctm-request-xmas",
        "2027-12-21",
        "Tier 1 requested Mon 20 Dec 2027: 10 WD over Christmas and New Year",
        profile="cwm-taf-morgannwg",
        plan="cp",
        start="2027-06-14",
        review_conferences=["2027-09-13"],
        meetings=[_held("2027-11-29", minutes_circulated="2027-12-01")],
        resolution={"requested": "2027-12-20"},
    ),
]


def rows_for(scenarios: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """One row per obligation, in the order `coregroup timeline` lists them."""
    rows: list[dict[str, str]] = []
    for sc in scenarios:
        case = case_from_dict(sc["case"])
        profile = load_profile(case.profile)
        cal = calendar_for(profile.nation, profile.closures)
        today = date.fromisoformat(sc["today"])
        for o in obligations(case, profile, cal, today):
            rows.append(
                {
                    "scenario": sc["id"],
                    "profile": case.profile,
                    "plan": case.plan,
                    "today": sc["today"],
                    "rule": o.rule,
                    "due": o.due.isoformat(),
                    "earliest": o.earliest.isoformat() if o.earliest else "",
                    "limit": o.limit.isoformat() if o.limit else "",
                    "status": o.status,
                    "about": o.about,
                }
            )
    return rows


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def cases_json(scenarios: Sequence[dict[str, Any]]) -> str:
    return json.dumps(scenarios, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report whether the files are current")
    args = ap.parse_args(argv)
    want_cases = cases_json(SCENARIOS)
    want_table = to_csv(rows_for(SCENARIOS))
    if args.check:
        stale = [
            p
            for p, text in ((CASES_PATH, want_cases), (TABLE_PATH, want_table))
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        for p in stale:
            print(f"{p.relative_to(ROOT)} is out of date: run scripts/golden.py")
        return 1 if stale else 0
    CASES_PATH.parent.mkdir(parents=True, exist_ok=True)
    CASES_PATH.write_text(want_cases, encoding="utf-8")
    TABLE_PATH.write_text(want_table, encoding="utf-8")
    n = want_table.count("\n") - 1
    print(
        f"wrote {len(SCENARIOS)} scenarios to {CASES_PATH.relative_to(ROOT)} "
        f"and {n} rows to {TABLE_PATH.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
