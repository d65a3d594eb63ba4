"""Buttons go only to people who may press them: a line manager outside the core group, told
about an away member's plan action, gets the reminder without a "Done" they can't use."""

from __future__ import annotations

from datetime import date

from fakes.slack_api import FakeSlackAPI
from fakes.slack_harness import all_text
from world import ACTOR, SimClock, london, new_case, run_sweep

from bot.slack.app import make_client
from bot.slack.chat import SlackChat
from storage import repository as repo
from storage.db import Store


def test_a_line_manager_gets_no_done_button_but_the_owner_does(store: Store, fake: FakeSlackAPI) -> None:
    port = SlackChat(make_client("xoxb-test", fake.base_url))
    clock = SimClock(london(date(2027, 1, 6), "10:00"))
    c = new_case(store, clock(), reference="CG-0001", profile="suffolk", start=date(2027, 1, 5), prefix="A")
    with store.transaction() as s:
        for owner in ("hv", "teacher"):
            repo.add_action(
                s,
                c.reference,
                actor=ACTOR,
                now=clock(),
                text=f"Action of the {owner}",
                owner_member_id=c.members[owner],
                due_on=date(2027, 1, 22),
            )
        repo.set_away(
            s,
            c.reference,
            c.members["hv"],
            actor=ACTOR,
            now=clock(),
            away_from=date(2027, 1, 18),
            away_until=date(2027, 1, 29),
        )
    clock.set(date(2027, 1, 20), "09:05")  # two working days before both are due
    run_sweep(store, port, clock)

    def posts(to: str) -> list[dict[str, object]]:
        return [a for a in fake.args_of("chat.postMessage") if a["channel"] == to]

    [manager] = [a for a in posts("UAHVMGR") if "action" in all_text(a).lower()]
    assert "Sent to you as line manager" in all_text(manager)
    assert "Only the core group can record this" in all_text(manager)
    assert not [b for b in manager.get("blocks") or [] if b["type"] == "actions"]  # type: ignore[union-attr,index]
    [owner] = [a for a in posts("UATEACH") if "action" in all_text(a).lower()]
    assert [b for b in owner.get("blocks") or [] if b["type"] == "actions"]  # type: ignore[union-attr,index]
