"""The case export names meeting kinds from the one table the chat answers use
(`scheduling.wording.MEETING_KIND_LABELS`), through `coregroup export`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import fixed_clock
from scheduling.case import MEETING_KINDS
from scheduling.wording import MEETING_KIND_LABELS, meeting_label
from storage import repository as repo
from storage.db import Store


def test_every_meeting_kind_has_its_words() -> None:
    assert set(MEETING_KIND_LABELS) == {*MEETING_KINDS, "review_conference"}
    assert meeting_label("school_move_core_group") == "school core group"
    assert meeting_label("school_move_core_group", "reminder") == "core group at the new school"
    assert meeting_label("resolution_tier1", "invitation") == "Tier 1 resolution meeting"
    assert meeting_label("a_new_kind") == "a new kind"


def test_the_export_names_a_tier_1_meeting_as_the_chat_does(
    db_url: str, store: Store, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with store.transaction() as s:
        ref = repo.create_case(
            s, actor="slack:U0LEAD", now=now, profile="suffolk", plan="cp", start=date(2026, 12, 18)
        ).reference
        repo.schedule_meeting(
            s, ref, actor="slack:U0LEAD", now=now, kind="resolution_tier1", starts_at=now + timedelta(days=1)
        )
    monkeypatch.setattr("bot.cli_storage.CLOCK", fixed_clock(datetime.fromisoformat("2027-01-06T10:00")))
    assert main(["export", ref, "--out", str(tmp_path)]) == 0
    doc = (tmp_path / f"{ref}-record.md").read_text()
    assert "— Tier 1 meeting (scheduled)" in doc
    assert "resolution tier1" not in doc
