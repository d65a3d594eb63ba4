"""Meetings, `held` with its quorum, review and Tier meetings and the chair rota read in Welsh:
every line comes from the catalogue (nothing a Welsh reader gets is English-only), and the
Welsh is the catalogue's, with its dates written out and mutated after a preposition."""

from __future__ import annotations

from fakes.env import CtxFactory, MovableClock
from test_handlers_cases import CHANNEL, run, setup_case, text

from handlers.common import Context, error_message
from handlers.dispatch import ROUTES
from handlers.i18n import localise_message, unlocalised
from handlers.parse import CommandError, parse
from handlers.replies import only
from storage.db import Store


def welsh(ctx: Context, line: str) -> list[str]:
    """What the command says, as a Welsh reader reads it: each message's lines (buttons as
    `[label]`), once it is checked that no text of it bypassed the catalogue. The handler is
    run without the rendering for readers, so the check sees the sentences as built."""
    cmd = parse(line)
    try:
        out = ROUTES[type(cmd)](ctx, cmd)
    except CommandError as exc:  # what `handle` turns a refusal into
        out = only(error_message(exc, ctx.today))
    assert out.replies, line
    said: list[str] = []
    for r in out.replies:
        assert unlocalised(r.message) == [], (line, unlocalised(r.message))
        cy = localise_message(r.message, "cy")
        said += [cy.preview, *cy.detail, *(f"[{b.label}]" for b in cy.buttons), *cy.context]
    return said


def test_a_review_conference_and_a_tier_1_meeting_in_welsh(
    ctx: CtxFactory, store: Store, clock: MovableClock
) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    c = lambda: ctx(channel=CHANNEL)  # noqa: E731
    said = welsh(c(), "review 2027-03-30 14:00")
    assert said[:2] == [
        "CG-0001: trefnwyd cynhadledd adolygu ar gyfer Dydd Mawrth 30 Mawrth 2027",
        "Cynhadledd adolygu ar **ddydd Mawrth 30 Mawrth 2027**.",
    ]
    assert said[2].startswith("review_conference · Wales Safeguarding Procedures")
    assert "Cynhelir y gynhadledd adolygu gyntaf o fewn 3 mis" in said[2]

    # A Sunday asks first, naming the problem in Welsh; then a working day is recorded.
    said = welsh(c(), "tier1 2027-01-10 10:00")
    assert said == [
        "CG-0001: nid yw Dydd Sul 10 Ionawr 2027 am 10:00 yn amser gwaith ar gyfer cyfarfod Haen 1",
        "Mae Dydd Sul 10 Ionawr 2027 yn ddydd Sul: nid yw'n ddiwrnod gwaith yng nghalendr Cymru.",
        "Trefnwch ef beth bynnag (a chofnodwch pam yn y cofnodion), neu dewiswch ddyddiad arall.",
        "[Trefnu beth bynnag]",
        "[Dewis dyddiad arall]",
    ]
    clock.set("2027-03-01T10:00")
    run(c(), "resolution request 2027-03-01")
    said = welsh(c(), "tier1 2027-03-05 10:00")
    assert said[:2] == [
        "CG-0001: cofnodwyd cyfarfod datrys Haen 1 ar gyfer Dydd Gwener 5 Mawrth 2027",
        "Cyfarfod Haen 1 ar **ddydd Gwener 5 Mawrth 2027 (ymhen 4 diwrnod gwaith)** am 10:00.",
    ]
    assert any(line.startswith("Datrys: ") and " erbyn " in line for line in said[2:]), said


def test_held_with_its_quorum_in_welsh(ctx: CtxFactory, store: Store, clock: MovableClock) -> None:
    setup_case(ctx, store)  # Suffolk: at least two professionals make a quorum
    c = lambda: ctx(channel=CHANNEL)  # noqa: E731
    run(c(), "meeting 2027-01-15 10:00")
    clock.set("2027-01-15T16:00")
    said = welsh(c(), "held 2027-01-15 attended:<@U0LEAD>,<@U0HV> apologies:<@U0TEACH>")
    assert said[:3] == [
        "CG-0001: cofnodwyd bod y grŵp craidd ar ddydd Gwener 15 Ionawr 2027 wedi'i gynnal",
        "Yn bresennol: 2; ymddiheuriadau: 1.",
        "Cworwm: **oedd** — mynychodd 2 aelod proffesiynol; roedd angen o leiaf 2.",
    ]
    assert any(line.startswith("Y grŵp craidd nesaf erbyn ") for line in said), said
    assert any(line.startswith("quorum · canllawiau Suffolk §4.7") for line in said), said


def test_the_rota_and_the_chair_rule_for_a_welsh_reader(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store, profile="cwm-taf-morgannwg")
    c = lambda: ctx(channel=CHANNEL)  # noqa: E731
    run(c(), "meeting 2027-01-15 10:00")
    said = welsh(c(), "rota")
    assert said[:3] == [
        "CG-0001: rota'r cadeirydd a'r cofnodwr",
        "Grŵp craidd Dydd Gwener 15 Ionawr 2027 (ymhen 9 diwrnod gwaith): cadeirydd \ue000U0HV\ue001; "
        "cofnodion \ue000U0LEAD\ue001",
        "Cyfarfod 2: cadeirydd \ue000U0TEACH\ue001; cofnodion \ue000U0LEAD\ue001",
    ]
    # The chair rule comes from the profile's own Welsh ([chair] text_cy).
    assert said[-1].startswith("chair · canllawiau Cwm Taf Morgannwg §3, §4, §5 · Ni chaiff y cadeirydd")
    refused = welsh(c(), "rota chair:<@U0LEAD>")
    assert refused[0].startswith("Yn ôl Cwm Taf Morgannwg, nid y gweithiwr cymdeithasol sy'n cadeirio byth")

    # Through the whole dispatch, a lead who chose Welsh reads the rota in Welsh.
    run(c(), "language cy")
    t = text(run(c(), "rota"))
    assert "rota'r cadeirydd a'r cofnodwr" in t and "Cyfarfod 2: cadeirydd <@U0TEACH>" in t, t
    assert "chair and minute-taker" not in t
