"""Powers come from who granted them, never from the role words (issue items 1 and 8a).

Every story runs through Slack (signed requests to the real Bolt app), Teams (signed activities to
the real Teams SDK app) and the console, via the contract drivers. The attack: a parent adds an
outsider as "team manager"; the outsider then tried to change the start date, remove the lead
social worker and close the case — and, before this change, did.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from drivers import SLACK_IDS, TEAMS_IDS, Driver
from sqlmodel import select
from story import NEW, records

from handlers.common import Config
from storage import migrate
from storage import repository as repo
from storage.db import Store, make_engine
from storage.models import AuditEvent, Member

LONDON = ZoneInfo("Europe/London")
DriverFactory = Callable[..., AbstractContextManager[Driver]]
START = "2027-01-04"


def address(d: Driver, who: str) -> str:
    """How `who` is written in the audit log when typing on this adapter."""
    if d.platform == "teams":
        return f"teams:{TEAMS_IDS[who]}"
    return f"{d.platform}:{SLACK_IDS[who]}"


def member(d: Driver, name: str) -> Member:
    with d.store.read() as s:
        (m,) = [m for m in repo.members(s, "CG-0001") if m.display_name == name]
        s.expunge_all()
    return m


def events(d: Driver, action: str) -> list[AuditEvent]:
    with d.store.read() as s:
        rows = list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))  # type: ignore[arg-type]
        s.expunge_all()
    return rows


def with_parent(d: Driver) -> None:
    """A case, with the health visitor's account standing in for a parent (family)."""
    d.do("lead", NEW)
    d.do("lead", 'add @hv role:"parent"', mentions=("hv",))
    assert member(d, "Health Visitor").kind == "family"


def test_a_parent_cannot_add_anyone(adapter: Driver) -> None:
    """Family take part in the core group; they don't decide who else sees the record."""
    with_parent(adapter)
    for line in ('add @other role:"team manager"', 'add @other role:"health visitor"', "add"):
        said = adapter.do("hv", line, mentions=("other",) if "@" in line else ())
        assert "Only the professionals in CG-0001's core group can add people" in said.text, said.text
    with adapter.store.read() as s:
        assert [m.display_name for m in repo.members(s, "CG-0001")] == [
            "Lead Social Worker",
            "Health Visitor",
        ]


def test_a_professional_cannot_make_an_outsider_a_manager(adapter: Driver) -> None:
    with_parent(adapter)
    adapter.do("lead", 'add @teacher role:"designated teacher"', mentions=("teacher",))
    added = adapter.do("teacher", 'add @other role:"team manager"', mentions=("other",))

    for line in ("change start:2027-01-01", "close"):
        said = adapter.do("other", line)
        assert "Only CG-0001's lead social worker or their manager can" in said.text, said.text
    said = adapter.do("other", "remove @lead", mentions=("lead",))
    assert "Only CG-0001's lead social worker can take someone else out" in said.text
    assert records(adapter)["case"] == ("CG-0001", "suffolk", "cp", START, "active")
    assert member(adapter, "Lead Social Worker").left_on is None

    outsider = member(adapter, "Someone Else")
    assert outsider.role == "team_manager" and outsider.powers is False
    assert "without a manager's powers" in added.text and "Ask the lead social worker" in added.text
    # Nor can the parent, the professional, or the outsider hand the powers on.
    for who in ("hv", "teacher", "other"):
        said = adapter.do(who, "grant @other", mentions=("other",))
        assert "can give or take back a manager's powers" in said.text, said.text
    assert member(adapter, "Someone Else").powers is False
    assert (
        events(adapter, "member.powers_granted")[-1].entity_id == member(adapter, "Lead Social Worker").id
    )  # only the lead's own grant at `new`


def test_a_parent_cannot_name_a_new_lead_social_worker(adapter: Driver) -> None:
    with_parent(adapter)
    adapter.do("lead", "remove @lead", mentions=("lead",))  # the lead leaves the case
    said = adapter.do("hv", 'add @other role:"lead social worker"', mentions=("other",))
    assert "Only the professionals in CG-0001's core group can add people" in said.text, said.text
    with adapter.store.read() as s:
        assert [m.role for m in repo.members(s, "CG-0001")] == ["parent"]


