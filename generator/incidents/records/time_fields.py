"""Typed readers of time: timestamps with their offsets, dates, and durations (`15m`, `PT15M`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from incidents.records.durations import parse_duration
from incidents.records.field_base import MAX_DURATION, FieldBase, dotted, type_name
from incidents.records.source import Path
from incidents.records.timestamps import TimestampError, parse_date, parse_timestamp


class TimeFields(FieldBase):
    """The readers of `FieldBase` for points and lengths of time."""

    def timestamp(self, path: Path, *, required: bool = True) -> datetime | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, str):
            scalar = self.doc.scalars.get(path)
            if scalar is None:
                self.error(
                    path,
                    "wrong-type",
                    f"`{dotted(path)}` must be a timestamp such as `2026-02-10T14:30:00Z`, not " + type_name(value),
                )
                return None
            value = scalar.text
        try:
            parsed = parse_timestamp(value, self.assume_tz)
        except TimestampError as exc:
            code = "naive-timestamp" if "no UTC offset" in str(exc) else "invalid-timestamp"
            self.error(path, code, f"`{dotted(path)}`: {exc}")
            return None
        try:
            if parsed.year in (1, 9999):  # only there can an offset leave datetime's range
                parsed.astimezone(UTC)  # 0001-01-01T00:00+01:00 has no UTC time
        except (OverflowError, ValueError):
            self.error(path, "invalid-timestamp", f"`{dotted(path)}`: `{value}` is out of range in UTC; check the year")
            return None
        return parsed

    def date(self, path: Path, *, required: bool = True, hint: str = "") -> date | None:
        value = self.get(path)
        if self._absent(path, value, required, hint):
            return None
        if not isinstance(value, str):
            scalar = self.doc.scalars.get(path)
            value = scalar.text if scalar is not None else None
            if value is None:
                self.error(
                    path,
                    "wrong-type",
                    f"`{dotted(path)}` must be a date such as `2026-03-01`, not " + type_name(self.get(path)),
                )
                return None
        try:
            return parse_date(value)
        except TimestampError as exc:
            self.error(path, "invalid-date", f"`{dotted(path)}`: {exc}")
            return None

    def duration(self, path: Path, *, required: bool = False, allow_zero: bool = False) -> timedelta | None:
        """A positive duration (or zero, where `allow_zero`: an escalation `after: 0m` is "immediately")."""
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        text = value if isinstance(value, str) else getattr(self.doc.scalars.get(path), "text", None)
        try:
            parsed = parse_duration(text) if isinstance(text, str) else None
        except (OverflowError, ValueError):  # `99999999999w`: more days than a timedelta holds
            parsed = MAX_DURATION * 2
        if parsed is not None and parsed > MAX_DURATION:
            # Longer than any target; and adding it to a timestamp (gates: resolved_at + due_within)
            # would overflow.
            self.error(
                path,
                "invalid-duration",
                f"`{text}` is longer than 100 years; write a real target such as `15m`, `4h` or `5d`",
            )
            return None
        if parsed is None or parsed.total_seconds() < 0 or (parsed.total_seconds() == 0 and not allow_zero):
            shown = text if isinstance(text, str) else type_name(value)
            self.error(
                path,
                "invalid-duration",
                f"`{shown}` is not a duration; write e.g. `30s`, `15m`, `4h`, `2d`, `1w` or `PT15M`",
            )
            return None
        return parsed
