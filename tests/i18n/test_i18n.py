"""The catalogue's rendering: whole sentences, Welsh dates, mutations, plurals, bilingual posts."""

from __future__ import annotations

import copy
import pickle
from datetime import date

from handlers.i18n import (
    BILINGUAL_RULE,
    _,
    bilingual,
    localise,
    localise_message,
    long_day,
    ngettext,
    short_day,
    soft_mutation,
)
from handlers.replies import Button, Message

TUESDAY = date(2027, 1, 5)


def test_a_sentence_is_its_english_until_it_is_read_in_welsh() -> None:
    text = _("I'll write to you in {language} from now on.", language="Cymraeg")
    assert text == "I'll write to you in Cymraeg from now on."
    assert localise(text, "cy") == "Byddaf yn ysgrifennu atoch yn Gymraeg o hyn ymlaen."
    assert localise("CG-0001", "cy") == "CG-0001"  # not from the catalogue: as it is


def test_dates_are_written_out_in_welsh() -> None:
    assert localise(long_day(TUESDAY), "cy") == "Dydd Mawrth 5 Ionawr 2027"
    assert long_day(TUESDAY) == "Tue 5 Jan 2027"
    assert localise(short_day(TUESDAY), "cy") == "Dydd Mawrth 5 Ionawr"


def test_soft_mutation_after_a_preposition() -> None:
    assert soft_mutation("Dydd Mawrth 5 Ionawr 2027") == "ddydd Mawrth 5 Ionawr 2027"
    assert soft_mutation("gweinyddwr Slack") == "weinyddwr Slack"
    assert soft_mutation("cyfarfod") == "gyfarfod"
    assert soft_mutation("llun") == "lun"
    assert soft_mutation("Ionawr") == "Ionawr"  # vowels do not mutate
    assert soft_mutation("Canllawiau Cwm Taf") == "Ganllawiau Cwm Taf"
    assert soft_mutation("Wales Safeguarding Procedures") == "Wales Safeguarding Procedures"


def test_a_placeholder_can_ask_for_the_mutated_form() -> None:
    from handlers.i18n import Text

    text = Text("{ref}: on {when}", {"ref": "CG-0001", "when": long_day(TUESDAY)})
    # The Welsh catalogue has no such sentence: the formatter's spec is what is tested.
    from handlers.i18n import _Formatter

    assert (
        _Formatter("cy").format("ar {when:soft}", when=long_day(TUESDAY)) == "ar ddydd Mawrth 5 Ionawr 2027"
    )
    assert _Formatter("en").format("on {when:soft}", when=long_day(TUESDAY)) == "on Tue 5 Jan 2027"
    assert text == "CG-0001: on Tue 5 Jan 2027"


def test_welsh_has_six_plural_forms() -> None:
    from handlers.i18n import _translations

    plural = _translations().plural
    assert [plural(n) for n in (0, 1, 2, 3, 6, 4, 11)] == [0, 1, 2, 3, 4, 5, 5]


def test_a_nested_sentence_is_read_in_the_same_language() -> None:
    inner = _("workspace")
    outer = _("your {platform} admin", platform=_("team"))
    assert localise(outer, "cy") == "gweinyddwr tîm"
    assert localise(inner, "cy") == "gweithle"


def test_a_bilingual_message_is_welsh_first_then_english() -> None:
    m = Message(
        _("I'll write to you in {language} from now on.", language="Cymraeg"),
        ("CG-0001",),
        (Button(_("workspace"), "cg.run", "status"),),
    )
    both = bilingual(m)
    assert both.preview == "Byddaf yn ysgrifennu atoch yn Gymraeg o hyn ymlaen."
    assert both.detail == ("CG-0001", BILINGUAL_RULE, "I'll write to you in Cymraeg from now on.")
    assert both.buttons[0].label == "gweithle / workspace"
    # Nothing to translate: said once.
    plain = Message("CG-0001")
    assert bilingual(plain) == plain
    assert localise_message(plain, "cy") == plain


def test_sentences_survive_copying_and_pickling() -> None:
    text = ngettext("{n} day", "{n} days", 3)
    assert text == "3 days"
    for other in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert other == text
        assert localise(other, "cy") == localise(text, "cy")


def test_the_leak_watch_catches_a_sentence_that_bypassed_the_catalogue() -> None:
    """What the contract suite's guard (tests/contract/conftest.py) relies on: an f-string or a
    plain English line reaching a reader is recorded; a catalogue sentence, data marked with
    `verbatim` (a name, a reference) are not."""
    from handlers.i18n import verbatim, voiced, watching_for_leaks

    glued = _("{reference} is already open.", reference="CG-0001") + " Ask the chair."
    with watching_for_leaks() as leaks:
        voiced(Message(_("{reference} is already open.", reference="CG-0001"), (verbatim("CG-0001"),)), "cy")
        voiced(Message(verbatim("Dr Example"), (f"Meeting {1} moved.", glued)), "both")
    assert [text for text, _message in leaks] == ["Meeting 1 moved.", glued]
