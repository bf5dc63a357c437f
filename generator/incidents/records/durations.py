"""Durations as the policy writes them: `30s`, `15m`, `4h`, `2d`, `1w`, or ISO 8601 (`PT15M`, `P2D`)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_ISO = re.compile(
    r"^P(?!$)(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta | None:
    """`15m` -> timedelta(minutes=15); None when the text is not a duration.

    ISO 8601 years and months are refused: they have no fixed length.
    """
    if not isinstance(text, str):
        return None
    m = _SHORT.match(text)
    if m:
        return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    m = _ISO.match(text.strip().upper())
    if m:
        parts = {k: float(v) for k, v in m.groupdict().items() if v is not None}
        if not parts:
            return None
        return timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    return None


def deadline(start: datetime, duration) -> datetime:
    """`start` + a policy duration: a timedelta, or a business duration (counted in working time).

    Instants: the result is compared with other timestamps as real elapsed time.
    """
    if isinstance(duration, timedelta):
        return start + duration
    return duration.after(start)


def exceeds(start: datetime, end: datetime, duration) -> bool:
    """Whether more than `duration` passed from `start` to `end` (working time for business durations)."""
    return end > deadline(start, duration)


def format_duration(value) -> str:
    """timedelta -> the shortest human form: `15m`, `1h 30m`, `2d`, `45s`; a business duration as written
    in words (`4 business hours`)."""
    if value is None:
        return "—"
    if not isinstance(value, timedelta):
        return str(value)
    total = int(round(value.total_seconds()))
    if total == 0:
        return "0m"
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            amount, total = divmod(total, size)
            parts.append(f"{amount}{unit}")
    return sign + " ".join(parts)
