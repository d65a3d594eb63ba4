"""Three months of one case per profile, on a simulated clock, through the real sweep, outbox and
delivery to the fake Slack Web API.

The story (the same for all nine profiles, dates in 2027): the conference on Tue 5 Jan; the first
core group booked for Tue 19 Jan (the health visitor says they are coming, the teacher sends
apologies and a report, the police officer is on email only); minutes of it circulated on Tue 9 Feb
(late under some profiles); a plan action for the health visitor due Tue 2 Feb left open; lead
social worker visits on 8 Jan and 1 Feb, the health visitor sees the child on 15 and 27 Jan;
an escalation raised by the health visitor on 15 Feb; the next core group booked on 8 Feb for
Tue 2 Mar, with the health visitor away 22 Feb–5 Mar (the teacher covers); a review conference
on Tue 30 Mar, the day after Easter Monday and two days after the clocks go forward; one case
(newham) in quiet digest mode. The sweep runs five times a day, every day, including 07:30 and
18:00 and weekends, so anything sent outside working hours would show.

Asserted: the exact list of reminders — when, which case, what, to whom — against
`walk_expected.txt` (regenerate with COREGROUP_REGEN_WALK=1 and review the diff); no reminder twice;
every message Slack received matches a row marked sent; nothing outside 09:00–17:00 London or on a
weekend or a bank holiday of the case's nation, checked with the `holidays` package rather than the
bot's own calendar.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
from fakes.slack_api import FakeSlackAPI
from world import ACTOR, LONDON, Case, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store

PROFILES = (
    "cwm-taf-morgannwg",
    "england",
    "newham",
    "northern-ireland",
    "sandwell",
    "scotland",
    "shropshire",
    "suffolk",
    "wales",
)
NATION_SUBDIV = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}
START = date(2027, 1, 5)
END = date(2027, 4, 5)
TICKS = ("07:30", "09:05", "10:05", "13:00", "18:00")
EXPECTED = Path(__file__).with_name("walk_expected.txt")
EVENT_DAYS = {
    "2027-01-05",
    "2027-01-06",
    "2027-01-08",
    "2027-01-12",
    "2027-01-14",
    "2027-01-15",
    "2027-01-19",
    "2027-01-27",
    "2027-02-01",
    "2027-02-08",
    "2027-02-09",
    "2027-02-15",
    "2027-02-19",
    "2027-03-02",
    "2027-03-05",
    "2027-03-08",
}


def _meeting_id(store: Store, c: Case, day: date) -> int:
    with store.read() as s:
        for m in repo.meetings(s, c.reference):
            if m.starts_at.astimezone(LONDON).date() == day:
                return int(m.id or 0)
    raise AssertionError(f"no meeting on {day}")


def _events(store: Store, c: Case, profile: str, day: date, hhmm: str) -> None:
    """The story's events at this tick, through the repository (audited, like the handlers)."""
    at = london(day, hhmm)
    ref, mem = c.reference, c.members
    key = (day.isoformat(), hhmm)
    if hhmm != "13:00" or key[0] not in EVENT_DAYS:
        return
    with store.transaction() as s:
        if key == ("2027-01-05", "13:00") and profile == "newham":
            repo.set_digest(s, ref, True, actor=ACTOR, now=at)
        if key == ("2027-01-06", "13:00"):
            repo.schedule_meeting(
                s,
                ref,
                actor=ACTOR,
                now=at,
                starts_at=london(date(2027, 1, 19), "10:00"),
                chair_member_id=mem["lead"],
            )
        if key == ("2027-01-08", "13:00"):
            repo.record_visit(
                s, ref, actor=ACTOR, now=at, on=day, by="lead_social_worker", member_id=mem["lead"]
            )
        if key == ("2027-01-12", "13:00"):
            mid = _meeting_id(store, c, date(2027, 1, 19))
            repo.record_attendance(s, ref, mid, actor=ACTOR, now=at, attended=[mem["hv"]])
        if key in (("2027-01-15", "13:00"), ("2027-01-27", "13:00")):
            repo.record_visit(s, ref, actor=ACTOR, now=at, on=day, by="professional", member_id=mem["hv"])
        if key == ("2027-01-14", "13:00"):
            mid = _meeting_id(store, c, date(2027, 1, 19))
            repo.record_attendance(s, ref, mid, actor=ACTOR, now=at, apologies=[mem["teacher"]])
            repo.request_reports(s, ref, mid, [mem["teacher"]], actor=ACTOR, now=at)
            repo.submit_report(
                s, ref, mid, mem["teacher"], "Attendance good; no concerns.", actor=ACTOR, now=at
            )
        if key == ("2027-01-19", "13:00"):
            mid = _meeting_id(store, c, date(2027, 1, 19))
            repo.hold_meeting(s, ref, mid, actor=ACTOR, now=at, social_worker_present=True)
            repo.record_attendance(s, ref, mid, actor=ACTOR, now=at, attended=[mem["lead"], mem["hv"]])
            repo.add_action(
                s,
                ref,
                actor=ACTOR,
                now=at,
                text="Arrange the hearing test",
                owner_member_id=mem["hv"],
                due_on=date(2027, 2, 2),
            )
        if key == ("2027-02-01", "13:00"):
            repo.record_visit(
                s, ref, actor=ACTOR, now=at, on=day, by="lead_social_worker", member_id=mem["lead"]
            )
        if key == ("2027-02-08", "13:00"):
            repo.schedule_meeting(
                s,
                ref,
                actor=ACTOR,
                now=at,
                starts_at=london(date(2027, 3, 2), "10:00"),
                chair_member_id=mem["lead"],
            )
        if key == ("2027-02-09", "13:00"):
            mid = _meeting_id(store, c, date(2027, 1, 19))
            repo.mark_minutes_circulated(s, ref, mid, actor=ACTOR, now=at)
        if key == ("2027-02-15", "13:00"):
            repo.raise_escalation(
                s, ref, actor=ACTOR, now=at, raised_by_member_id=mem["hv"], about="threshold"
            )
        if key == ("2027-02-19", "13:00"):
            repo.set_away(
                s,
                ref,
                mem["hv"],
                actor=ACTOR,
                now=at,
                away_from=date(2027, 2, 22),
                away_until=date(2027, 3, 5),
                cover_member_id=mem["teacher"],
            )
        if key == ("2027-03-02", "13:00"):
            mid = _meeting_id(store, c, date(2027, 3, 2))
            repo.hold_meeting(s, ref, mid, actor=ACTOR, now=at, social_worker_present=True)
            repo.record_attendance(s, ref, mid, actor=ACTOR, now=at, attended=[mem["lead"], mem["teacher"]])
        if key == ("2027-03-05", "13:00"):
            mid = _meeting_id(store, c, date(2027, 3, 2))
            repo.mark_minutes_circulated(s, ref, mid, actor=ACTOR, now=at)
        if key == ("2027-03-08", "13:00"):
            repo.schedule_meeting(
                s,
                ref,
                actor=ACTOR,
                now=at,
                kind="review_conference",
                starts_at=london(date(2027, 3, 30), "10:00"),
            )


