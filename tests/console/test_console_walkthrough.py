"""The walkthrough: two whole cases driven through the console, day by day, with the reminders
each working morning — written out to docs/walkthrough.md so a social worker can read what the
bot does, and checked here so the page stays true.

A Suffolk case (England) from its conference on Mon 4 Jan 2027 to the second core group on
Mon 22 Feb, and a Cwm Taf Morgannwg case (Wales) from its conference on Mon 4 Jan through Tier 1
(Mon 25 Jan), the review core group, the review conference and Tier 2 (Wed 28 Apr). Commands
are typed in the console (`bot.console.ConsoleSession`) as a new user would; each morning the
sweep and delivery run at 09:05 and 10:05 through the console's own chat port (what `/time`
will do once it runs a sweep). Some things are left undone on purpose, to show the chase: the
Suffolk child is not seen by the 10-working-day deadline, and a plan action is finished late.

Asserted: the page matches (regenerate with COREGROUP_REGEN_WALKTHROUGH=1 and read the diff);
no reminder twice (an overdue item at most once a working day); each chase present (the person
responsible, then their line manager, then the channel); nobody asked for a report who runs the
meeting; no ISO date in anything the bot says.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.console import ConsoleSession
from bot.delivery import Delivery, Pacer, Sent
from handlers.sweep import sweep
from scheduling.calendar import calendar_for
from scheduling.london import LONDON
from scheduling.wording import long_date
from storage import repository as repo
from storage.db import Store

PAGE = Path(__file__).resolve().parents[2] / "docs" / "walkthrough.md"
TICKS = ("09:05", "10:05")
ACTOR = "test:walkthrough"

#: Who is who (console user ids; no names anywhere).
PEOPLE = {
    "U0LEAD": "lead social worker",
    "U0HV": "health visitor",
    "U0TEACH": "designated teacher",
    "U0MGR": "the lead social worker's line manager",
    "U0HVMGR": "the health visitor's line manager",
}
#: Line managers, recorded by an administrator (no chat command sets them).
MANAGERS = {"U0LEAD": "U0MGR", "U0HV": "U0HVMGR"}

SETUP = [
    '/coregroup add @U0HV role:"health visitor" agency:"NHS"',
    '/coregroup add @U0TEACH role:"designated teacher" agency:"School"',
    '/coregroup add email:parent@example.org name:"Parent" role:parent',
]

# (day, time, user, case, command)
Step = tuple[date, str, str, str, str]


def _d(day: str) -> date:
    return date.fromisoformat(day)


SUFFOLK: list[Step] = [
    (
        _d("2027-01-04"),
        "14:00",
        "U0LEAD",
        "",
        "/coregroup new CG-0001 profile:suffolk plan:cp start:2027-01-04",
    ),
    *[(_d("2027-01-04"), "14:05", "U0LEAD", "CG-0001", c) for c in SETUP],
    (
        _d("2027-01-04"),
        "14:10",
        "U0LEAD",
        "CG-0001",
        '/coregroup meeting 2027-01-15 10:00 venue:"Family centre"',
    ),
    (_d("2027-01-04"), "14:15", "U0LEAD", "CG-0001", "/coregroup review 2027-03-30 14:00"),
    (_d("2027-01-11"), "11:00", "U0HV", "CG-0001", "/coregroup attending 2027-01-15"),
    (_d("2027-01-12"), "11:00", "U0TEACH", "CG-0001", "/coregroup apologies 2027-01-15"),
    (
        _d("2027-01-12"),
        "11:05",
        "U0TEACH",
        "CG-0001",
        "/coregroup report 2027-01-15 Seen daily at school; attendance 96%.",
    ),
    (
        _d("2027-01-15"),
        "16:00",
        "U0LEAD",
        "CG-0001",
        "/coregroup held 2027-01-15 attended:@U0LEAD,@U0HV apologies:@U0TEACH",
    ),
    (
        _d("2027-01-15"),
        "16:05",
        "U0LEAD",
        "CG-0001",
        '/coregroup action add "Book the dental check-up" owner:@U0HV due:2027-02-01',
    ),
    # The child is not seen by Mon 18 Jan: chased on the 19th, the manager told on the 20th.
    (_d("2027-01-21"), "14:00", "U0HV", "CG-0001", "/coregroup visit 2027-01-21 seen-alone"),
    (_d("2027-01-21"), "14:05", "U0LEAD", "CG-0001", "/coregroup minutes sent 2027-01-21"),
    (_d("2027-01-22"), "15:00", "U0LEAD", "CG-0001", "/coregroup visit 2027-01-22 seen-alone"),
    (_d("2027-02-01"), "11:00", "U0LEAD", "CG-0001", "/coregroup meeting 2027-02-22 10:00"),
    # The dental check-up was due Mon 1 Feb: chased on the 2nd and 3rd, done on the 4th.
    (_d("2027-02-04"), "14:00", "U0HV", "CG-0001", "/coregroup action done 1"),
    (_d("2027-02-15"), "11:00", "U0HV", "CG-0001", "/coregroup attending 2027-02-22"),
    (_d("2027-02-17"), "11:00", "U0TEACH", "CG-0001", "/coregroup attending 2027-02-22"),
    (
        _d("2027-02-22"),
        "16:00",
        "U0LEAD",
        "CG-0001",
        "/coregroup held 2027-02-22 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-03-01"), "11:00", "U0LEAD", "CG-0001", "/coregroup minutes sent 2027-03-01"),
    (_d("2027-03-01"), "11:05", "U0LEAD", "CG-0001", "/coregroup meeting 2027-03-15 10:00"),
    (_d("2027-03-08"), "11:00", "U0HV", "CG-0001", "/coregroup attending 2027-03-15"),
    (_d("2027-03-08"), "11:05", "U0TEACH", "CG-0001", "/coregroup attending 2027-03-15"),
    (
        _d("2027-03-15"),
        "16:00",
        "U0LEAD",
        "CG-0001",
        "/coregroup held 2027-03-15 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-03-19"), "11:00", "U0LEAD", "CG-0001", "/coregroup minutes sent 2027-03-19"),
    (_d("2027-03-31"), "11:00", "U0LEAD", "CG-0001", "/coregroup status"),
    (_d("2027-03-31"), "11:05", "U0LEAD", "CG-0001", "/coregroup meeting 2027-04-20 10:00"),
    (_d("2027-04-13"), "11:00", "U0HV", "CG-0001", "/coregroup attending 2027-04-20"),
    (_d("2027-04-13"), "11:05", "U0TEACH", "CG-0001", "/coregroup attending 2027-04-20"),
    (
        _d("2027-04-20"),
        "16:00",
        "U0LEAD",
        "CG-0001",
        "/coregroup held 2027-04-20 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-04-23"), "11:00", "U0LEAD", "CG-0001", "/coregroup minutes sent 2027-04-23"),
    (_d("2027-04-23"), "11:05", "U0LEAD", "CG-0001", "/coregroup status"),
]
# The child seen every week by the health visitor (from the end of January) and every three
# weeks by the lead social worker.
SUFFOLK += [
    (d, "15:00", "U0HV", "CG-0001", f"/coregroup visit {d}")
    for d in (_d("2027-01-27") + timedelta(days=7 * n) for n in range(14))
]
SUFFOLK += [
    (_d(d), "15:10", "U0LEAD", "CG-0001", f"/coregroup visit {d} seen-alone")
    for d in ("2027-02-11", "2027-03-04", "2027-03-24", "2027-04-14")
]

CTM: list[Step] = [
    (
        _d("2027-01-04"),
        "15:00",
        "U0LEAD",
        "",
        "/coregroup new CG-0002 profile:cwm-taf-morgannwg plan:cp start:2027-01-04",
    ),
    *[(_d("2027-01-04"), "15:05", "U0LEAD", "CG-0002", c) for c in SETUP],
    (_d("2027-01-04"), "15:10", "U0LEAD", "CG-0002", "/coregroup meeting 2027-01-15 10:00"),
    (_d("2027-01-08"), "11:00", "U0HV", "CG-0002", "/coregroup attending 2027-01-15"),
    (_d("2027-01-08"), "11:05", "U0TEACH", "CG-0002", "/coregroup attending 2027-01-15"),
    (_d("2027-01-11"), "15:00", "U0HV", "CG-0002", "/coregroup visit 2027-01-11"),
    (
        _d("2027-01-15"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-01-15 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-01-18"), "11:00", "U0LEAD", "CG-0002", "/coregroup tier1 2027-01-25 10:00"),
    (_d("2027-01-20"), "11:00", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-01-20"),
    (
        _d("2027-01-25"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-01-25 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-01-26"), "11:00", "U0LEAD", "CG-0002", "/coregroup meeting 2027-02-24 10:00"),
    (_d("2027-01-26"), "15:00", "U0LEAD", "CG-0002", "/coregroup visit 2027-01-26 seen-alone"),
    (_d("2027-01-29"), "11:00", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-01-29"),
    (_d("2027-02-17"), "11:00", "U0HV", "CG-0002", "/coregroup attending 2027-02-24"),
    (_d("2027-02-17"), "11:05", "U0TEACH", "CG-0002", "/coregroup attending 2027-02-24"),
    (
        _d("2027-02-24"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-02-24 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-02-25"), "11:00", "U0LEAD", "CG-0002", "/coregroup review 2027-03-31 14:00"),
    (_d("2027-02-25"), "11:05", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-02-25"),
    (_d("2027-03-01"), "11:00", "U0LEAD", "CG-0002", "/coregroup meeting 2027-03-16 10:00"),
    (_d("2027-03-09"), "11:00", "U0HV", "CG-0002", "/coregroup attending 2027-03-16"),
    (_d("2027-03-09"), "11:05", "U0TEACH", "CG-0002", "/coregroup attending 2027-03-16"),
    (
        _d("2027-03-16"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-03-16 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-03-17"), "11:00", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-03-17"),
    (_d("2027-04-01"), "11:00", "U0LEAD", "CG-0002", "/coregroup status"),
    (_d("2027-04-01"), "11:05", "U0LEAD", "CG-0002", "/coregroup meeting 2027-04-26 10:00"),
    (_d("2027-04-19"), "11:05", "U0HV", "CG-0002", "/coregroup attending 2027-04-26"),
    (
        _d("2027-04-26"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-04-26 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-04-27"), "11:00", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-04-27"),
    (_d("2027-04-19"), "11:00", "U0LEAD", "CG-0002", "/coregroup tier2 2027-04-28 10:00"),
    (
        _d("2027-04-28"),
        "16:00",
        "U0LEAD",
        "CG-0002",
        "/coregroup held 2027-04-28 attended:@U0LEAD,@U0HV,@U0TEACH",
    ),
    (_d("2027-04-30"), "11:00", "U0LEAD", "CG-0002", "/coregroup minutes sent 2027-04-30"),
    (_d("2027-04-30"), "11:10", "U0LEAD", "CG-0002", "/coregroup status"),
]
# Visits every other week in the Welsh case, so the story is about Tier 1 and Tier 2.
CTM += [
    (d, "15:30", "U0HV", "CG-0002", f"/coregroup visit {d}")
    for d in (_d("2027-01-04") + timedelta(days=n) for n in range(9, 120, 7))
    if d.weekday() == 2 and d != _d("2027-01-26")
]
CTM += [
    (d, "15:40", "U0LEAD", "CG-0002", f"/coregroup visit {d} seen-alone")
    for d in (_d("2027-01-26") + timedelta(days=n) for n in range(14, 100, 14))
]

START, END = _d("2027-01-04"), _d("2027-04-30")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@dataclass
class Day:
    day: date
    typed: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # time, user, command, replies
    reminders: list[tuple[str, Sent]] = field(default_factory=list)  # time, what delivery did


def _replies(text: str) -> list[str]:
    """The first line of each message the console printed: where it went, and what it said."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines[:-1]):
        if (
            line.startswith("  ")
            and not line.startswith("   ")
            and (line.startswith("  #") or line.startswith("  (only @") or line.startswith("  coregroup → @"))
        ):
            out.append(f"{line.strip()}: {lines[i + 1].strip()}")
    return out


