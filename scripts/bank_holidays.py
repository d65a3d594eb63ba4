"""Rewrite the bank-holiday table (`scheduling/bank-holidays/*.json`) from the installed `holidays`.

Run after upgrading `holidays` (tests/engine/test_bank_holiday_table.py fails until you do):

    .venv/bin/python scripts/bank_holidays.py

then read the diff: a new or moved bank holiday is a change in the deadlines of live cases.
"""

from __future__ import annotations

from scheduling.calendar import write_bank_holidays

if __name__ == "__main__":
    for path in write_bank_holidays():
        print(f"wrote {path}")
