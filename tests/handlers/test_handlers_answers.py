"""The answers to reminders (`attending`, `apologies`, `report`, each with an optional date and
callable as `CG-0001 <command>` from a button), absence and cover (`away`, `back`, `members`),
`digest`, `risk reduced`, `change start:`, the manager roles setting, and the pinned summary
refresh that every change asks for."""

from __future__ import annotations

import pytest
from fakes.env import CtxFactory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, shown, snapshot, text

from handlers.common import Config, Context
from handlers.dispatch import handle_text
from handlers.replies import ArchiveChannel, RefreshSummary
from handlers.summary import case_summary
from storage import repository as repo
from storage.db import Store


def booked(ctx: CtxFactory, store: Store) -> None:
    """CG-0001 (Suffolk) with the lead, a health visitor and a teacher; a core group on Fri 15
    Jan 2027 (chair: the lead, minutes: the health visitor, from the rota) and another on Fri 12
    Feb 2027; then a police officer and a GP reached by email join."""
    setup_case(ctx, store)
    t = text(run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00"))
    assert "Chair: <@U0LEAD>; minutes: <@U0HV>" in t
    assert "booked" in text(run(ctx(channel=CHANNEL), "meeting 2027-02-12 10:00 another confirm"))
    run(ctx(channel=CHANNEL), "add <@U0POLICE> role:police agency:Police")
    run(ctx(channel=CHANNEL), 'add email:gp@example.org name:"Practice GP" role:gp agency:NHS')


def answers(store: Store, day: str = "2027-01-15") -> dict[str, str]:
    """Who said what for the meeting on `day`: {user id: status}, plus "report:<user>" keys."""
    with store.read() as s:
        meeting = next(m for m in repo.meetings(s, "CG-0001") if m.starts_at.date().isoformat() == day)
        assert meeting.id is not None
        people = {m.id: m.address("slack") for m in repo.members(s, "CG-0001")}
        out = {str(people[a.member_id]): a.status for a in repo.attendance(s, "CG-0001", meeting.id)}
        for r in repo.reports(s, "CG-0001", meeting.id):
            out[f"report:{people[r.member_id]}"] = "in" if r.submitted_at else "asked"
    return out


# --- the buttons' command lines work from a DM ----------------------------------------------------


def test_reminder_button_lines_work_from_a_direct_message(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    dm = lambda user: ctx(user, "D0DM")  # noqa: E731
    t = text(run(dm("U0HV"), "CG-0001 attending 2027-01-15"))
    assert "CG-0001: you're down as attending the core group on Fri 15 Jan 2027 at 10:00" in t
    # expected: teacher and police officer (not the chair or minute-taker, not the GP who is
    # reached by email only, not anyone attending), as the reminder sweep counts
    assert "0 of 2 written reports in · 1 attending · 0 sent apologies · 2 not answered" in t
    out = run(dm("U0TEACH"), "CG-0001 apologies 2027-01-15")
    t = text(out)
    assert "apologies noted" in t and "written report is due by Thu 14 Jan 2027" in t
    assert "[Write my report] CG-0001 report 2027-01-15" in t
    assert "written_report · Suffolk guidance" in t
    assert answers(store) == {"U0HV": "attended", "U0TEACH": "apologies", "report:U0TEACH": "asked"}
    out = run(dm("U0TEACH"), "CG-0001 report 2027-01-15")
    assert out.form is not None and out.form.id == "report"
    assert "Fri 15 Jan 2027" in (out.form.intro or "")
    out = run(dm("U0TEACH"), "CG-0001 report 2027-01-15 Seen at school; attendance 96%.")
    assert "1 of 2 written reports in" in text(out)
    assert answers(store)["report:U0TEACH"] == "in"
    # the other lines a reminder carries
    assert "Only members" not in text(run(dm("U0LEAD"), "CG-0001 meeting"))
    assert run(dm("U0LEAD"), "CG-0001 meeting").form is not None
    assert "no open concern" in text(run(dm("U0LEAD"), "CG-0001 resolve"))
    assert "no open concern" in text(run(dm("U0LEAD"), "CG-0001 escalate"))
    assert "Cwm Taf Morgannwg" in text(run(dm("U0LEAD"), "CG-0001 risk reduced"))
    run(dm("U0LEAD"), 'CG-0001 action add "Weigh the baby"')
    assert "done" in text(run(dm("U0LEAD"), "CG-0001 action done 1")).lower()


def test_answers_for_a_later_meeting_and_changing_ones_mind(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    c = lambda user: ctx(user, CHANNEL)  # noqa: E731
    run(c("U0HV"), "apologies 2027-02-12")
    assert answers(store, "2027-02-12") == {"U0HV": "apologies", "report:U0HV": "asked"}
    assert answers(store) == {}  # the next meeting is untouched
    run(c("U0HV"), "attending 2027-02-12")
    assert answers(store, "2027-02-12")["U0HV"] == "attended"
    before = snapshot(store)
    t = text(run(c("U0HV"), "attending 2027-02-12"))
    assert "already down as attending" in t
    assert snapshot(store) == before  # a second click writes nothing
    # without a date: the next meeting
    run(c("U0TEACH"), "attending")
    assert answers(store)["U0TEACH"] == "attended"


def test_apologies_after_the_report_is_in_does_not_ask_again(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    run(ctx("U0HV", CHANNEL), "report All well at the last visit.")
    t = text(run(ctx("U0HV", CHANNEL), "apologies"))
    assert "your written report is already in" in t and "[Write my report]" not in t


def test_family_members_are_not_asked_for_a_written_report(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    run(ctx(channel=CHANNEL), "add <@U0MGR> role:mother")
    t = text(run(ctx("U0MGR", CHANNEL), "apologies"))
    assert "apologies noted" in t and "written report" not in t.split("\n")[0]
    assert "report:U0MGR" not in answers(store)


BAD_ANSWERS = [
    ("U0HV", "attending 2027-01-16", "no meeting booked on Sat 16 Jan 2027; the next is on Fri 15"),
    ("U0HV", "attending 2027-01-16", "Try `/coregroup attending 2027-01-15`"),
    ("U0HV", "apologies 2027-01-01", "has passed"),
    ("U0HV", "apologies 2027-13-01", "months run from 01 to 12"),
    ("U0HV", "attending tomorrow", "couldn't read `tomorrow` as a date"),
    ("U0HV", "report 2027-01-20", "no meeting booked on Wed 20 Jan 2027"),
    ("U0HV", "CG-0001 attending case:CG-0002", "names two cases"),
    ("U0HV", "away", "needs the first day you are away"),
    ("U0HV", "away 2027-02-10 until 2027-02-01", "is before the first day away"),
    ("U0HV", "away until 2027-01-01", "has passed"),
    ("U0HV", "away 2027-02-01 cover:<@U0HV>", "can't cover for yourself"),
    ("U0HV", "away 2027-02-01 cover:<@U0MGR>", "isn't in CG-0001's core group"),
    ("U0HV", "away 2027-02-01 manager:<@U0GHOST>", "can't find <@U0GHOST>"),
    ("U0HV", "digest maybe", "say `digest on` or `digest off`"),
    ("U0HV", "digest", "needs `on` or `off`"),
    ("U0HV", "risk", "Say `risk reduced`"),
    ("U0HV", "risk reduced", "CG-0001 follows Suffolk"),
    ("U0LEAD", "change start:2027-01-20", "still to come"),
    ("U0OTHER", "attending", "Only members of CG-0001"),
    ("U0OTHER", "CG-0001 apologies 2027-01-15", "Only members of CG-0001"),
    ("U0OTHER", "report 2027-01-15 text", "Only members of CG-0001"),
    ("U0OTHER", "report 2027-01-15", "Only members of CG-0001"),
    ("U0OTHER", "away 2027-02-01", "Only members of CG-0001"),
    ("U0OTHER", "back", "Only members of CG-0001"),
    ("U0OTHER", "digest on", "Only members of CG-0001"),
    ("U0OTHER", "risk reduced", "Only members of CG-0001"),
    ("U0HV", "change start:2027-01-04", "Only CG-0001's lead social worker"),
]


@pytest.mark.parametrize(
    ("user", "line", "problem"), BAD_ANSWERS, ids=[f"{u}:{line}" for u, line, _ in BAD_ANSWERS]
)
def test_bad_answers_change_nothing(
    ctx: CtxFactory, store: Store, user: str, line: str, problem: str
) -> None:
    booked(ctx, store)
    before = snapshot(store)
    out = run(ctx(user, CHANNEL), line)
    t = text(out)
    assert problem in t, t
    assert snapshot(store) == before
    assert all(r.audience == "actor" for r in out.replies)
    assert not out.effects and out.form is None
    if user != "U0OTHER" and "Only" not in problem:
        assert "Try `/coregroup " in t, t


# --- away and back ----------------------------------------------------------------------------


def test_away_with_cover_shows_in_members_and_back_clears_it(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    c = lambda user: ctx(user, CHANNEL)  # noqa: E731
    out = run(c("U0HV"), "away 2027-01-11 until 2027-01-22 cover:<@U0TEACH|teacher>")
    t = text(out)
    assert "CG-0001: you're marked away from Mon 11 Jan 2027 until Fri 22 Jan 2027" in t
    assert "your reminders go to <@U0TEACH> (covering)" in t
    channel = [r for r in out.replies if r.audience == "channel"]
    assert channel and "<@U0HV> is away" in shown(channel[0].message.preview)
    assert RefreshSummary("CG-0001") in out.effects
    with store.read() as s:
        hv = repo.member_by_address(s, "CG-0001", "slack", "U0HV")
        teach = repo.member_by_address(s, "CG-0001", "slack", "U0TEACH")
        assert (hv.away_from.isoformat(), hv.away_until.isoformat()) == (  # type: ignore[union-attr]
            "2027-01-11",
            "2027-01-22",
        )
        assert hv.cover_member_id == teach.id
        assert repo.cover_for(s, "CG-0001", hv.id, hv.away_from).id == teach.id  # type: ignore[arg-type]
    members = text(run(c("U0LEAD"), "members"))
    assert "<@U0HV> — NHS — **away** from Mon 11 Jan 2027 until Fri 22 Jan 2027 (cover <@U0TEACH>)" in members
    t = text(run(c("U0HV"), "back"))
    assert "welcome back" in t
    with store.read() as s:
        hv = repo.member_by_address(s, "CG-0001", "slack", "U0HV")
        assert hv.away_from is None and hv.cover_member_id is None
    assert "**away**" not in text(run(c("U0LEAD"), "members"))
    before = snapshot(store)
    assert "weren't marked away" in text(run(c("U0HV"), "back"))
    assert snapshot(store) == before


def test_away_from_a_dm_covers_every_core_group_and_names_the_line_manager(
    ctx: CtxFactory, store: Store
) -> None:
    booked(ctx, store)
    run(ctx(), "new CG-0002 profile:newham plan:cp start:2027-01-04")
    run(ctx(), 'add <@U0HV> role:"health visitor" case:CG-0002')
    # A line manager hears the case's reminders, so they must be in its core group.
    for ref in ("CG-0001", "CG-0002"):
        run(ctx(), f'add <@U0MGR> role:"team manager" case:{ref}')
    out = run(ctx("U0HV", "D0DM"), "away until 2027-01-29 manager:<@U0MGR>")
    t = text(out)
    assert "CG-0001, CG-0002: you're marked away from today until Fri 29 Jan 2027" in t
    assert "CG-0002: your reminders go to your line manager <@U0MGR>." in t
    assert {e for e in out.effects if isinstance(e, RefreshSummary)} == {
        RefreshSummary("CG-0001"),
        RefreshSummary("CG-0002"),
    }
    with store.read() as s:
        for ref in ("CG-0001", "CG-0002"):
            hv = repo.member_by_address(s, ref, "slack", "U0HV")
            assert hv.away_from is not None and hv.away_from.isoformat() == "2027-01-04"
            assert hv.manager_address("slack") == "U0MGR"
            assert hv.line_manager_name == "Team Manager"
    assert "line manager <@U0MGR> hears" in text(run(ctx(channel=CHANNEL), "members"))


def test_away_without_cover_says_no_one_hears(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    t = text(run(ctx("U0TEACH", CHANNEL), "away 2027-01-11"))
    assert "until `back`" in t
    assert "your reminders go to this channel, as no one covers: name a colleague with `cover:@someone`" in t


# --- digest and risk reduced ------------------------------------------------------------------


def test_digest_on_and_off(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    out = run(ctx("U0HV", CHANNEL), "digest on")
    (post,) = [r for r in out.replies if r.audience == "channel"]
    assert "now come as one morning digest" in post.message.preview
    with store.read() as s:
        assert repo.get_case(s, "CG-0001").digest is True
    before = snapshot(store)
    assert "already on" in text(run(ctx("U0HV", CHANNEL), "digest on"))
    assert snapshot(store) == before
    assert "separate posts again" in text(run(ctx(channel=CHANNEL), "digest off"))
    with store.read() as s:
        assert repo.get_case(s, "CG-0001").digest is False


def test_risk_reduced_stops_tier2_in_cwm_taf(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    c = ctx(channel=CHANNEL)
    assert "no Tier 1 meeting on the record" in text(run(c, "risk reduced"))
    clock.set("2027-03-01T10:00")
    run(ctx(channel=CHANNEL), "resolution request 2027-03-01")
    clock.set("2027-03-12T16:00")
    run(ctx(channel=CHANNEL), "tier1 2027-03-12 10:00")
    t = text(run(ctx(channel=CHANNEL), "status"))
    clock.set("2027-06-10T10:00")
    t = text(run(ctx(channel=CHANNEL), "status"))
    assert "Tier 2" in t
    out = run(ctx("U0HV", CHANNEL), "risk reduced")
    t = text(out)
    assert "significant risk reduction recorded — no Tier 2" in t
    assert "resolution_tier2_trigger · Cwm Taf Morgannwg guidance" in t
    with store.read() as s:
        assert repo.get_case(s, "CG-0001").significant_risk_reduction is True
    assert "Tier 2 meeting" not in text(run(ctx(channel=CHANNEL), "status"))
    t = text(run(ctx(channel=CHANNEL), "risk not reduced"))
    assert "withdrawn" in t
    with store.read() as s:
        assert repo.get_case(s, "CG-0001").significant_risk_reduction is False


# --- change start, manager roles ---------------------------------------------------------------


def test_lead_changes_the_start_and_deadlines_are_recounted(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store, start="2027-01-04")
    out = run(ctx(channel=CHANNEL), "change start:2026-12-21")
    t = text(out)
    assert "CG-0001 now starts on Mon 21 Dec 2026." in t and "was Mon 4 Jan 2027" in t
    with store.read() as s:
        case = repo.get_case(s, "CG-0001")
        assert case.start.isoformat() == "2026-12-21" and case.registered == case.start
    assert "First core group by" in text(run(ctx(channel=CHANNEL), "status"))


def test_a_start_after_recorded_events_is_refused(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store, start="2027-01-04")
    clock.set("2027-01-20T10:00")
    run(ctx(channel=CHANNEL), "visit 2027-01-06")
    before = snapshot(store)
    t = text(run(ctx(channel=CHANNEL), "change start:2027-01-11"))
    assert "can't start on 2027-01-11: a visit is recorded on 2027-01-06" in t, t
    assert snapshot(store) == before


def test_configured_manager_roles(store: Store, clock: MovableClock, ctx: CtxFactory) -> None:
    """A configured manager role comes with the powers when the lead adds the member; the powers
    are then a stored grant, not re-read from the role words."""
    setup_case(ctx, store)
    custom = Config(manager_roles=frozenset({"head_of_service"}))

    def as_(user: str, config: Config) -> Context:
        c = ctx(user, CHANNEL)
        c.config = config
        return c

    run(as_("U0LEAD", Config()), 'add <@U0POLICE> role:"head of service"')
    t = text(handle_text(as_("U0POLICE", custom), "change start:2027-01-01"))
    assert "Only CG-0001's lead social worker" in t
    run(as_("U0LEAD", custom), 'add <@U0MGR> role:"head of service"')

    def as_mgr(config: Config) -> Context:
        return as_("U0MGR", config)

    assert "now starts on Fri 1 Jan 2027" in text(handle_text(as_mgr(Config()), "change start:2027-01-01"))
    out = handle_text(as_mgr(custom), 'close reason:"Plan ended" confirm')
    assert "CG-0001 is closed" in text(out)
    # the summary is refreshed before the channel is archived, so it says "closed"
    assert out.effects[0] == RefreshSummary("CG-0001")
    assert isinstance(out.effects[-1], ArchiveChannel)


# --- the pinned summary -------------------------------------------------------------------------


def test_every_change_refreshes_the_summary_and_reads_do_not(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    c = lambda user="U0LEAD": ctx(user, CHANNEL)  # noqa: E731
    changes = [
        'action add "Weigh the baby" owner:<@U0HV> due:2027-01-20',
        "visit 2027-01-04",
        "apologies",
        'concern "Plan not working"',
        "digest on",
    ]
    for line in changes:
        out = run(c(), line)
        assert RefreshSummary("CG-0001") in out.effects, line
    for line in ("status", "members", "actions", "rota", "help", "report", "meeting"):
        assert not any(isinstance(e, RefreshSummary) for e in run(c(), line).effects), line


def test_summary_shows_meeting_deadlines_reports_actions_and_absence(ctx: CtxFactory, store: Store) -> None:
    booked(ctx, store)
    c = lambda user="U0LEAD": ctx(user, CHANNEL)  # noqa: E731
    run(c(), 'action add "Weigh the baby" owner:<@U0HV> due:2027-01-20')
    run(c("U0HV"), "attending")
    run(c("U0TEACH"), "apologies")
    run(c("U0TEACH"), "away 2027-01-18 cover:<@U0HV>")
    ctx0 = c()
    with store.read() as s:
        message = case_summary(s, repo.get_case(s, "CG-0001"), ctx0)
    body = shown("\n".join([message.preview, *message.detail, *message.context]))
    assert message.preview.startswith("CG-0001: core group summary; ")
    assert "**Next meeting**: core group on Fri 15 Jan 2027 at 10:00" in body
    assert "**First core group** by Mon 18 Jan 2027" in body
    assert "**Written reports**: 0 of 2 in for Fri 15 Jan 2027; awaited from <@U0TEACH>, <@U0POLICE>" in body
    assert "**Open plan actions**: 1" in body
    assert "no. 1 Weigh the baby — <@U0HV> — due Wed 20 Jan 2027" in body
    assert "Away: <@U0TEACH> from Mon 18 Jan 2027; <@U0HV> covers" in body
    assert "first_core_group · Suffolk guidance §2.1" in body
    assert "in 9 working days" not in body  # pinned text never goes stale
    run(c("U0TEACH"), "report Seen at school.")
    with store.read() as s:
        message = case_summary(s, repo.get_case(s, "CG-0001"), ctx0)
    assert "**Written reports**: 1 of 2 in for Fri 15 Jan 2027; awaited from <@U0POLICE>" in shown(
        "\n".join(message.detail)
    )


# --- online meetings -------------------------------------------------------------------------


def test_online_is_a_flag_and_the_venue_stays_as_typed(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    t = text(run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00 online"))
    assert "**Fri 15 Jan 2027 at 10:00**, online." in t
    assert "[Sending apologies] CG-0001 apologies 2027-01-15" in t
    t = text(
        run(ctx(channel=CHANNEL), 'meeting 2027-02-12 10:00 venue:"Family centre" online another confirm')
    )
    assert "**Fri 12 Feb 2027 at 10:00**, Family centre and online." in t
    with store.read() as s:
        got = [(m.venue, m.online) for m in repo.meetings(s, "CG-0001")]
    assert got == [(None, True), ("Family centre", True)]
    assert "Next meeting: core group on Fri 15 Jan 2027 (in 9 working days) at 10:00, online" in text(
        run(ctx(channel=CHANNEL), "status")
    )
    t = text(run(ctx("U0HV", CHANNEL), "attending"))
    assert "attending the core group on Fri 15 Jan 2027 at 10:00, online" in t
