"""Timestamps as records write them: ISO 8601 with a UTC offset."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timezone, tzinfo

# Date, then `T` or a space, then a time; the offset is checked separately so
# that "no offset" and "not a timestamp" get different messages.
_SHAPE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
# The form nearly every record uses; parsed directly, the rest goes the long way.
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$")
_LOOSE_HOUR = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2})(:.*)$")


class TimestampError(ValueError):
    """Why a text is not a usable timestamp; the message says what to write."""


def parse_timestamp(text: str, assume: tzinfo | None = None) -> datetime:
    """`2026-02-10T14:30:00Z` -> an aware datetime.

    Raises TimestampError for impossible dates, missing times and missing
    offsets (unless `assume` gives the zone of offset-less timestamps).
    """
    if _CANONICAL.match(text):
        try:
            return _in_range(datetime.fromisoformat(text), text)
        except ValueError as exc:
            if isinstance(exc, TimestampError):
                raise
            # an impossible date: the long way says which part
    raw = text.strip()
    if not _SHAPE.match(raw):
        raise TimestampError(f"`{text}` is not a timestamp; write ISO 8601 with an offset, e.g. `2026-02-10T14:30:00Z`")
    if len(raw) <= 10 or raw[10] not in "Tt ":
        parse_date(raw[:10])  # an impossible date says so first
        raise TimestampError(f"`{text}` is a date without a time; write e.g. `{raw[:10]}T00:00:00Z`")
    normalized = raw[:10] + "T" + raw[11:].strip()
    if normalized.endswith(("z", "Z")):
        normalized = normalized[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(_pad(normalized))
    except ValueError as exc:
        raise TimestampError(f"`{text}` is not a real date and time ({exc}); check the numbers") from None
    if value.tzinfo is None:
        if assume is None:
            raise TimestampError(f"`{text}` has no UTC offset; add one, e.g. `{raw}Z` for UTC or `{raw}+02:00`")
        # A fixed offset, not the zone itself: datetimes sharing one tzinfo subtract and compare by
        # wall clock (PEP 495), so two instants across a DST change would measure the wrong interval.
        value = value.replace(tzinfo=assume)
        offset = value.utcoffset()
        assert offset is not None  # `assume` is a zone: every wall time has an offset
        value = value.replace(tzinfo=timezone(offset))
    return _in_range(value, text)


# The instants the tool computes with: durations, due dates and windows added to a timestamp
# must stay within what Python's datetime can hold (years 1 to 9999).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _in_range(value: datetime, text: str) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise TimestampError(f"`{text}` is out of range; timestamps must lie between 1900-01-01 and 9000-01-01 (UTC)")
    return value


def _pad(text: str) -> str:
    """fromisoformat wants two-digit months, days and hours: 2026-2-3T4:05 -> 2026-02-03T04:05."""
    m = _LOOSE_HOUR.match(text)
    if not m:
        return text
    y, mo, d, h, rest = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}T{int(h):02d}{rest}"


def parse_date(text: str) -> date:
    """`2026-03-01` -> date; raises TimestampError with what to write instead."""
    raw = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
        raise TimestampError(f"`{text}` is not a date; write `YYYY-MM-DD`, e.g. `2026-03-01`")
    try:
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise TimestampError(f"`{text}` is not a real date ({exc}); check the numbers") from None
    if not EARLIEST.date() <= value < LATEST.date():
        raise TimestampError(f"`{text}` is out of range; dates must lie between 1900-01-01 and 9000-01-01")
    return value


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """2026-02-10T14:30:00Z."""
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
