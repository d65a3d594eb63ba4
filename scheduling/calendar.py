"""Working-day arithmetic for the four UK nations.

Counting conventions are those of the rule catalogue (`docs/rules.md`, "Counting conventions"):

* a working day is Monday-Friday and not a bank holiday of the nation (the `holidays` package,
  `UK` with subdivision ENG / WLS / SCT / NIR, observed days included), nor a local closure day;
* "within N working days of X": the N-th working day after X; X itself never counts;
* "N working days before Y": the N-th working day before Y;
* a calendar deadline that is not a working day moves back to the previous working day.

A calendar is built once per (nation, closures) and shared by every case: the working days are held
as a sorted array of ordinals so each step is one bisection, which is what lets a sweep of tens of
thousands of cases run in well under a second.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final

from dateutil.relativedelta import relativedelta

NATIONS: Final[dict[str, str]] = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}

#: The years a case's dates may fall in (CASE.json and the chat commands refuse others).
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2075
#: The calendar holds bank holidays a little either side of those years, so that every deadline
#: counted from an accepted date is answerable: "N working days before" a meeting early in 2000, or
#: the longest catalogue period (15 months) or a year of working days after a date late in 2075.
MARGIN_YEARS: Final = 3
#: Cap on remembered deadlines per calendar and period (a few MB at most); past it, deadlines are
#: computed afresh. A sweep touches a few thousand distinct dates per period, so the cap is never
#: reached in practice.
_MEMO_MAX: Final = 250_000


class DateOutOfRange(ValueError):
    """A date the calendar has no bank-holiday data for."""


class _Memo(dict[date, date]):
    """Deadlines already counted for one period: `memo[d]` counts on a miss and remembers."""

    __slots__ = ("count",)

    def __init__(self, count: Callable[[date], date]) -> None:
        super().__init__()
        self.count = count

    def __missing__(self, d: date) -> date:
        due = self.count(d)  # DateOutOfRange propagates and nothing is remembered
        if len(self) < _MEMO_MAX:
            self[d] = due
        return due


class WorkingCalendar:
    """Bank holidays and closures of one nation, with O(log n) working-day steps."""

    def __init__(self, nation: str, closures: Iterable[date] = ()) -> None:
        if nation not in NATIONS:
            raise ValueError(f"unknown nation {nation!r}; allowed: {', '.join(NATIONS)}")
        self.nation = nation
        self.closures = frozenset(closures)
        first, last = FIRST_YEAR - 1, LAST_YEAR + MARGIN_YEARS
        self.holiday_names: dict[date, str] = bank_holidays(nation)
        for d in self.closures:
            self.holiday_names.setdefault(d, "local closure day")
        start = date(first, 1, 1).toordinal()
        end = date(last, 12, 31).toordinal()
        off = {d.toordinal() for d in self.holiday_names}
        self._days: list[int] = [o for o in range(start, end + 1) if (o + 6) % 7 < 5 and o not in off]
        self._first = start
        self._last = end
        self._steppers: dict[tuple[int, str, bool], Callable[[date], date]] = {}

    def _check(self, d: date) -> int:
        o = d.toordinal()
        if not self._first <= o <= self._last:
            raise DateOutOfRange(
                f"{d.isoformat()} is outside the calendar's years {FIRST_YEAR - 1}-{LAST_YEAR + MARGIN_YEARS}"
            )
        return o

    def is_working_day(self, d: date) -> bool:
        o = self._check(d)
        i = bisect.bisect_left(self._days, o)
        return i < len(self._days) and self._days[i] == o

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (n >= 1); `d` itself never counts."""
        if n < 1:
            raise ValueError("n must be at least 1")
        i = bisect.bisect_right(self._days, self._check(d)) + n - 1
        if i >= len(self._days):
            raise DateOutOfRange(f"{n} working days after {d.isoformat()} is past {LAST_YEAR + MARGIN_YEARS}")
        return date.fromordinal(self._days[i])

    def subtract_working_days(self, d: date, n: int) -> date:
        """The n-th working day before `d` (n >= 1); `d` itself never counts."""
        if n < 1:
            raise ValueError("n must be at least 1")
        i = bisect.bisect_left(self._days, self._check(d)) - n
        if i < 0:
            raise DateOutOfRange(f"{n} working days before {d.isoformat()} is before {FIRST_YEAR - 1}")
        return date.fromordinal(self._days[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` is after `start`.

        Negative when `end` is before `start`, so that
        `working_days_between(d, add_working_days(d, n)) == n`.
        """
        a, b = self._check(start), self._check(end)
        if b >= a:
            return bisect.bisect_right(self._days, b) - bisect.bisect_right(self._days, a)
        return -(bisect.bisect_right(self._days, a) - bisect.bisect_right(self._days, b))

    def roll_back(self, d: date) -> date:
        """`d` if it is a working day, else the working day before it."""
        i = bisect.bisect_right(self._days, self._check(d)) - 1
        if i < 0:
            raise DateOutOfRange(f"no working day on or before {d.isoformat()}")
        return date.fromordinal(self._days[i])

    def roll_forward(self, d: date) -> date:
        """`d` if it is a working day, else the next working day (for sending, never deadlines)."""
        i = bisect.bisect_left(self._days, self._check(d))
        if i >= len(self._days):
            raise DateOutOfRange(f"no working day on or after {d.isoformat()}")
        return date.fromordinal(self._days[i])

    def add_calendar(self, d: date, n: int, unit: str) -> date:
        """X + N days/weeks/months (a 31st rolls to the month's end), moved back to a working day."""
        if unit == "days":
            raw = d + timedelta(days=n)
        elif unit == "weeks":
            raw = d + timedelta(weeks=n)
        elif unit == "months":
            raw = d + relativedelta(months=n)
        else:
            raise ValueError(f"unknown calendar unit {unit!r}")
        self._check(raw)
        return self.roll_back(raw)

    def subtract_calendar(self, d: date, n: int, unit: str) -> date:
        """Y - N days/weeks/months, moved back to a working day."""
        if unit == "days":
            raw = d - timedelta(days=n)
        elif unit == "weeks":
            raw = d - timedelta(weeks=n)
        elif unit == "months":
            raw = d - relativedelta(months=n)
        else:
            raise ValueError(f"unknown calendar unit {unit!r}")
        return self.roll_back(raw)

    def stepper(self, n: int, unit: str, backwards: bool = False) -> Callable[[date], date]:
        """`d -> after(d, n, unit)` (or `before`) as one function, remembered per calendar.

        Every case in a sweep counts from the same few hundred dates with the same handful of
        periods, and a month step through `relativedelta` costs more than the rest of a rule, so the
        sweep's throughput hangs on not repeating it. The engine looks a stepper up once per
        (profile, plan) and then pays one dictionary lookup per deadline.
        """
        key = (n, unit, backwards)
        known = self._steppers.get(key)
        if known is not None:
            return known
        if n < 1:
            raise ValueError("n must be at least 1")
        if unit not in ("working_days", "days", "weeks", "months"):
            raise ValueError(f"unknown unit {unit!r}")
        by_working_day = self.subtract_working_days if backwards else self.add_working_days
        by_calendar = self.subtract_calendar if backwards else self.add_calendar

        def count(d: date) -> date:
            return by_working_day(d, n) if unit == "working_days" else by_calendar(d, n, unit)

        step = _Memo(count).__getitem__  # a remembered date costs no Python frame at all
        self._steppers[key] = step
        return step

    def after(self, d: date, n: int, unit: str) -> date:
        """`n` working days / days / weeks / months after `d`, as `add_working_days` or `add_calendar`."""
        return self.stepper(n, unit)(d)

    def before(self, d: date, n: int, unit: str) -> date:
        """`n` working days / days / weeks / months before `d`: the N-th working day before, or the
        calendar date rolled back to a working day."""
        return self.stepper(n, unit, backwards=True)(d)

    def non_working_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Bank holidays and closures in (start, end], for messages that explain a date."""
        return sorted((d, n) for d, n in self.holiday_names.items() if start < d <= end)


def live_bank_holidays(nation: str) -> dict[date, str]:
    """Bank holidays of a nation over the calendar's years, from the `holidays` package."""
    import holidays  # here, not at the top: `coregroup` should not pay for it until it counts

    years = range(FIRST_YEAR - 1, LAST_YEAR + MARGIN_YEARS + 1)
    bank = holidays.country_holidays("GB", subdiv=NATIONS[nation], years=years)
    return {d: str(n) for d, n in sorted(bank.items())}


#: The bank-holiday table: one JSON file per nation, ISO date -> name (the shape of the `holidays`
#: package's own snapshots, so a reviewer reads it by eye), written by `scripts/bank_holidays.py`.
TABLE_DIR: Final = Path(__file__).with_name("bank-holidays")


def bank_holidays(nation: str) -> dict[date, str]:
    """Bank holidays of a nation: the table in `scheduling/bank-holidays/`, written from the
    `holidays` package, when it was written by the installed version; else the package itself.

    Why: asking `holidays` for 80 years costs about 0.2 s per nation, paid by the first sweep of
    every fresh process (three nations: 0.6 s of a 5 s sweep). The table is the same answer read
    in a millisecond; tests/engine/test_bank_holiday_table.py checks it against the package, and
    `scripts/bank_holidays.py` rewrites it after a `holidays` upgrade (until then the version
    check falls back to the package, so answers never go stale).
    """
    from importlib.metadata import version  # not `import holidays`: that alone costs 0.1 s

    path = TABLE_DIR / f"{nation}.json"
    if path.is_file():
        table = json.loads(path.read_text(encoding="utf-8"))
        if table.get("holidays_version") == version("holidays"):
            fromiso = date.fromisoformat
            return {fromiso(d): n for d, n in table["dates"].items()}
    return live_bank_holidays(nation)


def write_bank_holidays(folder: Path = TABLE_DIR) -> list[Path]:
    """Rewrite the table `bank_holidays` reads, from the installed `holidays` package."""
    from importlib.metadata import version

    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for nation in NATIONS:
        table = {
            "nation": nation,
            "holidays_version": version("holidays"),
            "dates": {d.isoformat(): n for d, n in live_bank_holidays(nation).items()},
        }
        path = folder / f"{nation}.json"
        path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


@lru_cache(maxsize=64)
def calendar_for(nation: str, closures: frozenset[date] = frozenset()) -> WorkingCalendar:
    """One calendar per nation and closure set for the whole process."""
    return WorkingCalendar(nation, closures)
