"""Who chairs and who takes the minutes: the profile's rule ([chair] in its TOML) gives it when a
meeting is booked, people may change it, and the one stored value is what the rota and the
export show. Family never chair; the CTM social worker chairs the core group after Tier 1."""

from __future__ import annotations

from fakes.env import CtxFactory, FakeDirectory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, text

from handlers.common import Person
from scheduling.profiles import load_profile
from storage import repository as repo
from storage.db import Store
from storage.export import case_record


def _booked_chair(store: Store, ctx: CtxFactory) -> tuple[str | None, str | None]:
    with store.read() as s:
        m = repo.next_meeting(s, "CG-0001", now=ctx().now)
        assert m is not None
        people = {p.id: p for p in repo.members(s, "CG-0001", include_left=True)}
        chair, minutes = people.get(m.chair_member_id), people.get(m.minute_taker_member_id)
        return (chair.role if chair else None), (minutes.role if minutes else None)


def test_each_profile_says_who_chairs_as_data() -> None:
    assert load_profile("newham").chair.first == "practice_lead"
    assert load_profile("newham").chair.later == "lead_social_worker"
    assert load_profile("suffolk").chair.later == "lead_social_worker"
    assert load_profile("sandwell").chair.later == "rota"
    assert load_profile("shropshire").chair.later == "agreed"
    ctm = load_profile("cwm-taf-morgannwg").chair
    assert (ctm.later, ctm.after_tier1, ctm.minutes) == ("rota", "lead_social_worker", "lead_social_worker")


def test_suffolk_lead_social_worker_chairs_and_family_never_do(
    ctx: CtxFactory, store: Store, directory: FakeDirectory
) -> None:
    directory.people.update({"U0MUM": Person("A parent"), "U0GRAN": Person("A grandparent")})
    setup_case(ctx, store)
    for line in ('add <@U0MUM> role:"mum"', 'add <@U0GRAN> role:"grandmother (carer)"'):
        assert "joined the core group" in text(run(ctx(channel=CHANNEL), line))
    t = text(run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00"))
    assert "Chair: <@U0LEAD>" in t
    assert _booked_chair(store, ctx)[0] == "lead_social_worker"
    t = text(run(ctx(channel=CHANNEL), "rota"))
    assert "<@U0MUM>" not in t and "<@U0GRAN>" not in t
    assert "chair · Suffolk guidance §4.2 · The lead social worker usually chairs" in t
    refused = text(run(ctx(channel=CHANNEL), "rota chair:<@U0GRAN>"))
    assert "is family; only a professional in the core group chairs" in refused
    assert _booked_chair(store, ctx)[0] == "lead_social_worker"


def test_the_chair_set_on_a_meeting_is_what_rota_and_export_show(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    setup_case(ctx, store, profile="sandwell")
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00 chair:<@U0TEACH> minutes:<@U0HV>")
    assert _booked_chair(store, ctx) == ("designated_teacher", "health_visitor")
    t = text(run(ctx(channel=CHANNEL), "rota"))
    assert "Core group Fri 15 Jan 2027 (in 9 working days): chair <@U0TEACH>; minutes <@U0HV>" in t
    t = text(run(ctx(channel=CHANNEL), "rota chair:<@U0HV>"))
    assert "chair <@U0HV>; minutes to agree" in t
    with store.read() as s:
        record = case_record(s, "CG-0001", now=ctx().now)
    [meeting] = record["meetings"]
    assert meeting["chair"] and "health visitor" in str(meeting["chair"]).lower()
    assert "<@U0HV>; minutes to agree" in text(run(ctx(channel=CHANNEL), "rota"))


def test_ctm_social_worker_chairs_only_the_core_group_after_tier_1(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    run(ctx(channel=CHANNEL), "add <@U0POLICE> role:police agency:Police")
    refused = text(run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00 chair:<@U0LEAD>"))
    assert "the chair is never the social worker" in refused
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    chair, minutes = _booked_chair(store, ctx)
    assert chair != "lead_social_worker" and minutes == "lead_social_worker"  # §4: the SW writes it
    clock.set("2027-01-15T16:00")
    run(ctx(channel=CHANNEL), "held 2027-01-15 attended:<@U0LEAD>,<@U0HV>,<@U0TEACH>")
    clock.set("2027-03-01T10:00")
    run(ctx(channel=CHANNEL), "resolution request 2027-03-01")
    run(ctx(channel=CHANNEL), "tier1 2027-03-05 10:00")
    clock.set("2027-03-05T16:00")
    run(ctx(channel=CHANNEL), "held 2027-03-05 attended:<@U0LEAD>,<@U0HV>")
    t = text(run(ctx(channel=CHANNEL), "meeting 2027-03-10 10:00 confirm"))
    assert "Chair: <@U0LEAD>" in t, t
    assert _booked_chair(store, ctx)[0] == "lead_social_worker"


def test_ctm_after_tier_1_chair_does_not_use_up_a_rota_turn(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    # The walkthrough's CG-0002: the health visitor chaired 15 Jan, the social worker chaired the
    # core group after Tier 1 (an exception outside the rota), so the teacher's turn comes next,
    # not the health visitor's again.
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    run(ctx(channel=CHANNEL), "meeting 2027-01-15 10:00")
    assert _booked_chair(store, ctx)[0] == "health_visitor"
    clock.set("2027-01-15T16:00")
    run(ctx(channel=CHANNEL), "held 2027-01-15 attended:<@U0LEAD>,<@U0HV>,<@U0TEACH>")
    clock.set("2027-03-01T10:00")
    run(ctx(channel=CHANNEL), "resolution request 2027-03-01")
    run(ctx(channel=CHANNEL), "tier1 2027-03-05 10:00")
    clock.set("2027-03-05T16:00")
    run(ctx(channel=CHANNEL), "held 2027-03-05 attended:<@U0LEAD>,<@U0HV>")
    run(ctx(channel=CHANNEL), "meeting 2027-03-10 10:00 confirm")
    assert _booked_chair(store, ctx)[0] == "lead_social_worker"
    clock.set("2027-03-10T16:00")
    run(ctx(channel=CHANNEL), "held 2027-03-10 attended:<@U0LEAD>,<@U0HV>,<@U0TEACH>")
    t = text(run(ctx(channel=CHANNEL), "rota"))
    assert "Meeting 3: chair <@U0TEACH>" in t and "Meeting 4: chair <@U0HV>" in t, t
    t = text(run(ctx(channel=CHANNEL), "meeting 2027-04-26 10:00 confirm"))
    assert "Chair: <@U0TEACH>" in t, t
    assert _booked_chair(store, ctx)[0] == "designated_teacher"
