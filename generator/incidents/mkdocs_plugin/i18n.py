"""Every word the plugin writes, in the site's language: gettext catalogs and Babel's locale data.

The catalogs are the `.po` files in `locale/<language>/LC_MESSAGES/incidents.po` (the template
is `locale/incidents.pot`, extracted from this package's Python code and templates with Babel;
`tests/site_build/test_catalogs.py` fails on a missing, stale or mismatched string). Only the
`.po` files are kept: each is compiled in memory with Babel the first time a build asks for its
language, so a compiled catalog can never be older than its source.

`Words` is what pages and templates use: `_()` / `ngettext()` for our sentences, and dates,
times, durations, numbers and relative times formatted by Babel for the locale.
"""

from __future__ import annotations

import copy
import io
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit
from markupsafe import Markup, escape

_Date = date  # the types, under names the methods `date` and `datetime` below do not shadow
_DateTime = datetime
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "incidents"
LANGUAGES = ("en", "de", "fr", "es", "ja", "pt_BR")  # shipped and complete
DEFAULT = "en"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a string for the catalogs without translating it (it is translated where it is shown)."""
    return message


def normalize(code: str | None) -> str | None:
    """`pt-BR`, `pt_br`, `de-DE` -> the shipped language it names (`pt_BR`, `de`), else None."""
    if not code or not isinstance(code, str):
        return None
    text = code.strip().replace("-", "_")
    for lang in LANGUAGES:
        if text.lower() == lang.lower():
            return lang
    base = text.split("_")[0].lower()
    if base == "pt":
        return "pt_BR"
    return base if base in LANGUAGES else None


@cache
def catalog(language: str) -> NullTranslations:
    """The compiled catalog of a shipped language (English: the messages as written)."""
    if language == DEFAULT:
        return NullTranslations()
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        parsed = read_po(fh, locale=language, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, parsed)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


# Duration units, largest first, with Babel's unit ids.
_UNITS = (("duration-day", 86400), ("duration-hour", 3600), ("duration-minute", 60), ("duration-second", 1))


class Words:
    """The site's language: translated sentences and locale-formatted values."""

    def __init__(self, language: str = DEFAULT) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self.translations = catalog(language)
        self.html_lang = language.replace("_", "-")
        self._dates: dict[_Date, str] = {}  # a site shows the same days many times: format each once
        self._stamp = self._("%(date)s %(time)s UTC")

    # ---- sentences -------------------------------------------------------------------------
    def _(self, message: str, **values) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def t(self, message: str) -> str:
        """A message marked elsewhere with `N_()` (a label table's value), translated."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % dict(values, num=n)

    # ---- values ----------------------------------------------------------------------------
    def date(self, value: _Date | _DateTime) -> str:
        """Jan 14, 2026 · 14.01.2026 · 2026/01/14 (the locale's medium date)."""
        if isinstance(value, datetime):
            value = value.astimezone(UTC).date()
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = format_skeleton("yMMMd", value, locale=self.locale)
        return text

    def day(self, value: _Date) -> str:
        """A day heading: Jan 14, 2026 (the locale's long date)."""
        return format_date(value, "long", locale=self.locale)

    def month(self, value: _Date | _DateTime) -> str:
        """January 2026 · Januar 2026 · 2026年1月."""
        return format_skeleton("yMMMM", value, locale=self.locale)

    def clock(self, value: _DateTime) -> str:
        """14:35: 24-hour time with Latin digits, as every shipped locale writes it (Babel's `HH:mm`)."""
        u = value.astimezone(UTC)
        return f"{u.hour:02d}:{u.minute:02d}"

    def datetime(self, value: _DateTime) -> str:
        """Jan 14, 2026, 14:35 UTC in the locale's words."""
        return self._stamp % {"date": self.date(value), "time": self.clock(value)}

    def time_html(self, value: _DateTime | None) -> Markup:
        if value is None:
            return Markup("—")
        u = value.astimezone(UTC)
        stamp = f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"
        return Markup(f'<time datetime="{stamp}">{escape(self.datetime(u))}</time>')

    def duration(self, value: timedelta | None) -> str:
        """One format for every duration: the two largest units (`7 sec`, `3 min`, `1 hr 30 min`, `2 days 4 hr`);
        zero is `0 min` (durations in the incident pages are in minutes unless shorter than one)."""
        if value is None:
            return "—"
        total = int(round(abs(value.total_seconds())))
        sign = "-" if value.total_seconds() < 0 and total else ""
        if total == 0:
            return format_unit(0, "duration-minute", length="short", locale=self.locale)
        parts: list[str] = []
        for unit, size in _UNITS:
            if total >= size and len(parts) < 2:
                amount, total = divmod(total, size)
                parts.append(format_unit(amount, unit, length="short", locale=self.locale))
            elif parts:
                break
        return sign + " ".join(parts)

    def since(self, start: _DateTime, now: _DateTime) -> str:
        """`3 hours ago` in the locale (Babel's relative time)."""
        return format_timedelta(start - now, add_direction=True, locale=self.locale)

    def number(self, value: float, digits: int = 2) -> str:
        return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def percent(self, value: float, digits: int = 2) -> str:
        """99.95% · 99,95 % (the locale's percent sign and spacing)."""
        pattern = copy.copy(self.locale.percent_formats[None])
        pattern.frac_prec = (digits, digits)
        return pattern.apply(value / 100, self.locale)


def resolve_language(option: str | None, theme_language: str | None) -> tuple[str, str | None]:
    """(the language to build in, a note when the theme's language has no catalog)."""
    if option:
        lang = normalize(option)
        if lang is None:
            raise ValueError(f"`language: {option}` has no catalog; the shipped languages are {', '.join(LANGUAGES)}")
        return lang, None
    lang = normalize(theme_language)
    if lang is None:
        if not theme_language:
            return DEFAULT, None
        return DEFAULT, f"theme.language {theme_language!r} has no catalog: the status pages are in English"
    return lang, None


def update_text(update, language: str) -> str:
    """An update's message in the site's language when it carries that translation, else as written."""
    translations = getattr(update, "translations", None) or {}
    for key, text in translations.items():
        if normalize(key) == language and text:
            return text
    return update.message
