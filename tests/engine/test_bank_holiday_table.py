"""The bank-holiday table the calendars read is the `holidays` package's answer, nation by nation."""

from __future__ import annotations

import json
from importlib.metadata import version

import pytest

from scheduling.calendar import NATIONS, TABLE_DIR, bank_holidays, live_bank_holidays


@pytest.mark.parametrize("nation", list(NATIONS))
def test_table_was_written_by_the_installed_holidays_version(nation: str) -> None:
    # After a `holidays` upgrade the calendars fall back to the package (slower, same answers);
    # this fails so that someone runs `scripts/bank_holidays.py` to rewrite the table.
    table = json.loads((TABLE_DIR / f"{nation}.json").read_text(encoding="utf-8"))
    assert table["holidays_version"] == version("holidays")
    assert table["nation"] == nation


@pytest.mark.parametrize("nation", list(NATIONS))
def test_table_matches_the_package(nation: str) -> None:
    assert bank_holidays(nation) == live_bank_holidays(nation)


def test_dates_are_iso_and_sorted() -> None:
    # Reviewable by eye: one ISO date a line, in order.
    for nation in NATIONS:
        dates = list(json.loads((TABLE_DIR / f"{nation}.json").read_text())["dates"])
        assert dates == sorted(dates) and all(len(d) == 10 and d[4] == "-" for d in dates)
