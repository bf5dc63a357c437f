"""Text from records to HTML: Markdown rendered, then sanitized with nh3.

Nothing a contributor writes reaches a page unescaped: plain fields go through
Jinja's autoescape; Markdown bodies through `markdown_html`, whose output keeps
only nh3's safe tags and attributes (no script or style, no `on*` handlers) and
only http, https and mailto links; links written in fields go through
`safe_url`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import markdown
import nh3
from markupsafe import Markup

_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
URL_SCHEMES = {"http", "https", "mailto"}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "time": {"datetime"},
}
# No `id`, `name`, `class`, `style` or form attributes from records: the theme finds its
# configuration (`#__config`) and its widgets by id and class, and a record must not
# redefine them. nh3 allows no form elements and no `style`.


class MarkdownRenderer:
    """One Markdown instance, reset between documents (building one per page is slow)."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")

    def __call__(self, text: str | None) -> Markup:
        if not text or not text.strip():
            return Markup("")
        self._md.reset()
        html = self._md.convert(text)
        return Markup(sanitize(html))


def sanitize(html: str) -> str:
    """nh3 with its safe defaults, plus: links only to http(s)/mailto, rel=noopener on links."""
    return nh3.clean(
        html,
        attributes=_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def safe_url(value: str | None) -> str | None:
    """A URL written in a record, when it is safe to link to: http(s) or mailto, else None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if any(ord(ch) < 32 for ch in text):
        return None
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in URL_SCHEMES else None
