"""Typed reading of one YAML document, one field at a time.

`Fields` wraps a Document and a list of findings. Each getter returns the
field's value in the type the contract asks for, or None after appending a
finding that says what to write instead. Rules for incidents, postmortems,
maintenance and the policy are written with these getters, so every message
about a wrong type, a bare `yes`, a missing key or an unknown value reads the
same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from incidents.findings import ERROR, WARNING, Finding, did_you_mean, one_of
from incidents.records.durations import parse_duration
from incidents.records.source import BOOL, NULL, Document, Path
from incidents.records.timestamps import TimestampError, parse_date, parse_timestamp

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
URL_PATTERN = re.compile(r"^(https?|mailto):[^\s]+$", re.IGNORECASE)

MISSING = object()
MAX_DURATION = timedelta(days=36_525)  # 100 years


def dotted(path: Path) -> str:
    """('updates', 2, 'at') -> `updates[2].at`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "the front matter"


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


class Fields:
    def __init__(self, doc: Document, rel: str, findings: list[Finding], assume_tz: tzinfo | None = None):
        self.doc = doc
        self.rel = rel
        self.findings = findings
        self.assume_tz = assume_tz

    # -- reporting -------------------------------------------------------
    def report(self, path: Path, code: str, message: str, *, level: str = ERROR, at_key: bool = False) -> None:
        if not path:  # the front matter as a whole: its opening `---` line, like a missing key
            line, col = self.doc.line, 1
        else:
            line, col = self.doc.key_position(path) if at_key else self.doc.position(path)
        self.findings.append(Finding(self.rel, line, col, level, code, message))

    def error(self, path: Path, code: str, message: str, *, at_key: bool = False) -> None:
        self.report(path, code, message, at_key=at_key)

    def warning(self, path: Path, code: str, message: str, *, at_key: bool = False) -> None:
        self.report(path, code, message, level=WARNING, at_key=at_key)

    def missing(self, path: Path, hint: str = "") -> None:
        """A required key that is absent: reported at the front matter's opening `---` line, as the
        contract says for every missing key; the message names the mapping and its line when nested."""
        parent = path[:-1]
        line, col = self.doc.line, 1
        where = f" in {dotted(parent)} (line {self.doc.position(parent)[0]})" if parent else ""
        self.findings.append(
            Finding(
                self.rel,
                line,
                col,
                ERROR,
                "missing-field",
                f"`{path[-1]}` is required{where}{hint}; add `{path[-1]}: ...`",
            )
        )

    # -- raw access ----------------------------------------------------------
    def get(self, path: Path) -> Any:
        value: Any = self.doc.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or part >= len(value):
                    return MISSING
            elif not isinstance(value, dict) or part not in value:
                return MISSING
            value = value[part]
        return value

    def present(self, path: Path) -> bool:
        return self.get(path) is not MISSING

    def has_value(self, path: Path) -> bool:
        """Present and not left empty (`key:`, `key: ~`, `key: null` leave a field unset)."""
        value = self.get(path)
        return value is not MISSING and not self._empty(path, value, null_is_text=False)

    def _empty(self, path: Path, value: Any, *, null_is_text: bool) -> bool:
        if value is not None:
            return False
        scalar = self.doc.scalars.get(path)
        if scalar is None or scalar.text in ("", "~"):
            return True
        # A bare `null` leaves a timestamp, list or mapping unset; where text is expected it is
        # reported as a bare word to quote (as_text).
        return scalar.tag == NULL and not null_is_text

    # -- typed getters -------------------------------------------------------
    def _absent(self, path: Path, value: Any, required: bool, hint: str = "", *, null_is_text: bool = False) -> bool:
        """True (after reporting if required) when the field is missing or empty."""
        if value is MISSING:
            if required:
                self.missing(path, hint)
            return True
        if self._empty(path, value, null_is_text=null_is_text):
            if required:
                self.error(
                    path,
                    "empty-value",
                    f"`{dotted(path)}` has no value{hint or ''}; write it after `{path[-1]}:`",
                    at_key=True,
                )
            return True
        return False

    def text(
        self, path: Path, *, required: bool = True, min_len: int = 1, max_len: int | None = None, hint: str = ""
    ) -> str | None:
        value = self.get(path)
        if self._absent(path, value, required, hint, null_is_text=True):
            return None
        return self.as_text(path, value, min_len=min_len, max_len=max_len)

    def as_text(self, path: Path, value: Any, *, min_len: int = 1, max_len: int | None = None) -> str | None:
        if isinstance(value, (dict, list)):
            self.error(path, "wrong-type", f"`{dotted(path)}` must be text, not {type_name(value)}")
            return None
        if not isinstance(value, str):
            scalar = self.doc.scalars.get(path)
            if scalar is not None and scalar.tag in (BOOL, NULL):
                self.error(
                    path,
                    "unquoted-boolean",
                    f'`{scalar.text}` is read by YAML as a {scalar.kind}, not text; quote it: `"{scalar.text}"`',
                )
                return None
            value = scalar.text if scalar is not None else str(value)
        if len(value.strip()) < min_len:
            self.error(path, "empty-value", f"`{dotted(path)}` is empty; write some text")
            return None
        if max_len is not None and len(value) > max_len:
            self.error(
                path,
                "text-too-long",
                f"`{dotted(path)}` is {len(value)} characters long; keep it to {max_len} or fewer",
            )
            return None
        return value

    def identifier(self, path: Path, *, required: bool = True, what: str = "id") -> str | None:
        value = self.text(path, required=required)
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.error(
                path,
                "invalid-id",
                f"{what} `{value}` must start with a letter or digit and use only letters, digits, "
                "`.`, `_` and `-` (at most 64 characters), e.g. "
                + ("`payments-api`" if "service" in what else "`INC-2026-0042`"),
            )
            return None
        return value

    def choice(self, path: Path, choices: Iterable[str], *, code: str, what: str, required: bool = True) -> str | None:
        choices = list(choices)
        value = self.text(path, required=required)
        if value is None:
            return None
        if value not in choices:
            self.error(
                path,
                code,
                f"unknown {what} `{value}`{did_you_mean(value, choices)}"
                + ("" if did_you_mean(value, choices) else f"; use {one_of(choices)}"),
            )
            return None
        return value

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

    def boolean(self, path: Path, *, required: bool = False) -> bool | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, bool):
            self.error(path, "wrong-type", f"`{dotted(path)}` must be `true` or `false`")
            return None
        return value

    def mapping(self, path: Path, *, required: bool = True) -> dict | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, dict):
            self.error(
                path, "wrong-type", f"`{dotted(path)}` must be a mapping of `key: value` lines, not {type_name(value)}"
            )
            return None
        return value

    def sequence(self, path: Path, *, required: bool = True, non_empty: bool = False) -> list | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, list):
            self.error(
                path, "wrong-type", f"`{dotted(path)}` must be a list (`[a, b]` or `- a` lines), not {type_name(value)}"
            )
            return None
        if non_empty and not value:
            self.error(path, "empty-value", f"`{dotted(path)}` must list at least one item")
            return None
        return value

    def text_list(
        self, path: Path, *, required: bool = True, non_empty: bool = False, max_len: int | None = None
    ) -> list[str] | None:
        items = self.sequence(path, required=required, non_empty=non_empty)
        if items is None:
            return None
        out = []
        for i, item in enumerate(items):
            value = self.as_text(path + (i,), item, max_len=max_len)
            if value is not None:
                out.append(value)
        return out

    def unknown_keys(self, path: Path, known: Iterable[str], *, what: str = "key") -> None:
        mapping = self.get(path)
        if not isinstance(mapping, dict):
            return
        known = list(known)
        for key in mapping:
            if key not in known:
                hint = did_you_mean(key, known)
                if "visibility" in known and hint == "; did you mean `visibility`?":
                    # A typo must never publish a record: an error, not a warning (FORMAT.md section 8).
                    self.error(
                        path + (key,),
                        "misspelled-visibility",
                        f"`{key}` is not a key; did you mean `visibility`? (a misspelled visibility "
                        "would publish the record)",
                        at_key=True,
                    )
                    continue
                self.warning(
                    path + (key,),
                    "unknown-field",
                    f"unknown {what} `{key}`{hint}" + ("" if hint else "; it is ignored"),
                    at_key=True,
                )
