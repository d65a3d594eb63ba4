"""A refusal does not tell an outsider whether a case reference exists (issue item 5c).

Before this change a reference that did not exist got "There is no core group with the reference
…" while an existing case got "Only members of …": anyone could enumerate the references. Now both
get the same words, in the same private shape, on Slack, Teams and the console.
"""

from __future__ import annotations

import pytest
from drivers import Driver, Said
from story import NEW

COMMANDS = [
    "status {ref}",
    "members {ref}",
    "close {ref}",
    "change start:2027-01-01 {ref}",
    "{ref} attending",
    "actions {ref}",
]


def _shape(said: Said, ref: str) -> tuple[list[str], list[str]]:
    return [p.replace(ref, "CG-XXXX") for p in said.private], said.channel


@pytest.mark.parametrize("line", COMMANDS)
def test_unknown_and_not_yours_get_the_same_answer(adapter: Driver, line: str) -> None:
    adapter.do("lead", NEW)
    existing = adapter.do("other", line.format(ref="CG-0001"))
    missing = adapter.do("other", line.format(ref="CG-0999"))
    assert _shape(existing, "CG-0001") == _shape(missing, "CG-0999")
    assert existing.channel == [] and len(existing.private) == 1
    assert existing.private[0].startswith("Only members of CG-0001's core group"), existing.text


def test_the_refusal_is_worded_alike_on_every_adapter(every_adapter: dict[str, Driver]) -> None:
    answers = set()
    for d in every_adapter.values():
        d.do("lead", NEW)
        answers.add(tuple(_shape(d.do("other", "status CG-0999"), "CG-0999")[0]))
        answers.add(tuple(_shape(d.do("other", "status CG-0001"), "CG-0001")[0]))
    assert len(answers) == 1, answers
