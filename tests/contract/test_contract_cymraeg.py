"""A Cwm Taf Morgannwg core group with a Welsh-speaking and an English-speaking member, on Slack,
Teams and the console: each reads their own language in replies and direct messages (reminders
included), the channel is Welsh first then English, and nothing a Welsh reader is sent is left
in English (a sentence that bypassed the catalogue would show here as an English-only line)."""

from __future__ import annotations

import re

from drivers import Driver
from story import Step, run
from test_contract_reminders import _delivered, _mark, _port

from bot.delivery import Delivery, Pacer
from handlers.i18n import BILINGUAL_RULE
from handlers.sweep import sweep

NEW_CY = "new CG-0001 profile:cwm-taf-morgannwg plan:cp start:2027-01-04"

WELSH_STORY: list[Step] = [
    Step("lead", NEW_CY),
    Step("lead", "language cy"),
    Step("lead", 'add @hv role:"health visitor" agency:"NHS" lang:en', ("hv",)),
    Step("lead", 'add @teacher role:"designated teacher" agency:"School"', ("teacher",)),
    Step("teacher", "CG-0001 language cy"),
    Step("lead", 'add @other role:"school nurse" agency:"NHS" lang:en', ("other",)),
    Step("lead", 'meeting 2027-01-15 10:00 venue:"Family centre"'),
    Step("hv", "report", form={"text": "Seen twice at home; weight on track."}),
    Step("lead", "status"),
    Step("lead", "members"),
    Step("lead", "help"),
]
WELSH_READERS = ("lead", "teacher")
ENGLISH_READERS = ("hv", "other")

#: Words that mark a line as English; none is a Welsh word ("a", "i", "am", "at" are, so they
#: are not here).
_WORDS = (
    "the you your is are and of for with be has have will this what when it they their was been "
    "from please need needs that before after next who there here can't don't isn't I'm I'll by on "
    "to in booked core group meeting report reports written due members member sent held"
)
_ENGLISH = frozenset(_WORDS.split())
_SKIP = re.compile(r"`[^`]*`|@\w+|CG-\d+|https?://\S+|\([^)]*\)|\w*_\w*")


def english_only(line: str) -> bool:
    """A line a Welsh reader would find in English: two or more English words outside commands,
    mentions, references and brackets (where a typed role or a place may stand)."""
    words = re.findall(r"[A-Za-z']+", _SKIP.sub(" ", line))
    return sum(w.lower() in _ENGLISH or w in _ENGLISH for w in words) >= 2


def welsh_part(text: str) -> list[str]:
    """The lines of a message a Welsh reader reads: all of it, or what comes before the English."""
    lines = text.splitlines()
    return lines[: lines.index(BILINGUAL_RULE)] if BILINGUAL_RULE in lines else lines


def _english_lines(texts: list[str]) -> list[str]:
    return [line for t in texts for line in welsh_part(t) if english_only(line)]


def test_each_member_reads_their_own_language_and_the_channel_both(adapter: Driver) -> None:
    said = [run(adapter, step) for step in WELSH_STORY]

    # The Welsh-speaking lead: every private reply in Welsh, nothing left in English.
    lead_private = [
        t for s, step in zip(said, WELSH_STORY, strict=True) if step.who == "lead" for t in s.private
    ]
    assert lead_private and not _english_lines(lead_private), _english_lines(lead_private)
    assert said[1].private[0].startswith("Byddaf yn ysgrifennu atoch yn Gymraeg")

    # The teacher, not asked yet, is asked in both languages; their answer is in Welsh.
    ask = said[3].dms["teacher"]
    assert len(ask) == 1 and ask[0].startswith("CG-0001: pa iaith hoffech chi")
    assert "CG-0001: which language would you like me to use with you?" in ask[0]
    assert "hv" not in said[2].dms  # lang:en given when she was added: not asked
    assert said[4].private[0].startswith("Byddaf yn ysgrifennu atoch yn Gymraeg")

    # The English-speaking health visitor's own replies: English.
    hv_private = said[7].private
    assert hv_private and all(BILINGUAL_RULE not in t for t in hv_private)
    assert not any("Dydd" in t or "eich" in t for t in hv_private), hv_private

    # Channel posts: Welsh first, then English, and the Welsh part is Welsh.
    channel = [t for s in said for t in s.channel]
    assert channel
    for post in channel:
        assert BILINGUAL_RULE in post.splitlines(), post
    assert not _english_lines(channel), _english_lines(channel)
    assert any("Dydd Gwener 15 Ionawr 2027" in t for t in channel)
    assert any("Fri 15 Jan 2027" in t for t in channel)

    # Reminders two working days before the meeting: each person's own language.
    adapter.clock.set("2027-01-13T09:30")
    mark = _mark(adapter)
    assert sweep(adapter.store, adapter.clock()).inserted > 0
    sent = Delivery(adapter.store, _port(adapter), clock=adapter.clock, worker="t", pacer=Pacer(0)).run()
    assert sent
    delivered = _delivered(adapter, mark)
    to_teacher = [t for where, t in delivered if where.removeprefix("dm:") in WELSH_READERS]
    to_hv = [t for where, t in delivered if where.removeprefix("dm:") in ENGLISH_READERS]
    in_channel = [t for where, t in delivered if where.endswith("channel")]
    assert to_teacher and to_hv, delivered
    assert not _english_lines(to_teacher), _english_lines(to_teacher)
    assert all(BILINGUAL_RULE not in t for t in to_teacher + to_hv)
    assert any("ar ddydd Gwener 15 Ionawr" in t for t in to_teacher)  # mutated after "ar"
    assert all("Dydd" not in t for t in to_hv)
    assert any("Fri 15 Jan" in t for t in to_hv)
    for post in in_channel:
        assert BILINGUAL_RULE in post.splitlines() or not english_only(post), post
    assert not _english_lines(in_channel), _english_lines(in_channel)