def walk(store: Store) -> tuple[list[Day], str]:
    out = io.StringIO()
    at = datetime.combine(START, time(9, 0), tzinfo=LONDON)
    session = ConsoleSession(store=store, clock=lambda: at, user="U0LEAD", source=io.StringIO(""), out=out)
    steps = sorted(SUFFOLK + CTM, key=lambda s: (s[0], s[1]))
    days: list[Day] = []
    cal = calendar_for("england")
    day = START
    while day <= END:
        today = Day(day)
        moments = sorted({*TICKS, *(s[1] for s in steps if s[0] == day)})
        for hhmm in moments:
            now = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=LONDON)
            session.clock = lambda now=now: now
            if hhmm in TICKS:
                sweep(store, now)
                sent = Delivery(store, session.chat, clock=session.clock, worker="walk", pacer=Pacer(0)).run()
                today.reminders += [(hhmm, s) for s in sent if s.outcome in ("sent", "digest")]
            for s_day, s_time, user, ref, command in steps:
                if s_day != day or s_time != hhmm:
                    continue
                session.user = user
                if ref:
                    session.meta(f"/in {ref}")
                mark = len(out.getvalue())
                session.run(command)
                today.typed.append((hhmm, user, command, _replies(out.getvalue()[mark:])))
                if command.startswith("/coregroup new"):
                    session.meta(f"/in {command.split()[2]}")
                if command.startswith(("/coregroup new", "/coregroup add")):
                    _managers(store, ref or command.split()[2])
        if today.typed or today.reminders or cal.is_working_day(day):
            days.append(today)
        day += timedelta(days=1)
    session.close()
    return days, out.getvalue()


