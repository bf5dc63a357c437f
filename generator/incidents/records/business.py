"""Working time: the policy's `calendar` and business durations (`4 business hours`, `2bd`).

A `WorkCalendar` knows its time zone, its daily working hours, its working
weekdays and its holidays (a list of dates, or a country's public holidays
from the `holidays` package, imported only when such a calendar is used).
`add(start, seconds)` walks forward through working time in the calendar's
zone; all arithmetic is done on instants (UTC), so a DST change inside a
working day counts the hours that really passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS_SCANNED = 366 * 120  # a business duration is at most 100 years; this ends any walk

_BUSINESS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:(bh|bd)|business\s+(hours?|days?))\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working time: `timezone`, `working_hours` (start, end), `working_days` (0 = Monday)."""

    timezone: Any  # a tzinfo (zoneinfo.ZoneInfo)
    timezone_name: str
    start: time = time(9, 0)
    end: time = time(17, 0)  # time.max stands for 24:00
    working_days: frozenset[int] = frozenset(range(5))
    holiday_dates: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    @property
    def day_seconds(self) -> float:
        """One business day: the length of one working day's working time."""
        return _seconds(self.end) - _seconds(self.start)

    def is_holiday(self, day: date) -> bool:
        if day in self.holiday_dates:
            return True
        if self.country is None:
            return False
        return day in country_holidays(self.country, self.subdivision, day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and not self.is_holiday(day)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working time as two instants in UTC."""
        start = datetime.combine(day, self.start, tzinfo=self.timezone)
        if self.end == time.max:
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.timezone)
        else:
            end = datetime.combine(day, self.end, tzinfo=self.timezone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant when `seconds` of working time have passed since `start` (UTC).

        Exactly at the end of a working window counts as within it: a one-business-day target
        from Friday 18:00 ends on Monday at the end of working hours.
        """
        cursor = start.astimezone(UTC)
        remaining = timedelta(seconds=seconds)
        day = cursor.astimezone(self.timezone).date()
        if remaining <= timedelta(0):
            return cursor
        for _ in range(MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                w_start, w_end = self.window(day)
                begin = max(cursor, w_start)
                if begin < w_end:
                    available = w_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise OverflowError("no working time found within 120 years; check the calendar")

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (0 when end <= start)."""
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        if b <= a:
            return 0.0
        total = 0.0
        day = a.astimezone(self.timezone).date()
        last = b.astimezone(self.timezone).date()
        while day <= last:
            if self.is_working_day(day):
                w_start, w_end = self.window(day)
                lo, hi = max(a, w_start), min(b, w_end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


def _seconds(t: time) -> float:
    if t == time.max:
        return 86400.0
    return t.hour * 3600 + t.minute * 60 + t.second


def holidays_installed() -> bool:
    """Whether the `holidays` package (the `calendars` extra) can be imported."""
    import importlib.util

    try:
        return importlib.util.find_spec("holidays") is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=64)
def country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of a country (and subdivision) in a year, from the `holidays` package."""
    import holidays  # only when a calendar names a country: `incidents validate` stays light

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def check_country(country: str, subdivision: str | None) -> str | None:
    """Why the `holidays` package cannot give this country's holidays (None when it can)."""
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - the package's own validation; its message says why
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True, slots=True)
class BusinessDuration:
    """`4 business hours`, `2bd`: an amount of the calendar's working time."""

    amount: float
    unit: str  # "hours" | "days"
    calendar: WorkCalendar = field(compare=False)

    def total_seconds(self) -> float:
        """Seconds of working time (a business day is one working day's length)."""
        per = 3600.0 if self.unit == "hours" else self.calendar.day_seconds
        return self.amount * per

    def after(self, start: datetime) -> datetime:
        return self.calendar.add(start, self.total_seconds())

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        unit = self.unit[:-1] if amount == 1 else self.unit
        return f"{amount} business {unit}"


def parse_business(text: str) -> tuple[float, str] | None:
    """`4 business hours` / `4bh` -> (4.0, "hours"); `2bd` -> (2.0, "days"); None if not business."""
    if not isinstance(text, str):
        return None
    m = _BUSINESS.match(text)
    if not m:
        return None
    short, long = m.group(2), m.group(3)
    unit = "hours" if (short or long).lower().startswith(("bh", "hour")) else "days"
    return float(m.group(1)), unit
