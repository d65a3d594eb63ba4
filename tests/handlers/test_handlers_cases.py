"""Handlers end to end on a real (SQLite) store: a whole case, access rules, bad input leaving the
record unchanged, retries, and the profile-specific rules (windows, quorum, rota, resolution)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fakes.env import CtxFactory, MovableClock
from sqlmodel import func, select

from handlers.common import Context
from handlers.dispatch import handle_text
from handlers.home import home
from handlers.replies import (
    CreateChannel,
    EmailInvitation,
    Invite,
    Kick,
    Outcome,
    SyncInvitation,
    render,
)
from scheduling.case import case_to_dict
from storage import repository as repo
from storage.db import Store
from storage.models import AuditEvent

NEW = "new CG-0001 profile:suffolk plan:cp start:2027-01-04"
CHANNEL = "C0CASE"


def shown(line: str) -> str:
    """A line as these tests read it: mention tokens written the Slack way, `<@U…>`."""
    return render(line, escape=str, mention=lambda u: f"<@{u}>")


def text(out: Outcome) -> str:
    lines = []
    for r in out.replies:
        lines += [r.message.preview, *r.message.detail, *r.message.context]
        lines += [f"[{b.label}] {b.value}" for b in r.message.buttons]
    return shown("\n".join(lines))


def run(ctx: Context, line: str) -> Outcome:
    return handle_text(ctx, line)


def setup_case(ctx: CtxFactory, store: Store, profile: str = "suffolk", start: str = "2027-01-04") -> None:
    out = run(ctx(), f"new CG-0001 profile:{profile} plan:cp start:{start}")
    assert any(isinstance(e, CreateChannel) for e in out.effects), text(out)
    with store.transaction() as s:
        repo.link_channel(s, "CG-0001", actor="test", now=ctx().now, kind="slack", channel_id=CHANNEL)
    for line in (
        'add <@U0HV> role:"health visitor" agency:NHS',
        'add <@U0TEACH> role:"designated teacher" agency:School',
    ):
        out = run(ctx(channel=CHANNEL), line)
        assert "joined the core group" in text(out), text(out)


def snapshot(store: Store) -> tuple[int, object]:
    """The audit length and the engine's view: if neither moved, nothing changed."""
    with store.read() as s:
        audit = s.exec(select(func.count()).select_from(AuditEvent)).one()
        try:
            state: object = case_to_dict(repo.case_state(s, "CG-0001"))
        except Exception:
            state = None
    return audit, state


def test_new_case_records_lead_and_asks_for_a_channel(ctx: CtxFactory, store: Store) -> None:
    out = run(ctx(), NEW)
    effect = next(e for e in out.effects if isinstance(e, CreateChannel))
    assert effect.name == "cg-cg-0001" and effect.members == ("U0LEAD",)
    summary = "\n".join([effect.summary.preview, *effect.summary.detail, *effect.summary.context])
    assert "First core group** by Mon 18 Jan 2027" in summary
    assert "first_core_group · Suffolk guidance §2.1" in summary
    with store.read() as s:
        lead = repo.member_by_address(s, "CG-0001", "slack", "U0LEAD")
        assert lead.role == "lead_social_worker"


def test_a_whole_case(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store)
    c = lambda user="U0LEAD": ctx(user, CHANNEL)  # noqa: E731
    out = run(c(), 'add email:gp@example.org name:"Practice GP" role:gp agency:NHS')
    assert any(isinstance(e, EmailInvitation) for e in out.effects)
    out = run(c(), 'meeting 2027-01-15 10:00 venue:"Family centre"')
    assert "core group booked for Fri 15 Jan 2027 (in 9 working days)" in text(out)
    assert any(isinstance(e, SyncInvitation) and e.meeting_id for e in out.effects)
    out = run(c("U0TEACH"), "apologies")
    assert "written report is due by Thu 14 Jan 2027" in text(out)
    assert "[Write my report] CG-0001 report 2027-01-15" in text(out)
    out = run(c("U0TEACH"), "report")
    assert out.form is not None and out.form.id == "report"
    out = run(c("U0TEACH"), "report Two contacts; no new concerns.")
    assert "1 of 1 written report in" in text(out)
    clock.set("2027-01-15T16:00")
    out = run(c(), "held")
    assert out.form is not None and out.form.id == "held"
    out = run(c(), "held attended:<@U0LEAD>,<@U0HV> apologies:<@U0TEACH>")
    t = text(out)
    assert "recorded as held" in t and "Quorate: **yes**" in t
    assert "Minutes go to every member by **Fri 5 Feb 2027" in t
    assert "quorum · Suffolk guidance §4.7" in t
    clock.set("2027-01-21T10:00")
    assert "On time: they were due by Fri 5 Feb 2027" in text(run(c(), "minutes sent"))
    t = text(run(c(), "visit 2027-01-20 seen-alone"))
    assert "Child seen by a professional: next by Wed 3 Feb 2027" in t
    t = text(run(c(), 'action add "Book the dental check-up" owner:<@U0HV> due:2027-02-01'))
    assert "plan action 1 added" in t
    assert "plan action 1 done" in text(run(c("U0HV"), "action done 1"))
    assert "[done] Book the dental check-up" in text(run(c(), "actions"))
    t = text(run(c(), "status"))
    assert "Next core group by Fri 26 Feb 2027" in t
    assert "next_core_group · Suffolk guidance §3.1" in t
    cases = home(ctx("U0HV"))
    assert [m.preview.split(" ")[0] for m in cases] == ["CG-0001"]