def _managers(store: Store, reference: str) -> None:
    """The line managers an administrator records for the lead social worker and the health
    visitor, as each joins."""
    with store.transaction() as s:
        for m in repo.members(s, reference):
            user = m.address("slack")
            if user in MANAGERS:
                repo.update_member(
                    s,
                    reference,
                    m.id or 0,
                    actor=ACTOR,
                    now=datetime.combine(START, time(14, 1), tzinfo=LONDON),
                    changes={},
                    line_manager_addresses={"slack": MANAGERS[user]},
                )


def _where(dest: str, channels: dict[str, str]) -> str:
    kind, _, target = dest.partition(":")
    if kind == "dm":
        return f"@{target} ({PEOPLE.get(target, 'member')})"
    return f"#{channels.get(target, target)}"


def render(days: list[Day], channels: dict[str, str]) -> str:
    lines = [
        "# A walkthrough: two cases, day by day",
        "",
        "Generated by `tests/console/test_console_walkthrough.py` (which checks it stays true: regenerate",
        "with `COREGROUP_REGEN_WALKTHROUGH=1`). Two core groups run in the console from their",
        "conferences on Mon 4 Jan 2027: **CG-0001** under the Suffolk guidance (England) and",
        "**CG-0002** under Cwm Taf Morgannwg's (Wales), through Tier 1 and Tier 2. Each working",
        "morning the reminder sweep runs at 09:05 and 10:05. Typed commands are shown with the",
        "first line of each reply; reminders with who received them. People are shown by their",
        "role (console ids `U0LEAD`, `U0HV`, `U0TEACH`; line managers `U0MGR`, `U0HVMGR`).",
        "",
        "Left undone on purpose, to show the chase: in CG-0001 nobody sees the child by the",
        "10-working-day deadline (Mon 18 Jan), and the dental check-up due Mon 1 Feb is done",
        "three days late. Each overdue item goes to the person responsible on the first working",
        "day after, to their line manager once the day after, then into the channel once a",
        "working day (one message for all that is still overdue) until it is done.",
        "",
    ]
    for d in days:
        if not d.typed and not d.reminders:
            continue
        lines.append(f"## {long_date(d.day)}")
        lines.append("")
        events: list[tuple[str, int, list[str]]] = []
        for hhmm, user, command, replies in d.typed:
            block = [f"- {hhmm} **{PEOPLE[user]}** types `{command}`"]
            block += [f"  - {r}" for r in replies]
            events.append((hhmm, 1, block))
        digests: dict[tuple[str, str], list[str]] = {}
        for hhmm, s in d.reminders:
            if s.outcome == "digest":
                digests.setdefault((hhmm, s.destination), []).append(s.preview)
                continue
            events.append((hhmm, 0, [f"- {hhmm} reminder to {_where(s.destination, channels)}: {s.preview}"]))
        for (hhmm, dest), previews in digests.items():
            block = [f"- {hhmm} daily message in {_where(dest, channels)}:"]
            block += [f"  - {p}" for p in previews]
            events.append((hhmm, 0, block))
        for _hhmm, _order, block in sorted(events, key=lambda e: (e[0], e[1])):
            lines += block
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _channels(store: Store) -> dict[str, str]:
    with store.read() as s:
        out = {}
        for case in repo.list_cases(s, status=None):
            conv = repo.conversation(s, case.reference, "slack")
            if conv and conv.channel:
                out[conv.channel] = f"cg-{case.reference.lower()}"
        return out


