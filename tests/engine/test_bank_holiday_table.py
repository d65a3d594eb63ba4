"""The bank-holiday table the calendars read is the `holidays` package's answer, nation by nation."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from scheduling import bank_holidays as table
from scheduling.calendar import NATIONS, bank_holidays, live_bank_holidays


def test_table_was_written_by_the_installed_holidays_version() -> None:
    # After a `holidays` upgrade the calendars fall back to the package (slower, same answers);
    # this fails so that someone runs `python -m scheduling.calendar` to rewrite the table.
    assert version("holidays") == table.HOLIDAYS_VERSION


@pytest.mark.parametrize("nation", list(NATIONS))
def test_table_matches_the_package(nation: str) -> None:
    assert bank_holidays(nation) == live_bank_holidays(nation)
