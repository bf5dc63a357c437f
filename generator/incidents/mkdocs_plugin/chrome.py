"""Small pieces the plugin's pages share: "now", titles for the theme's chrome, template filters."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from incidents.text import strip_controls

# The largest SOURCE_DATE_EPOCH whose day still has room for the records' arithmetic.
MAX_EPOCH = 253402214399  # 9999-12-30T23:59:59Z


def finalize(value):
    """Jinja's finalize: every printed string loses its control characters (Markup stays Markup)."""
    if isinstance(value, str):
        cleaned = strip_controls(value)
        if cleaned is not value:
            return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def build_now() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the clock; UTC."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        try:
            seconds = int(value)
        except ValueError:
            seconds = None
        if seconds is None or not 0 <= seconds <= MAX_EPOCH:
            raise PluginError(
                f"incidents: SOURCE_DATE_EPOCH={value!r} is not a number of seconds since "
                f"1970-01-01 between 0 and {MAX_EPOCH} (9999-12-30)"
            )
        return datetime.fromtimestamp(seconds, tz=UTC)
    return datetime.now(UTC).replace(microsecond=0)


def chrome_title(text: str) -> str:
    """A record's title as the theme's chrome shows it (<title>, header, search).

    The theme prints page titles without escaping (and `striptags` un-escapes
    entities), so `<`, `>` and `&` become look-alike characters there; our own
    content shows the exact text, escaped.
    """
    text = strip_controls(text)
    return text.replace("&", "\uff06").replace("<", "\u2039").replace(">", "\u203a")


_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


def css_color(value) -> str | None:
    """A policy colour usable in a style attribute (`#b60205`, `crimson`), else None."""
    return value if isinstance(value, str) and _COLOR.match(value.strip()) else None


def time_html(value: datetime | None) -> Markup:
    if value is None:
        return Markup("—")
    u = value.astimezone(UTC)
    # Only digits and separators of our own making: nothing to escape.
    stamp = f"{u.year:04d}-{u.month:02d}-{u.day:02d}"
    clock = f"{u.hour:02d}:{u.minute:02d}"
    return Markup(f'<time datetime="{stamp}T{clock}:{u.second:02d}Z">{stamp} {clock} UTC</time>')


class GeneratedPage(Page):
    """A page whose HTML the plugin renders itself (in on_page_content).

    Its Markdown source is empty, so MkDocs' render step (which builds a fresh
    Markdown parser with every extension for each page) has nothing to do: skip it.
    """

    def render(self, config, files) -> None:
        if self.markdown:
            return super().render(config, files)
        self.content = ""
        self.toc = []  # type: ignore[assignment]
        self._title_from_render = None
        self.present_anchor_ids = set()
