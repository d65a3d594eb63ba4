"""A Welsh reader who types a command wrong is told what was wrong in Welsh, with an example to
copy, and every form the bot opens reads in Welsh (issue 14). Nothing they are sent bypasses the
catalogue: `watching_for_leaks` sees every message as it is rendered for them."""

from __future__ import annotations

from datetime import date

import pytest
from fakes.env import CtxFactory
from test_handlers_cases import CHANNEL, run, setup_case, text

from handlers import forms
from handlers.i18n import Localised, Verbatim, _, localise, localise_form, unlocalised, watching_for_leaks
from handlers.replies import Form
from storage.db import Store

#: (what the Welsh reader types, what the Welsh error says, the command its example shows)
BAD_COMMANDS = [
    (
        "meeting 2027-13-01 10:00",
        "Ni allwn ddarllen `2027-13-01`: mae'r misoedd yn rhedeg o 01 i 12.",
        "meeting",
    ),
    (
        "meeting 2027-02-30 10:00",
        "Ni allwn ddarllen `2027-02-30` — mae 28 diwrnod ym mis Chwefror 2027.",
        "meeting",
    ),
    (
        "meeting 12/01/2027 10:00",
        "ysgrifennwch ddyddiadau fel blwyddyn-mis-diwrnod, yma `2027-01-12`",
        "meeting",
    ),
    ("meeting 2027-02-26 25:00", "Ni allwn ddarllen `25:00`: nid oes amser o'r fath yn y dydd.", "meeting"),
    ("meeting 2027-02-26 3", "Ni allwn ddarllen `3` fel amser: ysgrifennwch ef fel 03:00.", "meeting"),
    ("frobnicate", "Nid wyf yn adnabod `frobnicate`. Mae `/coregroup help` yn rhestru popeth", "status"),
    ("statsu", "Oeddech chi'n golygu `status`?", "status"),
    ("remove @nobody", "Ni allwn ddweud pwy yw `@nobody`.", "remove"),
    ("CG-0001 status case:CG-0002", "Mae'r llinell yn enwi dau achos, CG-0001 a CG-0002.", "CG-0001 status"),
    ("review", "Mae angen dyddiad y gynhadledd ar `review`.", "review"),
    ("add <@U0NEW>", "Mae angen `role:` y person ar `add`.", "add"),
    ("digest maybe", "`digest maybe`: dywedwch `digest on` neu `digest off`.", "digest"),
    ("away 2027-02-10 until 2027-02-01", "Mae `until 2027-02-01` cyn y diwrnod cyntaf i ffwrdd", "away"),
    ("concern", "Dywedwch yn fyr beth yw'r pryder, mewn dyfynodau.", "concern"),
    ("language fr", "Nid yw `fr` yn iaith rwy'n ei siarad", "language"),
    ("new CG-0002 profile:suffolk plan:xyz start:2027-01-04", "Nid yw `plan:xyz` yn fath o gynllun", "new"),
    ("meeting 2027-02-26 10:00 venue:a venue:b", "Mae `venue:` wedi'i roi ddwywaith.", "meeting"),
    ("members everyone", "Ni wnes i ddeall `everyone` ar ôl `members`.", "members"),
]


@pytest.mark.parametrize(("line", "welsh", "example"), BAD_COMMANDS, ids=[b[0] for b in BAD_COMMANDS])
def test_a_welsh_reader_gets_each_error_in_welsh_with_an_example(
    ctx: CtxFactory, store: Store, line: str, welsh: str, example: str
) -> None:
    setup_case(ctx, store)
    assert "Byddaf yn ysgrifennu atoch yn Gymraeg" in text(run(ctx(channel=CHANNEL), "language cy"))
    with watching_for_leaks() as leaks:
        said = text(run(ctx(channel=CHANNEL), line))
    assert leaks == [], [t for t, _m in leaks]
    assert welsh in said, said
    assert f"Rhowch gynnig ar `/coregroup {example}" in said, said
    assert "Try `" not in said and "I couldn't" not in said


def test_a_welsh_reader_is_told_about_a_weekend_in_welsh(ctx: CtxFactory, store: Store) -> None:
    setup_case(ctx, store)
    run(ctx(channel=CHANNEL), "language cy")
    with watching_for_leaks() as leaks:
        said = text(run(ctx(channel=CHANNEL), "meeting 2027-01-09 10:00"))
    assert leaks == [], [t for t, _m in leaks]
    assert "Dydd Sadwrn" in said and "Saturday" not in said, said


def _every_form() -> list[Form]:
    today = date(2027, 1, 4)
    family = [(7, Verbatim("Parent A (mother)"))]
    members = [(1, Verbatim("Lead (lead social worker)")), (2, Verbatim("HV (health visitor)"))]
    return [
        forms.new_case_form(("suffolk", "wales")),
        forms.add_member_form("CG-0001"),
        forms.close_form("CG-0001"),
        forms.close_form("CG-0001", (_("Nothing due from you."),)),
        forms.meeting_form("CG-0001", family),
        forms.held_form("CG-0001", 1, today, members),
        forms.report_form("CG-0001", 1, _("Written report")),
        forms.action_form("CG-0001"),
        forms.visit_form("CG-0001", today),
        forms.resolution_form("CG-0001", today),
    ]


def _texts(form: Form) -> list[str]:
    out = [form.title, form.submit, form.intro or ""]
    for f in form.fields:
        out += [f.label, f.hint or "", f.placeholder or "", *(o.label for o in f.options)]
    return [t for t in out if t]


@pytest.mark.parametrize("form", _every_form(), ids=lambda f: f.id)
def test_every_form_reads_in_welsh(form: Form) -> None:
    assert unlocalised(form) == []
    welsh = localise_form(form, "cy")
    assert len(welsh.title) <= 24, welsh.title
    for english, cy in zip(_texts(form), _texts(welsh), strict=True):
        assert isinstance(english, Localised)
        # Data (a reference, a profile's id, a name as typed, a language's own name) is the same
        # in both; every sentence and label is said in Welsh.
        data = isinstance(english, Verbatim) or isinstance(getattr(english, "text", None), Verbatim)
        if not data:  # (an option label cut to fit is data when what it cuts is)
            assert cy != str.__str__(english), f"{form.id}: {english!r} is English-only"


def test_a_form_submitted_wrong_names_its_problems_in_welsh() -> None:
    with pytest.raises(forms.FormError) as caught:
        forms.submit("held", {"date": "2027-02-30", "attended": [], "apologies": []}, "CG-0001|1")
    lines = forms.problem_lines("held", caught.value.errors)
    assert all(isinstance(line, Localised) for line in lines)
    labels = [localise(f.label, "cy") for f in forms.held_form("", 0, date(2027, 1, 4), ()).fields]
    assert [localise(line, "cy") for line in lines] == [
        f"**{labels[0]}**: Ni allwn ddarllen `2027-02-30` — mae 28 diwrnod ym mis Chwefror 2027.",
        f"**{labels[1]}**: Dewiswch pwy oedd yn bresennol.",
    ]
    with pytest.raises(forms.FormError) as caught:
        forms.submit("add", {"role": "", "email": "not-an-address"}, "CG-0001")
    welsh = [localise(v, "cy") for v in caught.value.errors.values()]
    assert "Rhowch eu rôl." in welsh
    assert "Nid yw `not-an-address` yn gyfeiriad e-bost." in welsh