def test_a_professional_cannot_name_a_new_lead_social_worker(adapter: Driver) -> None:
    adapter.do("lead", NEW)
    adapter.do("lead", 'add @teacher role:"designated teacher"', mentions=("teacher",))
    adapter.do("lead", "remove @lead", mentions=("lead",))  # the lead leaves the case
    said = adapter.do("teacher", 'add @other role:"lead social worker"', mentions=("other",))
    assert "can name a new lead social worker" in said.text, said.text
    with adapter.store.read() as s:
        assert "lead_social_worker" not in [
            m.role for m in repo.members(s, "CG-0001") if m.display_name == "Someone Else"
        ]


def test_the_lead_grants_and_revokes_and_every_grant_is_audited(adapter: Driver) -> None:
    adapter.do("lead", NEW)
    lead = member(adapter, "Lead Social Worker")
    assert lead.powers and lead.powers_granted_by == address(adapter, "lead")

    adapter.do(
        "lead", 'add @teacher role:"team manager" agency:"Children\'s services"', mentions=("teacher",)
    )
    manager = member(adapter, "Designated Teacher")
    assert manager.powers and manager.powers_granted_by == address(adapter, "lead")

    adapter.do("lead", 'add @other role:"social worker"', mentions=("other",))
    said = adapter.do("lead", "grant @other", mentions=("other",))
    assert "@other now has the manager powers." in said.text, said.text
    granted = events(adapter, "member.powers_granted")
    assert [(e.entity_id, e.actor) for e in granted] == [
        (lead.id, address(adapter, "lead")),
        (manager.id, address(adapter, "lead")),
        (member(adapter, "Someone Else").id, address(adapter, "lead")),
    ]

    # The manager the lead made can use the powers, and withdraw the ones the lead gave.
    said = adapter.do("teacher", "change start:2027-01-01")
    assert "CG-0001 now starts on Fri 1 Jan 2027." in said.text, said.text
    said = adapter.do("teacher", "revoke @other", mentions=("other",))
    assert "@other no longer has the manager powers." in said.text, said.text
    (withdrawn,) = events(adapter, "member.powers_withdrawn")
    assert withdrawn.actor == address(adapter, "teacher")
    assert json.loads(withdrawn.before or "{}")["powers_granted_by"] == address(adapter, "lead")
    said = adapter.do("other", "close")
    assert "Only CG-0001's lead social worker or their manager can close it." in said.text


def test_family_never_hold_powers(adapter: Driver) -> None:
    with_parent(adapter)
    said = adapter.do("lead", "grant @hv", mentions=("hv",))
    assert "family members never hold a case's powers" in said.text, said.text
    assert member(adapter, "Health Visitor").powers is False


def test_a_deployment_manager_acts_on_any_case_and_is_audited(make_driver: DriverFactory) -> None:
    config = Config(
        channel_prefix="cg-",
        managers=frozenset({f"slack:{SLACK_IDS['teacher']}", f"teams:{TEAMS_IDS['teacher']}"}),
    )
    with make_driver(config) as d:
        d.do("lead", NEW)
        d.do("lead", 'add @hv role:"health visitor"', mentions=("hv",))
        # Not a member: still may grant, change and close (and nobody else who is not may).
        assert "Only members of CG-0001" in d.do("other", "CG-0001 change start:2027-01-01").text
        said = d.do("teacher", "CG-0001 grant @hv", mentions=("hv",))
        assert "@hv now has the manager powers." in said.text, said.text
        assert member(d, "Health Visitor").powers_granted_by == address(d, "teacher")
        said = d.do("teacher", "CG-0001 change start:2027-01-01")
        assert "CG-0001 now starts on Fri 1 Jan 2027." in said.text, said.text
        said = d.do("teacher", 'CG-0001 close reason:"Plan ended" confirm')
        assert "CG-0001 is closed: Plan ended" in said.text, said.text
        (closed,) = events(d, "case.closed")
        assert closed.actor == address(d, "teacher")


# --- line managers (8a) -------------------------------------------------------------------------


