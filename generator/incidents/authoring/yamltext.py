"""Small, safe pieces of YAML text for the files we write and the lines we insert.

Free text is always written double-quoted (PyYAML's emitter does the
escaping); ids, enums and timestamps are written plain when YAML reads them
back as the same text.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import yaml

from incidents.records.source import STR, resolve_plain

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


_ESCAPE = re.compile(r"\\\\|\\U([0-9A-Fa-f]{8})")


def _unescape_astral(match: re.Match) -> str:
    """PyYAML escapes every character beyond U+FFFF (emoji...); YAML allows them as written."""
    code = match.group(1)
    if code is None:
        return match.group(0)  # an escaped backslash stays as it is
    ch = chr(int(code, 16))
    return ch if ch.isprintable() else match.group(0)


def dq(text: str) -> str:
    """`text` as one double-quoted YAML scalar on one line."""
    out = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=float("inf"), explicit_end=False
    )
    out = out.rstrip("\n")
    if out.endswith("\n..."):
        out = out[:-4].rstrip("\n")
    return _ESCAPE.sub(_unescape_astral, out)


def sq(text: str) -> str:
    """`text` as a single-quoted YAML scalar (only for one-line text without odd characters)."""
    return "'" + text.replace("'", "''") + "'"


def can_single_quote(text: str) -> bool:
    return text.isprintable() and text == text.strip()


def scalar(text: str) -> str:
    """An id or enum value: plain when it reads back as the same text, else double-quoted."""
    if _PLAIN_SAFE.match(text) and resolve_plain(text) == STR:
        return text
    return dq(text)


def timestamp(value: datetime) -> str:
    """An aware datetime as written in records: `2026-02-10T14:30:00Z` or with its offset."""
    spec = "seconds" if value.microsecond == 0 else "auto"
    text = value.isoformat(timespec=spec)
    if value.utcoffset() == timedelta(0):
        text = text[: -len("+00:00")] + "Z"
    return text