def test_the_walkthrough(store: Store) -> None:
    days, console_text = walk(store)
    page = render(days, _channels(store))
    if os.environ.get("COREGROUP_REGEN_WALKTHROUGH"):
        PAGE.write_text(page, encoding="utf-8")
    assert page == PAGE.read_text(encoding="utf-8"), "docs/walkthrough.md is out of date"

    sent = [(d.day, hhmm, s) for d in days for hhmm, s in d.reminders]
    # No reminder twice: an overdue item at most once a working day, anything else once.
    once = Counter((s.destination, s.preview) for _, _, s in sent if s.kind != "overdue_daily")
    assert [k for k, n in once.items() if n > 1] == []
    daily = Counter((day, s.preview) for day, _, s in sent if s.kind == "overdue_daily")
    assert [k for k, n in daily.items() if n > 1] == []
    # Nothing on a weekend or a bank holiday, nothing outside working hours.
    eng = calendar_for("england")
    assert all(eng.is_working_day(day) for day, _, _ in sent)

    def to(kind: str, dest: str, text: str) -> list[date]:
        return [day for day, _, s in sent if s.kind == kind and s.destination == dest and text in s.preview]

    # The chase of the Suffolk child not seen by Mon 18 Jan: lead, manager, then the channel.
    child = "CG-0001: the child was due to be seen by Mon 18 Jan"
    assert to("overdue", "dm:U0LEAD", child) == [_d("2027-01-19")]
    assert to("overdue_manager", "dm:U0MGR", child) == [_d("2027-01-20")]
    channel = next(c for c, name in _channels(store).items() if name == "cg-cg-0001")
    assert to("overdue_daily", f"channel:{channel}", child) == [_d("2027-01-21")]
    # The dental check-up, due Mon 1 Feb, done on Thu 4 Feb: the owner, their manager, the channel.
    action = "CG-0001: plan action 1 (“Book the dental check-up”) is overdue (due Mon 1 Feb)"
    assert to("overdue", "dm:U0HV", action) == [_d("2027-02-02")]
    assert to("overdue_manager", "dm:U0HVMGR", action) == [_d("2027-02-03")]
    assert to("overdue_daily", f"channel:{channel}", action) == [_d("2027-02-04")]
    # Tier 2 in Wales: the trigger day asks the channel to decide.
    assert [d for d, _, s in sent if s.kind == "tier2_trigger" and "CG-0002" in s.preview] == [
        _d("2027-04-19")
    ]
    # Whoever runs the meeting is never asked for a report; family never are.
    asked = {s.destination for _, _, s in sent if s.kind == "report_request"}
    assert asked <= {"dm:U0TEACH", "dm:U0HV"}, asked
    # No ISO date in anything the bot says (commands, and the buttons' command lines, may).
    said = [
        line
        for line in console_text.splitlines()
        if line.strip() and not line.startswith("> ") and "Try `" not in line and "saved as" not in line
    ]
    assert [line for line in said if ISO.search(re.sub(r"`[^`]*`", "", line))] == []
