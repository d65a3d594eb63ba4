"""The core group's story, step by step, as every adapter must tell it (tests/contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from storage import repository as repo
from storage.models import Attendance, Member

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"


@dataclass
class Step:
    who: str
    text: str = ""
    mentions: tuple[str, ...] = ()
    #: London time to move the clock to first.
    at: str | None = None
    #: Fill the form the step opens: values by field id, and multi-select picks by label.
    form: dict[str, str] | None = None
    choose: dict[str, list[str]] = field(default_factory=dict)


STORY: list[Step] = [
    Step("lead", NEW),
    Step("lead", 'add @hv role:"health visitor" agency:"NHS"', ("hv",)),
    Step("lead", 'add @teacher role:"designated teacher" agency:"School"', ("teacher",)),
    Step("lead", 'meeting 2027-01-15 10:00 venue:"Family centre"'),
    Step("hv", "report", form={"text": "Seen twice at home; weight on track."}),
    Step(
        "lead",
        "held",
        at="2027-01-15T12:00",
        form={"date": "2027-01-15"},
        choose={"attended": ["lead social worker", "health visitor"], "apologies": ["designated teacher"]},
    ),
    Step("lead", "minutes sent 2027-01-18", at="2027-01-18T15:00"),
    Step("hv", "visit 2027-01-18 seen-alone"),
    Step("lead", 'action add "Book the dental check-up" owner:@hv due:2027-02-01', ("hv",)),
    Step("lead", "status"),
]


#: Where the platforms deliberately differ: `new` on Teams links the channel it was typed in
#: (a bot can't create one everywhere), so it says so instead of "creating the private channel".
CREATING = "I'm creating the private channel #cg-cg-0001 and pinning the first deadlines there."
LINKING = "I've linked the channel you typed this in and I'm posting the first deadlines there."
WHERE_NEW = {"slack": CREATING, "console": CREATING, "teams": LINKING}


def as_on(platform: str, text: str) -> str:
    """Slack's wording of `text` as `platform` words it (the deliberate differences above)."""
    return text.replace(CREATING, WHERE_NEW[platform])


def run(driver: Any, step: Step) -> Any:
    if step.at:
        driver.clock.set(step.at)
    said = driver.do(step.who, step.text, mentions=step.mentions)
    if step.form is not None:
        said = driver.fill(step.who, step.form, step.choose)
    return said


def records(driver: Any) -> dict[str, Any]:
    """The case's record without platform ids: what must be the same whoever typed it."""
    with driver.store.read() as s:
        case = repo.get_case(s, "CG-0001")
        members = sorted(
            (m.role, m.agency, m.kind, m.display_name, m.email, m.left_on)
            for m in repo.members(s, "CG-0001", on=None)
        )
        meetings = [
            (m.kind, m.status, m.starts_at.isoformat(), m.venue, m.minutes_circulated_at is not None)
            for m in repo.meetings(s, "CG-0001")
        ]
        role_of = {m.id: m.role for m in s.exec(select(Member)).all()}
        attendance = sorted((role_of[a.member_id], a.status) for a in s.exec(select(Attendance)).all())
        reports = sorted(
            (role_of[r.member_id], r.text, r.submitted_at is not None)
            for m in repo.meetings(s, "CG-0001")
            for r in repo.reports(s, "CG-0001", m.id or 0)
        )
        visits = [
            (v.visited_on.isoformat(), v.seen_alone, v.by, role_of.get(v.member_id or 0))
            for v in repo.visits(s, "CG-0001")
        ]
        actions = [
            (a.text, a.status, role_of.get(a.owner_member_id), a.due_on.isoformat() if a.due_on else None)
            for a in repo.actions(s, "CG-0001")
        ]
        return {
            "case": (case.reference, case.profile, case.plan, case.start.isoformat(), case.status),
            "members": members,
            "meetings": meetings,
            "attendance": attendance,
            "reports": reports,
            "visits": visits,
            "actions": actions,
        }
