"""Record text on its way out: control characters and spreadsheet formulas made harmless.

- XML 1.0 (feeds, sitemap) forbids most control characters, HTML treats them as
  parse errors: `strip_controls` replaces each with U+FFFD.
- A terminal runs escape sequences (a service name could retitle the window or erase
  lines): `escape_controls` shows each control character as `\\xNN` / `\\uNNNN`.
- A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula
  (OWASP's CSV injection): `csv_cell` prefixes such text with `'`; `csv_text`
  also replaces control characters, for text from records.
"""

from __future__ import annotations

import re

# C0 controls except tab, LF and CR; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# For the terminal also tab, CR and LF are escaped in one-line output by the caller; here: the rest,
# plus the Unicode line/paragraph separators and bidi overrides that reorder what is shown.
_TERMINAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def strip_controls(text: str) -> str:
    """Text fit for XML and HTML: each control character becomes U+FFFD."""
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Text fit for a terminal: control characters shown as escapes, never sent raw."""
    return _TERMINAL.sub(_escape, text) if _TERMINAL.search(text) else text


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: `=1+1` -> `'=1+1` (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(value):
    """A CSV cell from record text: control characters (ESC, BEL...) replaced, formulas neutralised."""
    return csv_cell(strip_controls(value)) if isinstance(value, str) else value


def readable_path(path: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (kept by Python as lone surrogates)
    are shown as `\\xNN`, so JSON stays valid and the name stays recognisable."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def terminal_text(text: str) -> str:
    """Record text for a terminal: valid Unicode, control characters escaped."""
    return escape_controls(readable_path(text))
