"""The faster engine gives the same answers as the one it replaced, obligation by obligation.

`same_answers.json` holds a fingerprint of every obligation list the previous engine (commit b7b0e47,
before the tuple obligations, lazy words and per-period memos) gave for the first 2,000 synthetic cases
of `bench/timeline.py`, each asked on three days -- with the one deliberate rule change made since
(Shropshire's final window before the first review needs the second core group; see docs/rules.md)
applied to that old engine as well, and regenerated once since for a deliberate catalogue change
(Northern Ireland's review conference cited to the SBNI procedures and its child-seen rule
added). The full 50,000-case comparison was run when the engine changed
(150,000 evaluations, 944,995 obligations, identical in every field); this is the sample that stays
in the suite. A fingerprint covers every field anyone reads: rule, due, status,
about, source, interpretation, subject, earliest, limit and met_on, in the timeline's order.

Regenerate only when an answer is meant to change (and say why in review):
    .venv/bin/python tests/engine/test_speed_same_answers.py
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = HERE / "same_answers.json"
CASES = 2000
#: The bench's day, a day 200 days earlier (many meetings still ahead) and one 40 days later
#: (booked meetings now passed, minutes and reviews overdue).
OFFSETS = (0, -200, 40)


def fingerprint(obs: list[Any]) -> str:
    """A short stable digest of one obligation list, every field in order."""
    text = "\n".join(
        "|".join(
            str(x)
            for x in (
                o.rule,
                o.due,
                o.status,
                o.about,
                o.source,
                o.interpretation,
                o.subject,
                o.earliest,
                o.limit,
                o.met_on,
            )
        )
        for o in obs
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def evaluations() -> list[tuple[dict[str, Any], date, list[Any]]]:
    """(CASE.json, today, obligations) for every sampled case and day, in a fixed order."""
    import random

    from bench.timeline import SEED, TODAY, synthetic_case
    from scheduling.calendar import calendar_for
    from scheduling.case import case_from_dict
    from scheduling.engine import obligations
    from scheduling.profiles import load_profile

    rng = random.Random(SEED)
    docs = [synthetic_case(rng) for _ in range(CASES)]
    out = []
    for offset in OFFSETS:
        today = TODAY + timedelta(days=offset)
        for doc in docs:
            case = case_from_dict(doc)
            profile = load_profile(case.profile)
            cal = calendar_for(profile.nation, profile.closures)
            out.append((doc, today, obligations(case, profile, cal, today)))
    return out


def test_same_answers_as_the_engine_before_the_speed_work() -> None:
    want = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert want["cases"] == CASES and want["offsets"] == list(OFFSETS)
    got = evaluations()
    assert len(got) == len(want["digests"])
    for (doc, today, obs), digest in zip(got, want["digests"], strict=True):
        if fingerprint(obs) != digest:
            shown = "\n".join(repr(o) for o in obs)
            raise AssertionError(f"different answers on {today} for case\n{json.dumps(doc)}\nnow:\n{shown}")
    assert sum(len(obs) for _, _, obs in got) == want["obligations"]


def main() -> int:
    got = evaluations()
    FIXTURE.write_text(
        json.dumps(
            {
                "cases": CASES,
                "offsets": list(OFFSETS),
                "obligations": sum(len(obs) for _, _, obs in got),
                "digests": [fingerprint(obs) for _, _, obs in got],
            },
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(got)} fingerprints to {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
