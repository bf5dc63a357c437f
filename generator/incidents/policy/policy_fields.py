"""Policy values that need more than a Fields getter: the `calendar` and durations that may be business time."""

from __future__ import annotations

import re
import zoneinfo
from datetime import time, timedelta

from incidents.findings import did_you_mean
from incidents.records.business import (
    WEEKDAYS,
    BusinessDuration,
    WorkCalendar,
    check_country,
    holidays_installed,
    parse_business,
)
from incidents.records.fields import MAX_DURATION, Fields

CALENDAR_KEYS = ("timezone", "working_hours", "working_days", "holidays")
HOLIDAY_KEYS = ("country", "subdivision")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def read_duration(
    f: Fields, path: tuple, calendar: WorkCalendar | None, *, required: bool = False, allow_zero: bool = False
) -> timedelta | BusinessDuration | None:
    """A duration as `Fields.duration` reads it, or a business duration (`4 business hours`, `2bd`).

    A business duration needs the policy's `calendar`: without one it is an error at its line.
    """
    value = f.get(path)
    parsed = parse_business(value) if isinstance(value, str) else None
    if parsed is None:
        return f.duration(path, required=required, allow_zero=allow_zero)
    amount, unit = parsed
    if calendar is None and f.has_value(("calendar",)):
        return None  # the calendar is written but unusable: its own findings say why
    if calendar is None:
        f.error(
            path,
            "business-without-calendar",
            f"`{value}` is a business duration, but the policy has no `calendar:` saying when people work; "
            'add e.g. `calendar: {timezone: Europe/Berlin, working_hours: "09:00-17:00"}` or use a '
            "plain duration such as `4h`",
        )
        return None
    duration = BusinessDuration(amount, unit, calendar)
    if amount == 0 and not allow_zero:
        f.error(path, "invalid-duration", f"`{value}` is zero; write a positive duration")
        return None
    if duration.total_seconds() > MAX_DURATION.total_seconds() / 3:  # working time is at most ~1/3 of a day
        f.error(path, "invalid-duration", f"`{value}` is longer than 100 years of working time; write a real target")
        return None
    return duration


def read_calendar(f: Fields) -> WorkCalendar | None:
    """The policy's `calendar:` (None when absent or unusable: its findings say why)."""
    if f.mapping(("calendar",), required=False) is None:
        return None
    f.unknown_keys(("calendar",), CALENDAR_KEYS, what="calendar key")
    ok = True
    tz_name = f.text(("calendar", "timezone"), required=True)
    tz = None
    if tz_name is not None:
        try:
            tz = zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            f.error(
                ("calendar", "timezone"),
                "invalid-timezone",
                f"unknown time zone `{tz_name}`; use an IANA name such as `Europe/Berlin` or `UTC`",
            )
    start, end = time(9, 0), time(17, 0)
    hours = f.text(("calendar", "working_hours"), required=False)
    if hours is not None:
        parsed = _working_hours(hours)
        if parsed is None:
            f.error(
                ("calendar", "working_hours"),
                "invalid-value",
                f'`{hours}` is not a span of working hours; write e.g. `"09:00-17:00"` (start before end, '
                "`24:00` for midnight)",
            )
            ok = False
        else:
            start, end = parsed
    days = frozenset(range(5))
    listed = f.text_list(("calendar", "working_days"), required=False, non_empty=True)
    if listed is not None:
        chosen = set()
        for i, name in enumerate(listed):
            key = name.strip().lower()[:3]
            if key not in WEEKDAYS or name.strip().lower() not in (key, _full_day(key)):
                f.error(
                    ("calendar", "working_days", i),
                    "invalid-value",
                    f"`{name}` is not a weekday; write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`",
                )
                ok = False
            else:
                chosen.add(WEEKDAYS.index(key))
        days = frozenset(chosen) or days
    dates, country, subdivision = _holidays(f)
    if tz is None or tz_name is None or not ok or dates is None:
        return None
    return WorkCalendar(tz, tz_name, start, end, days, dates, country, subdivision)


