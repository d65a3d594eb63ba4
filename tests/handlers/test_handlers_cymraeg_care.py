"""Welsh for the care side of a case: away and back, a concern taken to the resolution process,
risk reduction, a plan action and a visit, the reminders' chase and digest, and every `about` the
engine writes. A Welsh reader gets each line of these replies in Welsh, and none of them bypassed
the catalogue (`handlers.i18n.unlocalised`), so the same holds on every platform."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fakes.env import CtxFactory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, shown

from handlers.common import Context
from handlers.dispatch import _handle
from handlers.i18n import BILINGUAL_RULE, Text, localise, localise_message, unlocalised, watching_for_leaks
from handlers.nags import digest, render
from handlers.parse import parse
from handlers.replies import Message
from handlers.words import about_words
from scheduling.calendar import calendar_for
from scheduling.case import case_from_dict
from scheduling.engine import obligations
from scheduling.profiles import load_profile
from scheduling.wording import written_out
from storage.db import Store

GOLDEN = Path(__file__).resolve().parent.parent / "engine" / "golden_cases.json"


def _checked(messages: list[Message]) -> str:
    """Messages built for a reader (the reminders' renderer's), as a Welsh reader reads them,
    after checking nothing in them bypassed the catalogue."""
    lines = []
    for m in messages:
        assert unlocalised(m) == [], unlocalised(m)
        cy = localise_message(m, "cy")
        lines += [cy.preview, *cy.detail, *cy.context, *(b.label for b in cy.buttons)]
    return shown("\n".join(lines))


def said(ctx: Context, line: str) -> str:
    """What the handler answers `line` with (before it is rendered for each reader: a Suffolk
    channel reads English), as a Welsh reader reads it; nothing in it may bypass the catalogue."""
    return _checked([r.message for r in _handle(ctx, parse(line)).replies])


def test_a_welsh_profile_posts_it_welsh_first_and_nothing_leaks(ctx: CtxFactory, store: Store) -> None:
    """The whole path, as a reader gets it: a Welsh profile's channel, Welsh first."""
    setup_case(ctx, store, profile="wales")
    with watching_for_leaks() as leaks:
        out = run(ctx("U0HV", CHANNEL), "away 2027-01-11 until 2027-01-22 cover:<@U0TEACH|teacher>")
        out2 = run(ctx(channel=CHANNEL), 'concern "The plan is not reducing the risk"')
    assert [text for text, _message in leaks] == []
    (post,) = [r.message for r in out.replies if r.audience == "channel"]
    assert (
        shown(post.preview)
        == "CG-0001: mae <@U0HV> i ffwrdd o ddydd Llun 11 Ionawr 2027 tan ddydd Gwener 22 Ionawr 2027"
    )
    assert BILINGUAL_RULE in post.detail
    assert "CG-0001: <@U0HV> is away from Mon 11 Jan 2027 until Fri 22 Jan 2027" in map(shown, post.detail)
    assert out2.replies[0].message.preview == "CG-0001: codwyd pryder"