def _who(dest: str, cases: dict[str, Case]) -> str:
    """`dm:UAHV` → `dm:hv`, `channel:CACHAN` → `channel`: readable and stable."""
    kind, _, target = dest.partition(":")
    if kind == "channel":
        return "channel"
    for c in cases.values():
        for label, user in c.users.items():
            if user == target:
                return f"dm:{label}"
        prefix = c.channel[1:-4]
        if target == f"U{prefix}MGR":
            return "dm:lead-manager"
        if target == f"U{prefix}HVMGR":
            return "dm:hv-manager"
    return dest


def walk(store: Store, fake: FakeSlackAPI) -> tuple[list[str], list[tuple[str, datetime, str]]]:
    clock = SimClock(london(START, "10:00"))
    port = SlackChat(make_client("xoxb-test", fake.base_url))
    cases: dict[str, Case] = {}
    for i, profile in enumerate(PROFILES):
        prefix = chr(ord("A") + i)
        cases[profile] = new_case(
            store,
            london(START, "07:00"),
            reference=f"CG-{i + 1:04d}",
            profile=profile,
            start=START,
            prefix=prefix,
        )
    by_ref = {c.reference: p for p, c in cases.items()}
    lines: list[str] = []
    raw: list[tuple[str, datetime, str]] = []
    day = START
    while day <= END:
        # Weekends: a morning and an evening tick are enough to show nothing goes out.
        for hhmm in TICKS if day.weekday() < 5 else ("09:05", "18:00"):
            for profile, c in cases.items():
                _events(store, c, profile, day, hhmm)
            clock.set(day, hhmm)
            for at, sent in run_sweep(store, port, clock):
                if sent.outcome not in ("sent", "digest"):
                    continue
                profile = by_ref[sent.reference]
                lines.append(
                    f"{at:%a %d %b %H:%M}  {profile:<18} {sent.kind:<21} "
                    f"{sent.audience:<15} {_who(sent.destination, cases)}"
                )
                raw.append((profile, at, sent.kind))
        day += timedelta(days=1)
    return lines, raw


def test_three_months_one_case_per_profile(store: Store, fake: FakeSlackAPI) -> None:
    lines, raw = walk(store, fake)
    if os.environ.get("COREGROUP_REGEN_WALK"):
        EXPECTED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines == EXPECTED.read_text(encoding="utf-8").splitlines()

    # Nothing twice: each outbox key went out once, and Slack got one call per row sent (plus the
    # digest's in-place edits, which are updates, not new posts).
    from storage import outbox

    with store.read() as s:
        rows = outbox.reminders(s)
    sent = [r for r in rows if r.status == "sent"]
    keys = Counter((r.case_id, r.rule, r.subject, r.stage) for r in sent)
    assert all(n == 1 for n in keys.values())
    assert len(sent) == len(lines)
    assert not [r for r in rows if r.status in ("dead", "claimed")]
    posts = fake.calls_to("chat.postMessage", ok=True)
    digest_rows = [r for r in sent if (r.payload or {}).get("digest")]
    digest_days = {(r.case_id, r.payload["digest"]) for r in digest_rows if r.payload}
    assert len(posts) == len(sent) - len(digest_rows) + len(digest_days)
    assert not fake.calls_to("chat.postMessage", ok=False)

    # Inside working hours, on working days, checked against the holidays package directly.
    from scheduling.profiles import load_profile

    for profile, at, kind in raw:
        here = at.astimezone(LONDON)
        nation = load_profile(profile).nation
        bank = holidays.country_holidays("GB", subdiv=NATION_SUBDIV[nation], years=here.year)
        assert here.weekday() < 5, (profile, here, kind)
        assert here.date() not in bank, (profile, here, kind, bank.get(here.date()))
        assert (9, 0) <= (here.hour, here.minute) < (17, 0), (profile, here, kind)

    # Every profile's case was reminded of something, and the story's turns show up.
    assert {p for p, _, _ in raw} == set(PROFILES)
    kinds = Counter(k for _, _, k in raw)
    for k in (
        "attendance",
        "report_request",
        "chair_bundle",
        "book_next",
        "action_soon",
        "overdue",
        "overdue_manager",
    ):
        assert kinds[k] > 0, k
