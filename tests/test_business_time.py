"""Business time: parsing `4 business hours` / `2bd`, walking a calendar's working time (weekends, holidays,
DST), and the policy's `calendar:` checks."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from incidents.records.business import BusinessDuration, WorkCalendar, parse_business
from incidents.records.durations import deadline, format_duration

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CAL = WorkCalendar(BERLIN, "Europe/Berlin", holiday_dates=frozenset({date(2026, 12, 25)}))


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4 business hours", (4.0, "hours")),
        ("1 business hour", (1.0, "hours")),
        ("2 business days", (2.0, "days")),
        ("1 Business Day", (1.0, "days")),
        ("4bh", (4.0, "hours")),
        ("2bd", (2.0, "days")),
        ("0.5 bd", (0.5, "days")),
        ("4h", None),
        ("2 days", None),
        ("business days", None),
        ("", None),
    ],
)
def test_parse_business(text, expected):
    assert parse_business(text) == expected


def test_one_business_day_is_one_working_days_length():
    assert BusinessDuration(1, "days", CAL).total_seconds() == 8 * 3600
    assert str(BusinessDuration(1, "days", CAL)) == "1 business day"
    assert format_duration(BusinessDuration(4, "hours", CAL)) == "4 business hours"


@pytest.mark.parametrize(
    "start,amount,unit,due",
    [
        (berlin(2026, 3, 6, 18, 0), 1, "days", berlin(2026, 3, 9, 17, 0)),  # Friday evening -> Monday 17:00
        (berlin(2026, 3, 6, 16, 0), 1, "hours", berlin(2026, 3, 6, 17, 0)),  # ends exactly at closing time
        (berlin(2026, 3, 6, 16, 30), 1, "hours", berlin(2026, 3, 9, 9, 30)),  # runs over the weekend
        (berlin(2026, 3, 7, 12, 0), 2, "hours", berlin(2026, 3, 9, 11, 0)),  # starts on a Saturday
        (berlin(2026, 3, 9, 7, 0), 2, "hours", berlin(2026, 3, 9, 11, 0)),  # starts before opening
        (berlin(2026, 12, 24, 16, 0), 4, "hours", berlin(2026, 12, 28, 12, 0)),  # over a holiday and a weekend
    ],
)
def test_deadline_in_working_time(start, amount, unit, due):
    assert deadline(start, BusinessDuration(amount, unit, CAL)) == due


def test_a_dst_change_inside_working_time_counts_real_hours():
    # Round the clock, every day: 2026-03-29 has only 23 hours in Berlin.
    cal = WorkCalendar(BERLIN, "Europe/Berlin", time(0, 0), time.max, frozenset(range(7)))
    start = berlin(2026, 3, 29, 0, 0)
    due = deadline(start, BusinessDuration(24, "hours", cal))
    assert due - start == timedelta(hours=24)
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 1, 0)


def test_working_seconds_between_two_instants():
    assert CAL.working_seconds(berlin(2026, 3, 6, 16, 0), berlin(2026, 3, 9, 10, 0)) == 2 * 3600
    assert CAL.working_seconds(berlin(2026, 3, 9, 10, 0), berlin(2026, 3, 6, 16, 0)) == 0
    assert CAL.working_seconds(berlin(2026, 12, 25, 10, 0), berlin(2026, 12, 25, 12, 0)) == 0  # a holiday


def test_plain_durations_are_real_elapsed_time():
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert deadline(start, timedelta(minutes=15)) == start + timedelta(minutes=15)
