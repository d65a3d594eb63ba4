"""The Welsh catalogue is whole: every sentence the code says is in it, translated, with the
same placeholders, so a missing or broken translation fails the build instead of reaching a
reader as English (or as a crash on a placeholder the code does not pass)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from handlers.forms import (
    action_form,
    add_member_form,
    held_form,
    meeting_form,
    new_case_form,
    report_form,
    resolution_form,
    visit_form,
)
from handlers.i18n import CATALOGUE, localise, placeholders

ROOT = Path(__file__).resolve().parents[2]


def _entries() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="cy", domain="coregroup")
    out = []
    for m in catalog:
        if not m.id:
            continue
        ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        strings = (m.string,) if isinstance(m.string, str) else tuple(m.string or ())
        assert not m.fuzzy, f"{ids[0]!r} is marked fuzzy (a guess): check it and remove the flag"
        out.append((ids, strings))
    return out


def test_every_sentence_has_a_welsh_translation_with_the_same_placeholders() -> None:
    entries = _entries()
    assert len(entries) > 10
    problems = []
    for ids, strings in entries:
        wanted = set().union(*(placeholders(i) for i in ids))
        if not strings or not all(strings):
            problems.append(f"no Welsh for {ids[0]!r}")
            continue
        for s in strings:
            got = placeholders(s)
            # A plural form may leave out `{n}` (Welsh "un", "dau"), never add a name.
            if got - wanted or (wanted - {"n"}) - got:
                problems.append(
                    f"{ids[0]!r}: placeholders {sorted(got)} in Welsh, {sorted(wanted)} in English"
                )
    assert not problems, "\n".join(problems)


def test_plural_sentences_have_all_six_welsh_forms() -> None:
    for ids, strings in _entries():
        if len(ids) == 2:
            assert len(strings) == 6, f"{ids[0]!r} has {len(strings)} Welsh plural forms, not 6"


def test_the_catalogue_is_in_step_with_the_source() -> None:
    """What `pybabel extract` finds in handlers/ and bot/ is all in the .po (scripts/catalogue.py
    adds new sentences; this fails until someone has run it and translated them)."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "catalogue.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_welsh_form_titles_fit_the_strictest_modal() -> None:
    from datetime import date

    today = date(2027, 1, 4)
    forms = [
        new_case_form(["suffolk"]),
        add_member_form("CG-0001"),
        meeting_form("CG-0001"),
        held_form("CG-0001", 1, today, ()),
        report_form("CG-0001", 1, "core group"),
        action_form("CG-0001"),
        visit_form("CG-0001", today),
        resolution_form("CG-0001", today),
    ]
    for form in forms:
        title = localise(form.title, "cy")
        assert len(title) <= 24, f"{title!r} is longer than a Slack modal title may be"