def test_a_line_manager_must_be_in_the_core_group(adapter: Driver) -> None:
    adapter.do("lead", NEW)
    adapter.do("lead", 'add @hv role:"health visitor"', mentions=("hv",))
    said = adapter.do("hv", "away 2027-02-01 manager:@other", mentions=("other",))
    assert "isn't in CG-0001's core group, so I can't send its reminders to them" in said.text
    hv = member(adapter, "Health Visitor")
    assert hv.away_from is None
    assert hv.manager_address() is None

    adapter.do("lead", 'add @teacher role:"team manager"', mentions=("teacher",))
    said = adapter.do("hv", "away 2027-02-01 manager:@teacher", mentions=("teacher",))
    assert "your reminders go to your line manager @teacher" in said.text, said.text
    # The lead social worker (who holds the case's powers) may name their own, member or not.
    said = adapter.do("lead", "away 2027-02-01 manager:@other", mentions=("other",))
    assert "your reminders go to your line manager @other" in said.text, said.text


# --- migration 0006 -----------------------------------------------------------------------------


@pytest.fixture
def old_world(empty_db_url: str) -> Iterator[str]:
    """A database with the rows the old code could write, taken back to revision 0005."""
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    store = Store(engine)
    now = datetime(2027, 1, 4, 14, 0, tzinfo=LONDON)
    lead, parent = "slack:U0LEAD", "slack:U0HV"
    with store.transaction() as s:
        repo.create_case(
            s,
            actor=lead,
            now=now,
            profile="suffolk",
            plan="cp",
            start=date(2027, 1, 4),
            registered=date(2027, 1, 4),
            reference="CG-0001",
        )
        people = [  # (actor who added them, name, role, kind, slack id)
            (lead, "Lead", "lead_social_worker", "professional", "U0LEAD"),
            (lead, "Manager", "team_manager", "professional", "U0MGR"),
            (parent, "Parent", "parent", "family", "U0HV"),
            (parent, "Outsider", "team_manager", "professional", "U0OTHER"),
            (lead, "Teacher", "designated_teacher", "professional", "U0TEACH"),
        ]
        for actor, name, role, kind, uid in people:
            repo.add_member(
                s,
                "CG-0001",
                actor=actor,
                now=now,
                display_name=name,
                role=role,
                kind=kind,
                addresses={"slack": uid},
            )
    migrate.downgrade(engine, "0005")
    engine.dispose()
    yield empty_db_url


def _powers(url: str) -> dict[str, tuple[bool, str | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT display_name, powers, powers_granted_by FROM member").all()
        return {name: (bool(p), by) for name, p, by in rows}
    finally:
        engine.dispose()


def test_migration_keeps_only_provable_grants_and_rows_survive(old_world: str) -> None:
    engine = make_engine(old_world)
    try:
        migrate.upgrade(engine, "0006")
    finally:
        engine.dispose()
    assert _powers(old_world) == {
        "Lead": (True, "slack:U0LEAD"),
        "Manager": (True, "slack:U0LEAD"),
        "Parent": (False, None),
        "Outsider": (False, None),  # a "team manager" added by a parent: no powers
        "Teacher": (False, None),
    }
    engine = make_engine(old_world)
    try:
        migrate.downgrade(engine, "0005")
        with engine.connect() as conn:
            names = sorted(r[0] for r in conn.exec_driver_sql("SELECT display_name FROM member"))
        assert names == ["Lead", "Manager", "Outsider", "Parent", "Teacher"]
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()


def test_members_shows_the_lead_a_manager_role_without_powers(adapter: Driver) -> None:
    with_parent(adapter)
    adapter.do("lead", 'add @teacher role:"designated teacher"', mentions=("teacher",))
    # A manager role given by a professional without powers: in, but without them.
    adapter.do("teacher", 'add @other role:"team manager"', mentions=("other",))
    adapter.do("lead", "grant @teacher", mentions=("teacher",))
    lines = adapter.do("lead", "members").text.splitlines()
    assert any("@teacher" in x and x.endswith("— manager powers") for x in lines), lines
    assert any("@other" in x and "no manager powers yet (`/coregroup grant @other`)" in x for x in lines), (
        lines
    )
    assert "grant" not in adapter.do("hv", "members").text  # only those who can grant see how


def test_coregroup_managers_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import UsageError
    from bot.settings import handler_config, load_settings

    monkeypatch.setenv("COREGROUP_MANAGERS", "slack:U0MGR, teams:29:1team-manager,")
    assert handler_config(load_settings()).managers == {"slack:U0MGR", "teams:29:1team-manager"}
    monkeypatch.setenv("COREGROUP_MANAGERS", "U0MGR")
    with pytest.raises(UsageError, match="COREGROUP_MANAGERS: 'U0MGR' is not slack:"):
        handler_config(load_settings())
