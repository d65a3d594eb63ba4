"""The whole story on Slack, Teams and the console side by side: the same records, and every
step's messages the same once markup is normalised."""

from __future__ import annotations

from drivers import Driver
from story import STORY, as_on, records, run


def test_every_adapter_tells_the_same_story(every_adapter: dict[str, Driver]) -> None:
    transcripts: dict[str, list[tuple[list[str], list[str]]]] = {}
    for name, driver in every_adapter.items():
        transcripts[name] = []
        for step in STORY:
            said = run(driver, step)
            transcripts[name].append((said.private, said.channel))
    slack = transcripts["slack"]
    for name in ("teams", "console"):
        for i, (step, a, b) in enumerate(zip(STORY, slack, transcripts[name], strict=True)):
            expected = ([as_on(name, t) for t in a[0]], [as_on(name, t) for t in a[1]])
            assert b == expected, f"step {i} ({step.text}) differs on {name}"
    same = {name: records(d) for name, d in every_adapter.items()}
    assert same["teams"] == same["slack"]
    assert same["console"] == same["slack"]
