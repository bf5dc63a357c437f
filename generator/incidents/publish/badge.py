"""`badge.svg`: the overall status as a shields.io-style "flat" badge.

Widths come from a table of Verdana 11px advance widths (the font shields.io
measures with), so the same text always gives the same SVG; every text is
XML-escaped.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

LABEL = "status"
COLORS = {
    "none": "#4c1",  # brightgreen
    "minor": "#dfb317",  # yellow
    "major": "#fe7d37",  # orange
    "critical": "#e05d44",  # red
    "maintenance": "#007ec6",  # blue
}
UNKNOWN_COLOR = "#9f9f9f"  # lightgrey

# Verdana 11px advance widths (px) of printable ASCII.
_WIDTHS = {
    " ": 3.87,
    "!": 4.33,
    '"': 5.05,
    "#": 9.0,
    "$": 6.99,
    "%": 11.84,
    "&": 7.99,
    "'": 2.95,
    "(": 4.99,
    ")": 4.99,
    "*": 6.99,
    "+": 9.0,
    ",": 4.0,
    "-": 4.99,
    ".": 4.0,
    "/": 4.99,
    "0": 6.99,
    "1": 6.99,
    "2": 6.99,
    "3": 6.99,
    "4": 6.99,
    "5": 6.99,
    "6": 6.99,
    "7": 6.99,
    "8": 6.99,
    "9": 6.99,
    ":": 4.99,
    ";": 4.99,
    "<": 9.0,
    "=": 9.0,
    ">": 9.0,
    "?": 5.99,
    "@": 11.0,
    "A": 7.52,
    "B": 7.54,
    "C": 7.68,
    "D": 8.48,
    "E": 6.96,
    "F": 6.32,
    "G": 8.53,
    "H": 8.27,
    "I": 4.63,
    "J": 5.0,
    "K": 7.62,
    "L": 6.12,
    "M": 9.27,
    "N": 8.23,
    "O": 8.66,
    "P": 6.63,
    "Q": 8.66,
    "R": 7.65,
    "S": 7.52,
    "T": 6.78,
    "U": 8.05,
    "V": 7.52,
    "W": 10.88,
    "X": 7.54,
    "Y": 6.77,
    "Z": 7.54,
    "[": 4.99,
    "\\": 4.99,
    "]": 4.99,
    "^": 9.0,
    "_": 6.99,
    "`": 6.99,
    "a": 6.61,
    "b": 6.85,
    "c": 5.73,
    "d": 6.85,
    "e": 6.55,
    "f": 3.87,
    "g": 6.85,
    "h": 6.96,
    "i": 3.02,
    "j": 3.79,
    "k": 6.51,
    "l": 3.02,
    "m": 10.7,
    "n": 6.96,
    "o": 6.68,
    "p": 6.85,
    "q": 6.85,
    "r": 4.69,
    "s": 5.73,
    "t": 4.33,
    "u": 6.96,
    "v": 6.51,
    "w": 8.98,
    "x": 6.51,
    "y": 6.51,
    "z": 5.83,
    "{": 6.98,
    "|": 4.99,
    "}": 6.98,
    "~": 9.0,
}
_DEFAULT_WIDTH = 7.0  # other Latin letters and symbols
_WIDE_WIDTH = 11.0  # CJK and other full-width characters
_PADDING = 10  # 5px each side


def text_width(text: str) -> float:
    total = 0.0
    for ch in text:
        if ch in _WIDTHS:
            total += _WIDTHS[ch]
        elif ord(ch) >= 0x1100 and (0x1100 <= ord(ch) <= 0x115F or 0x2E80 <= ord(ch) <= 0xFFDC or ord(ch) >= 0x1F300):
            total += _WIDE_WIDTH
        elif ch.isprintable():
            total += _DEFAULT_WIDTH
    return total


def status_badge(indicator: str, description: str, label: str = LABEL) -> str:
    """The SVG text of a flat badge: `label | description`, coloured by indicator."""
    color = COLORS.get(indicator, UNKNOWN_COLOR)
    label_w = round(text_width(label)) + _PADDING
    value_w = round(text_width(description)) + _PADDING
    width = label_w + value_w
    label_text, value_text = escape(label), escape(description)
    aria = quoteattr(f"{label}: {description}")
    label_x, value_x = label_w * 5, (label_w * 10) + value_w * 5  # centres, in the 10x text space
    label_len, value_len = (label_w - _PADDING) * 10, (value_w - _PADDING) * 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label={aria}>'
        f"<title>{label_text}: {value_text}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_w}" height="20" fill="#555"/>'
        f'<rect x="{label_w}" width="{value_w}" height="20" fill="{color}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="110">'
        f'<text aria-hidden="true" x="{label_x}" y="150" fill="#010101" fill-opacity=".3" '
        f'transform="scale(.1)" textLength="{label_len}">{label_text}</text>'
        f'<text x="{label_x}" y="140" transform="scale(.1)" fill="#fff" textLength="{label_len}">{label_text}</text>'
        f'<text aria-hidden="true" x="{value_x}" y="150" fill="#010101" fill-opacity=".3" '
        f'transform="scale(.1)" textLength="{value_len}">{value_text}</text>'
        f'<text x="{value_x}" y="140" transform="scale(.1)" fill="#fff" textLength="{value_len}">{value_text}</text>'
        "</g></svg>\n"
    )