def _full_day(key: str) -> str:
    return {
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
        "sun": "sunday",
    }[key]


def _working_hours(text: str) -> tuple[time, time] | None:
    m = _HOURS.match(text)
    if not m:
        return None
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        return None
    start = time(h1, m1)
    end = time.max if h2 == 24 else time(h2, m2)
    if (h2, m2) <= (h1, m1):
        return None
    return start, end


def _holidays(f: Fields):
    """(dates, country, subdivision) of `calendar.holidays`; dates None after an error."""
    path = ("calendar", "holidays")
    value = f.get(path)
    if not f.has_value(path):
        return frozenset(), None, None
    if isinstance(value, list):
        out = set()
        for i in range(len(value)):
            d = f.date(path + (i,))
            if d is None:
                return None, None, None
            out.add(d)
        return frozenset(out), None, None
    if f.mapping(path) is None:
        return None, None, None
    f.unknown_keys(path, HOLIDAY_KEYS, what="holidays key")
    country = f.text(path + ("country",), required=True, max_len=10)
    subdivision = f.text(path + ("subdivision",), required=False, max_len=20)
    if country is None:
        return None, None, None
    if not holidays_installed():
        f.error(
            path + ("country",),
            "invalid-value",
            f"public holidays of `{country}` come from the `holidays` package, which is not installed: "
            "pip install 'incident-as-code[calendars]' (in CI too: add `[calendars]` to the gate's install)",
        )
        return None, None, None
    why = check_country(country, subdivision)
    if why is not None:
        f.error(
            path + ("subdivision" if subdivision and "subdivision" in why else "country",),
            "invalid-value",
            f"the `holidays` package has no public holidays for `{country}`"
            + (f" / `{subdivision}`" if subdivision else "")
            + f" ({why}); use an ISO 3166 code such as `DE` "
            "(and a subdivision such as `BY`), or list the dates",
        )
        return None, None, None
    return frozenset(), country, subdivision


def unique_texts(f: Fields, path: tuple, what: str, fold: bool = False) -> list[str]:
    items = f.text_list(path, required=False) or []
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        key = item.casefold() if fold else item
        if key in seen:
            f.error(
                path + (i,),
                "duplicate-id",
                f"{what} `{item}` is listed twice; list it once" + (" (tags match case-insensitively)" if fold else ""),
            )
            continue
        seen.add(key)
        out.append(item)
    return out


def check_known_tag(f: Fields, path: tuple, tag: str, known: tuple[str, ...]) -> None:
    """A tag the policy's `tags:` does not list (when it lists any): a warning with a suggestion."""
    if not known or tag.casefold() in {t.casefold() for t in known}:
        return
    hint = did_you_mean(tag, known)
    f.warning(
        path,
        "unknown-tag",
        f"unknown tag `{tag}`{hint}" + ("" if hint else "; add it to the policy's `tags:` or use a listed one"),
        at_key=True,
    )


def check_role(f: Fields, path: tuple, role: str, roles: tuple[str, ...]) -> bool:
    if role in roles:
        return True
    hint = did_you_mean(role, roles)
    f.error(path, "unknown-role", f"unknown role `{role}`{hint}" + ("" if hint else "; add it to `roles:` first"))
    return False


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


def read_languages(f: Fields) -> tuple[str, ...]:
    """`languages: [en, de]`: the languages of every public update (the first is the one `message` is in)."""
    out = []
    for i, code in enumerate(unique_texts(f, ("languages",), "language")):
        if not LANGUAGE_CODE.match(code):
            f.error(
                ("languages", i),
                "bad-language",
                f"`{code}` is not a language code; write one such as `en`, `de` or `pt_BR`",
            )
            continue
        out.append(code)
    return tuple(out)