def test_home_lists_own_reports_and_actions_newest_first(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(), "new CG-0002 profile:newham plan:cp start:2027-01-04")
    run(ctx(), 'add <@U0HV> role:"health visitor" case:CG-0002')
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    run(ctx("U0HV", CHANNEL), "apologies")
    run(ctx(channel=CHANNEL), 'action add "Weigh the baby" owner:<@U0HV> due:2027-01-20')
    cases = home(ctx("U0HV"))
    assert [m.preview[:7] for m in cases] == ["CG-0002", "CG-0001"]
    mine = "\n".join(cases[1].detail)
    assert "Your written report for the core group: due by" in mine
    assert "Action 1: Weigh the baby" in mine


def test_outside_window_asks_before_booking(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    before = snapshot(store)
    out = run(ctx(channel=CHANNEL), 'meeting 2027-01-28 10:00 venue:"Family centre"')
    t = text(out)
    assert "outside the window" in t and "Suffolk guidance §2.1" in t
    assert "8 working days after the latest date, **Mon 18 Jan 2027**" in t
    labels = [b.label for r in out.replies for b in r.message.buttons]
    assert labels == ["Book it anyway", "Pick another date"]
    assert snapshot(store) == before
    confirm = next(b.value for r in out.replies for b in r.message.buttons if b.label == "Book it anyway")
    assert "booked for Thu 28 Jan 2027" in text(run(ctx(channel=CHANNEL), confirm))


Bad = tuple[str, str, str]
BAD_INPUT: list[Bad] = [
    ("U0LEAD", "meeting 2027-01-03 10:00", "before CG-0001 started"),
    ("U0LEAD", "meeting 2027-01-04 09:00", "has already passed"),
    ("U0LEAD", "meeting 2027-02-30 10:00", "February 2027 has 28 days"),
    ("U0LEAD", "meeting", ""),  # opens the form: nothing written
    ("U0LEAD", "review 2027-01-02", "is not after it"),
    ("U0LEAD", "held 2027-01-05 attended:<@U0LEAD>", "hasn't happened yet"),
    ("U0LEAD", "held 2027-01-03 attended:<@U0LEAD>", "before CG-0001 started"),
    ("U0LEAD", "held attended:<@U0NOBODY>", "isn't a member"),
    ("U0LEAD", "minutes sent", "still waiting for its minutes"),
    ("U0LEAD", "visit 2027-01-05", "still to come"),
    ("U0LEAD", "visit 2027-01-02", "before CG-0001 started"),
    ("U0LEAD", "visit 2027-01-04 by <@U0NOBODY>", "isn't a member"),
    ("U0LEAD", "add <@U0NOBODY> role:police", "can't find"),
    ("U0LEAD", "add <@U0BOT> role:police", "Bots can't"),
    ("U0LEAD", 'add <@U0HV> role:"health visitor"', "already in the core group"),
    ("U0LEAD", "remove <@U0NOBODY>", "isn't a member"),
    ("U0LEAD", 'action add "x" owner:<@U0NOBODY>', "isn't a member"),
    ("U0LEAD", 'action add "x" due:2026-12-01', "before CG-0001 started"),
    ("U0LEAD", "action done 9", "there is no number 9"),
    ("U0LEAD", "cancel", "no meeting booked"),
    ("U0LEAD", "escalate", "no open concern"),
    ("U0LEAD", "resolve", "no open concern"),
    ("U0LEAD", "resolution request", "Cwm Taf Morgannwg"),
    ("U0LEAD", "tier1 2027-03-01", "Cwm Taf Morgannwg"),
    ("U0LEAD", "report", "no core group booked"),
    ("U0LEAD", "apologies", "no core group booked"),
    ("U0LEAD", "change profile:nowhere", "I don't know the profile"),
    ("U0LEAD", "change start:2027-01-05", "is still to come"),
    ("U0LEAD", "frobnicate", "I don't know `frobnicate`"),
    ("U0OTHER", "status", "Only members of CG-0001"),
    ("U0OTHER", "meeting 2027-01-15 10:00", "Only members of CG-0001"),
    ("U0OTHER", "add <@U0OTHER> role:police", "Only members of CG-0001"),
    ("U0OTHER", "actions", "Only members of CG-0001"),
    ("U0HV", "close", "Only CG-0001's lead social worker"),
    ("U0HV", "change profile:newham", "Only CG-0001's lead social worker"),
    ("U0HV", "remove <@U0TEACH>", "Only CG-0001's lead social worker"),
]


@pytest.mark.parametrize(
    ("user", "line", "problem"), BAD_INPUT, ids=[f"{u}:{line}" for u, line, _ in BAD_INPUT]
)
def test_bad_input_changes_nothing(ctx: CtxFactory, store: Store, user: str, line: str, problem: str) -> None:
    setup_case(ctx, store)
    before = snapshot(store)
    out = run(ctx(user, CHANNEL), line)
    assert snapshot(store) == before
    assert all(r.audience == "actor" for r in out.replies)
    assert not out.effects
    if problem:
        t = text(out)
        assert problem in t
        if not any(w in problem for w in ("Only", "already", "can't be changed")):
            assert "Try `/coregroup " in t


def test_case_outside_its_channel_needs_a_reference(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    assert "Which case?" in text(run(ctx(channel="D0DM"), "status"))
    assert "CG-0001: next" in text(run(ctx(channel="D0DM"), "status CG-0001"))
    # The same refusal as for a case one is not in: no hint that a reference exists or not.
    assert "Only members of CG-0404's core group" in text(run(ctx(), "status CG-0404"))


def test_a_retry_changes_nothing_twice(ctx: CtxFactory, store: Store) -> None:
    first = run(ctx(key="slack:trigger:1"), NEW)
    assert first.effects
    again = run(ctx(key="slack:trigger:1"), NEW)
    assert again.duplicate and not again.replies and not again.effects
    with store.transaction() as s:
        repo.link_channel(s, "CG-0001", actor="t", now=ctx().now, kind="slack", channel_id=CHANNEL)
    line = 'add <@U0HV> role:"health visitor"'
    assert run(ctx(channel=CHANNEL, key="slack:trigger:2"), line).effects
    assert run(ctx(channel=CHANNEL, key="slack:trigger:2"), line).duplicate
    run(ctx(channel=CHANNEL, key="slack:trigger:3"), "meeting 2027-01-15 10:00")
    run(ctx(channel=CHANNEL, key="slack:trigger:3"), "meeting 2027-01-15 10:00")
    with store.read() as s:
        assert len(repo.members(s, "CG-0001")) == 2
        assert len(repo.meetings(s, "CG-0001")) == 1
    # a second `new` with a fresh request id is refused by the record itself
    assert "already exists" in text(run(ctx(key="slack:trigger:4"), NEW))


def test_lead_and_manager_may_close(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), 'add <@U0MGR> role:"team manager"')
    out = run(ctx("U0MGR", CHANNEL), 'close reason:"Plan ended" confirm')
    assert "CG-0001 is closed" in text(out)
    assert "closed" in text(run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00"))


def test_remove_member_kicks_and_keeps_history(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    out = run(ctx(channel=CHANNEL), "remove <@U0TEACH>")
    assert Kick("CG-0001", "U0TEACH") in out.effects
    assert "Only members" in text(run(ctx("U0TEACH", CHANNEL), "status"))
    with store.read() as s:
        assert len(repo.members(s, "CG-0001", include_left=True)) == 3


def test_newham_quorum_needs_the_social_worker(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store, profile="newham")
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    clock.set("2027-01-15T16:00")
    t = text(run(ctx(channel=CHANNEL), "held attended:<@U0HV>,<@U0TEACH>"))
    assert "Quorate: **no**" in t and "did not attend" in t
    assert "quorum · Newham guidance §9.3" in t


def test_cwm_taf_rota_never_has_the_social_worker_chair(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    run(ctx(channel=CHANNEL), "add <@U0POLICE> role:police agency:Police")
    t = text(run(ctx(channel=CHANNEL), "rota"))
    assert "chair <@U0LEAD>" not in t
    assert "the chair must not be the social worker" in t.lower()
    suffolk_like = t.count("chair <@")
    assert suffolk_like == 4


def test_wales_resolution_process(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    out = run(ctx(channel=CHANNEL), "resolution request")
    assert out.form is not None and out.form.id == "resolution"
    clock.set("2027-03-01T10:00")
    t = text(run(ctx(channel=CHANNEL), "resolution request 2027-03-01"))
    assert "Resolution: Tier 1 meeting by **Mon 15 Mar 2027" in t
    t = text(run(ctx(channel=CHANNEL), "tier1 2027-03-12 10:00"))
    assert "Tier 1 resolution meeting recorded for Fri 12 Mar 2027" in t


def test_newham_escalation_has_a_stage_clock(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store, profile="newham")
    t = text(run(ctx(channel=CHANNEL), 'concern "Plan not reducing the risk"'))
    assert "Stage 1: **practitioners**" in t and "Mon 11 Jan 2027" in t
    assert "first-line managers" in t
    t = text(run(ctx(channel=CHANNEL), "escalate"))
    assert "stage 2" in t and "**first-line managers**" in t
    assert "resolved at stage 2" in text(run(ctx(channel=CHANNEL), "resolve"))


def test_help_and_forms(ctx: CtxFactory, store: Store) -> None:
    assert "`meeting` — schedule the next core group" in text(run(ctx(), "help"))
    out = run(ctx(), "new")
    assert out.form is not None and out.form.id == "new"
    assert len(out.form.title) <= 24


Check = Callable[[Outcome], bool]


def test_invite_effect_on_add(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    out = run(ctx(channel=CHANNEL), "add <@U0POLICE> role:police agency:Police")
    assert Invite("CG-0001", ("U0POLICE",)) in out.effects


def test_status_is_fresh_after_every_change(ctx: CtxFactory, store: Store) -> None:
    """Status is cached by the record's version: a change in the same minute still shows."""
    setup_case(ctx, store)
    first = text(run(ctx(channel=CHANNEL), "status"))
    assert "Open plan actions" not in first
    assert first == text(run(ctx("U0HV", CHANNEL), "status"))  # served from the cache
    run(ctx(channel=CHANNEL), 'action add "Weigh the baby" due:2027-01-05')
    assert "Open plan actions: 1" in text(run(ctx(channel=CHANNEL), "status"))
    assert "Only members" in text(run(ctx("U0OTHER", CHANNEL), "status"))  # access still checked


EVERY_SUB_COMMAND = [
    "status",
    "rota",
    "members",
    "actions",
    "add <@U0POLICE> role:police",
    "remove <@U0HV>",
    "meeting 2027-01-15 10:00",
    "meeting",
    "review 2027-03-10",
    "held",
    "held 2027-01-04",
    "minutes sent",
    "cancel",
    "visit 2027-01-04",
    "report",
    "report All well.",
    "apologies",
    'action add "x"',
    "action done 1",
    "action",
    'concern "x"',
    "escalate",
    "resolve",
    "resolution request",
    "tier1 2027-03-01",
    "tier2 2027-03-01",
    "close",
    "change profile:newham",
]


@pytest.mark.parametrize("line", EVERY_SUB_COMMAND)
def test_a_non_member_is_refused_everything(ctx: CtxFactory, store: Store, line: str) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), 'action add "An action"')
    before = snapshot(store)
    out = run(ctx("U0OTHER", CHANNEL), line)
    assert "Only members of CG-0001's core group" in text(out), text(out)
    assert out.form is None and not out.effects
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "line",
    [
        "meeting 2027-01-03 10:00",
        "review 2027-01-03",
        "held 2027-01-03 attended:<@U0LEAD>",
        "minutes sent 2027-01-03",
        "visit 2027-01-03",
        'action add "x" due:2027-01-03',
    ],
)
def test_dates_before_the_start_are_refused(ctx: CtxFactory, store: Store, line: str) -> None:
    setup_case(ctx, store)
    before = snapshot(store)
    t = text(run(ctx(channel=CHANNEL), line))
    assert "before CG-0001 started" in t or "is not after it" in t, t
    assert "Try `/coregroup " in t
    assert snapshot(store) == before
