"""What every typed field reader shares: where a value is, whether it is there, and how a problem is reported.

`FieldBase` wraps a Document and a list of findings; the readers by type build on it
(`time_fields.TimeFields` for timestamps, dates and durations; `fields.Fields` for text,
choices and shapes).
"""

from __future__ import annotations

import re
from datetime import timedelta, tzinfo
from typing import Any

from incidents.findings import ERROR, WARNING, Finding
from incidents.records.source import NULL, Document, Path

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


class FieldBase:
    """A Document, the file it came from, and the findings a reader appends to."""

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
