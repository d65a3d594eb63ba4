"""Who is invited and what the invitation says: roles and the case reference, never a name."""

from __future__ import annotations

import pytest
from graph_helpers import london, make_invite

from bot.calendar.invite import (
    CTM_RESOLUTION,
    SHROPSHIRE_OUTLINE,
    InviteError,
    MemberContact,
    agenda_for,
    attendees_for,
    body_text,
    make_uid,
    subject,
)

MEMBERS = (
    MemberContact(1, "lead_social_worker", "lsw@council.example.test"),
    MemberContact(2, "health visitor", "HV@nhs.example.test"),
    MemberContact(3, "school", None),  # no email: told in the channel only
    MemberContact(4, "police", "pc@police.example.test", current=False),  # left the group
    MemberContact(5, "mother", "parent@mail.example.test", family=True),
    MemberContact(6, "grandparent", "carer@mail.example.test", family=True),
    MemberContact(7, "gp", "hv@NHS.example.test"),  # same address as the health visitor
)


def test_current_professionals_with_an_email_are_invited() -> None:
    got = attendees_for(MEMBERS, "core_group")
    assert [(a.email, a.role) for a in got] == [
        ("lsw@council.example.test", "Lead social worker"),
        ("HV@nhs.example.test", "Health visitor"),
    ]


def test_family_members_only_when_ticked() -> None:
    got = attendees_for(MEMBERS, "core_group", family_ticked={5})
    assert [a.role for a in got] == ["Lead social worker", "Health visitor", "Mother"]


def test_resolution_meetings_never_invite_the_family() -> None:
    for kind in ("resolution_tier1", "resolution_tier2"):
        got = attendees_for(MEMBERS, kind, family_ticked={5, 6})
        assert [a.role for a in got] == ["Lead social worker", "Health visitor"]


def test_uid_is_stable_and_safe() -> None:
    assert make_uid("CG-0421", 17) == "coregroup-CG-0421-17@coregroup"
    assert make_uid("CG/04 21", 17) == "coregroup-CG-04-21-17@coregroup"


def test_agenda_by_kind() -> None:
    assert agenda_for("core_group", "shropshire") is SHROPSHIRE_OUTLINE
    assert len(SHROPSHIRE_OUTLINE.items) == 9
    default = agenda_for("school_move_core_group", "newham")
    assert default is not None and default.items == SHROPSHIRE_OUTLINE.items
    assert default.source.endswith("used as the default")
    assert agenda_for("resolution_tier2", "cwm-taf-morgannwg") is CTM_RESOLUTION
    assert len(CTM_RESOLUTION.items) == 8
    assert agenda_for("review_conference", "suffolk") is None


def test_subject_and_body_name_the_case_by_reference_only() -> None:
    invite = make_invite(
        kind="resolution_review_core_group", profile="cwm-taf-morgannwg", chair_role="Lead social worker"
    )
    # A Welsh profile: Welsh first, then English (docs/cymraeg.md).
    assert subject(invite) == (
        "CG-0421: cyfarfod grŵp craidd (adolygu'r cynllun diwygiedig) / "
        "core group meeting (review of the revised plan)"
    )
    welsh, english = body_text(invite).split("\n\n———\n\n", 1)
    assert welsh.splitlines()[:3] == [
        "CG-0421: cyfarfod grŵp craidd (adolygu'r cynllun diwygiedig)",
        "Pryd: Dydd Mawrth 5 Ionawr 2027, 10:00–11:30 (amser y DU)",
        "Ble: Family centre, Room 2",
    ]
    body = english
    assert body.splitlines()[:4] == [
        "CG-0421: core group meeting (review of the revised plan)",
        "When: Tue 5 Jan 2027, 10:00–11:30 (UK time)",
        "Where: Family centre, Room 2",
        "Chair: Lead social worker",
    ]
    assert "Please bring your copy of the care and support protection plan." in body
    assert "a. Note agency / role and name of attendees and those sending apologies" in body
    # Only addresses and roles come in; the text holds no address at all.
    assert "@" not in body


def test_english_profiles_say_child_protection_plan() -> None:
    assert "copy of the child protection plan" in body_text(make_invite(profile="suffolk"))


def test_review_conference_has_no_agenda_but_says_who_sets_it() -> None:
    body = body_text(make_invite(kind="review_conference", profile="suffolk"))
    assert "The conference chair sets the agenda." in body
    assert "Agenda (" not in body


def test_online_and_venue_together() -> None:
    invite = make_invite(online=True, online_url="https://teams.example.test/l/abc")
    assert "Where: Family centre, Room 2 and online: https://teams.example.test/l/abc" in body_text(invite)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("starts_at", london(2027, 1, 5, 10).replace(tzinfo=None), "aware datetime"),
        ("ends_at", london(2027, 1, 5, 9), "after starts_at"),
        ("kind", "tea_party", "unknown meeting kind"),
        ("case_ref", "Jane Doe's case\n", "case reference"),
        ("organiser", "not an address", "email address"),
    ],
)
def test_bad_invites_are_refused_with_a_reason(field: str, value: object, problem: str) -> None:
    with pytest.raises(InviteError, match=problem):
        make_invite(**{field: value})


def test_changed_raises_the_sequence() -> None:
    a = make_invite()
    b = a.changed(venue="Library")
    assert (a.sequence, b.sequence, b.uid) == (0, 1, a.uid)