def test_away_and_back_in_welsh(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    t = said(ctx("U0HV", CHANNEL), "away 2027-01-11 until 2027-01-22 cover:<@U0TEACH|teacher>")
    assert (
        "CG-0001: rydych wedi'ch nodi i ffwrdd o ddydd Llun 11 Ionawr 2027 tan ddydd Gwener 22 Ionawr 2027"
    ) in t
    assert "CG-0001: pwy sy'n cael eich nodiadau atgoffa: <@U0TEACH> (yn dirprwyo)." in t
    assert "CG-0001: mae <@U0HV> i ffwrdd o ddydd Llun 11 Ionawr 2027" in t
    assert "Os byddwch yn ôl yn gynnar, dywedwch `/coregroup back`." in t
    t = said(ctx("U0HV", CHANNEL), "back")
    assert "CG-0001: croeso'n ôl — mae eich nodiadau atgoffa'n dod atoch chi eto" in t
    assert "CG-0001: nid oeddech wedi'ch nodi i ffwrdd" in said(ctx("U0HV", CHANNEL), "back")
    t = said(ctx("U0TEACH", CHANNEL), "away 2027-01-11")
    assert "o ddydd Llun 11 Ionawr 2027 tan `back`" in t and "y sianel hon, gan nad oes neb yn dirprwyo" in t
    t = said(ctx("U0HV", CHANNEL), "digest on")
    assert "crynodeb yn y bore" in t and "<@U0HV> a drodd hyn ymlaen" in t


def test_a_concern_taken_to_the_resolution_process_and_risk_reduced_in_welsh(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    t = said(ctx("U0HV", CHANNEL), 'concern "The plan is not reducing the risk"')
    assert "CG-0001: codwyd pryder" in t and "“The plan is not reducing the risk”" in t
    assert "Cam 1: **J4 protocol**." in t
    assert "Nid oes gan CG-0001 gyfarfod Haen 1 ar y cofnod" in said(ctx(channel=CHANNEL), "risk reduced")
    clock.set("2027-03-01T10:00")
    t = said(ctx(channel=CHANNEL), "resolution request 2027-03-01")
    assert "CG-0001: gofynnwyd am y broses ddatrys" in t
    assert "Gofynnwyd amdano Dydd Llun 1 Mawrth 2027 (Atodiad 3)." in t
    assert "Datrys: cyfarfod Haen 1 erbyn **Dydd Llun 15 Mawrth 2027 (ymhen 10 diwrnod gwaith)**" in t
    clock.set("2027-03-12T16:00")
    run(ctx(channel=CHANNEL), "tier1 2027-03-12 10:00")  # handlers/meetings.py: not checked here
    clock.set("2027-06-10T10:00")
    t = said(ctx("U0HV", CHANNEL), "risk reduced")
    assert "CG-0001: cofnodwyd gostyngiad sylweddol yn y risg — dim Haen 2" in t
    assert "Ar ôl y cyfarfod Haen 1 ar ddydd Gwener 12 Mawrth 2027" in t
    assert "Cofnodwyd gan <@U0HV>." in t
    t = said(ctx(channel=CHANNEL), "risk not reduced")
    assert "tynnwyd y gostyngiad sylweddol yn y risg yn ôl" in t
    t = said(ctx(channel=CHANNEL), "resolve")
    assert "CG-0001: datryswyd y pryder yng ngham 1" in t


def test_escalation_stages_are_named_in_welsh(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store, profile="newham")
    t = said(ctx("U0HV", CHANNEL), 'concern "The plan is not reducing the risk"')
    assert "Cam 1: **ymarferwyr**." in t
    assert "neu mae'n symud at reolwyr llinell gyntaf." in t
    t = said(ctx(channel=CHANNEL), "escalate")
    assert "CG-0001: uwchgyfeiriwyd y pryder i gam 2" in t and "Cam 2: **rheolwyr llinell gyntaf**." in t
    run(ctx(channel=CHANNEL), "resolve")
    assert "Nid oes gan CG-0001 bryder agored." in said(ctx(channel=CHANNEL), "escalate")


def test_an_action_and_a_visit_in_welsh(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    t = said(ctx(channel=CHANNEL), 'action add "Book the dental check-up" owner:<@U0HV> due:2027-02-01')
    assert "CG-0001: cam gweithredu 1 wedi'i ychwanegu at y cynllun" in t
    assert "“Book the dental check-up” — perchennog <@U0HV>" in t
    t = said(ctx(channel=CHANNEL), "actions")
    assert "1. [agored] Book the dental check-up — <@U0HV>" in t
    t = said(ctx(channel=CHANNEL), "action done 1")
    assert "“Book the dental check-up”" in t
    t = said(ctx("U0HV", CHANNEL), "visit 2027-01-04 seen-alone")
    assert "CG-0001: ymweliad ar ddydd Llun 4 Ionawr 2027 wedi'i gofnodi" in t
    assert "Gan <@U0HV>; gwelwyd y plentyn ar ei ben ei hun." in t
    assert "Gweithiwr proffesiynol yn gweld y plentyn: nesaf erbyn Dydd Llun 18 Ionawr 2027" in t


def test_close_lists_what_is_still_open_in_welsh(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), 'action add "Book the dental check-up" owner:<@U0HV> due:2027-02-01')
    run(ctx(channel=CHANNEL), 'concern "The plan is not reducing the risk"')
    t = said(ctx(channel=CHANNEL), 'close reason:"Plan ended"')
    assert "Cam gweithredu agored 1 yn y cynllun: Book the dental check-up, <@U0HV>, erbyn" in t
    assert "Pryder agored, a godwyd Dydd Llun 4 Ionawr 2027." in t


def _payload(
    kind: str, rule: str, about: str, subject: str = "meeting:2027-01-15:core_group"
) -> dict[str, str]:
    return {
        "kind": kind,
        "rule": rule,
        "profile": "suffolk",
        "plan": "cp",
        "due": "2027-01-18",
        "subject": subject,
        "about": about,
    }


def test_the_overdue_chase_and_the_digest_in_welsh() -> None:
    today = date(2027, 1, 21)
    seen = render(
        _payload("overdue", "child_seen", "since the conference 2027-01-04", "after:2027-01-04"),
        "CG-0001",
        today,
    )
    minutes = render(
        _payload("overdue_manager", "minutes_circulated", "core group 2027-01-15"), "CG-0001", today
    )
    visit = render(
        _payload("child_seen_soon", "child_seen", "last seen 2027-01-06", "after:2027-01-06"),
        "CG-0001",
        today,
    )
    action = render(
        _payload("overdue_daily", "plan_action", "", "action:1"),
        "CG-0001",
        today,
        action_of=lambda n: ("Book the dental check-up", "7"),
        role_of=lambda i: "health visitor",
    )
    t = _checked([seen, minutes, visit, action])
    assert (
        "CG-0001: roedd y plentyn i fod i gael ei weld erbyn Dydd Llun 18 Ionawr; dim ymweliad wedi'i "
        "gofnodi ers y gynhadledd Dydd Llun 4 Ionawr 2027"
    ) in t
    assert "I fod erbyn Dydd Llun 18 Ionawr 2027: 3 diwrnod gwaith yn ôl." in t
    assert "CG-0001: mae cofnodion y grŵp craidd ar ddydd Gwener 15 Ionawr yn hwyr" in t
    assert "Grŵp craidd Dydd Gwener 15 Ionawr 2027." in t
    assert "Rydych yn cael gwybod fel eu rheolwr llinell" in t
    assert (
        "rhaid gweld y plentyn erbyn Dydd Llun 18 Ionawr; gwelwyd ddiwethaf Dydd Mercher 6 Ionawr 2027" in t
    )
    assert "CG-0001: mae cam gweithredu 1 yn y cynllun (“Book the dental check-up”) yn hwyr" in t
    assert "Perchennog: health visitor." in t
    # English is as it was.
    assert seen.preview == (
        "CG-0001: the child was due to be seen by Mon 18 Jan; no visit recorded since the conference "
        "Mon 4 Jan 2027"
    )
    assert (
        minutes.preview == "CG-0001: the minutes of the core group on Fri 15 Jan are overdue (due Mon 18 Jan)"
    )
    assert "Due Mon 18 Jan 2027: 3 working days ago." in minutes.detail
    quiet = digest("CG-0001", today, [seen.preview, minutes.preview])
    loud = digest("CG-0001", today, [seen.preview], quiet=False)
    t = _checked([quiet, loud])
    assert "CG-0001: 2 nodyn atgoffa ar gyfer Dydd Iau 21 Ionawr 2027" in t
    assert "• roedd y plentyn i fod i gael ei weld erbyn" in t
    assert "CG-0001: 1 eitem yn dal yn hwyr ar ddydd Iau 21 Ionawr 2027" in t
    assert quiet.preview == "CG-0001: 2 reminders for Thu 21 Jan 2027"
    assert quiet.detail[1] == "• the minutes of the core group on Fri 15 Jan are overdue (due Mon 18 Jan)"


def _engine_abouts() -> set[str]:
    """Every `about` the engine gives for the golden scenarios (each profile, every rule), under
    each plan a profile covers (the plans start from different events)."""
    abouts = set()
    for scenario in json.loads(GOLDEN.read_text(encoding="utf-8")):
        for plan in ("cp", "cin", "lac"):
            case = case_from_dict({**scenario["case"], "plan": plan})
            profile = load_profile(case.profile)
            if plan not in profile.plans:
                continue
            cal = calendar_for(profile.nation, profile.closures)
            abouts |= {
                o.about for o in obligations(case, profile, cal, date.fromisoformat(scenario["today"]))
            }
    return abouts


#: What the golden scenarios do not reach, written as `scheduling.engine`'s `_t_*` functions
#: write them.
MORE_ABOUTS = (
    "first review after assessment completed 2027-01-04",
    "since the first looked-after review 2027-01-04",
    "school core group 2027-02-01",
    "Tier 1 meeting 2027-03-12 held without the social worker",
    "stage 1 (J4 protocol) since 2027-01-04",
    "stage 5 (safeguarding partnership) since 2027-01-04",
    "stage 6 (final stage) since 2027-01-04",
    "automatic Tier 1: 1 week on the register since 2026-01-01",
    "12-week check after the Tier 1 meeting 2027-03-12: risk significantly reduced",
    "Tier 2 meeting 2027-04-12 (booked for 2027-04-20)",
    "core group 2027-01-15: at least 3 professional members must attend",
)


def test_every_about_the_engine_writes_is_translated() -> None:
    abouts = _engine_abouts() | set(MORE_ABOUTS)
    assert len(abouts) > 150
    untranslated = []
    for about in sorted(abouts):
        words = about_words(about)
        # The English is the engine's, dates written out, as before.
        assert str(words) == written_out(about), about
        cy = localise(words, "cy")
        if not isinstance(words, Text) or cy == str(words) or re.search(r"\d{4}-\d\d-\d\d", cy):
            untranslated.append(about)
    assert untranslated == []


@pytest.mark.parametrize(
    ("about", "cy"),
    [
        (
            "stage 1 (practitioners) since 2027-01-04; then first-line managers",
            "cam 1 (ymarferwyr) ers Dydd Llun 4 Ionawr 2027; yna rheolwyr llinell gyntaf",
        ),
        (
            "core group 2027-01-05 was not quorate: at least 2 professional members needed",
            "nid oedd cworwm yn y grŵp craidd Dydd Mawrth 5 Ionawr 2027: roedd angen o leiaf 2 aelod "
            "proffesiynol",
        ),
        ("automatic Tier 1: 18 months on the register since 2026-01-01", None),
        ("school core group 2027-02-01", "grŵp craidd yr ysgol Dydd Llun 1 Chwefror 2027"),
    ],
)
def test_about_words_in_welsh(about: str, cy: str | None) -> None:
    said = localise(about_words(about), "cy")
    if cy is not None:
        assert said == cy
    assert "Ionawr" in said or "Chwefror" in said
