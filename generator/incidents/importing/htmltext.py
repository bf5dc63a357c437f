"""Statuspage update bodies -> the Markdown of a record's `message`.

Bodies are plain text as typed (CRLF line ends, blank lines between
paragraphs) or carry HTML (`<br />`, `<a href>`, `<strong>`...). Plain text
is kept as written, line breaks included. HTML goes through markdownify with
only links, line breaks and paragraphs converted: every other tag is dropped
and its text kept; entities are decoded. HTML nested too deeply for the
converter (it recurses per level) loses its links too: its tags are dropped
and its text kept. An empty body is `(no message)`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

NO_MESSAGE = "(no message)"
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_ONLY_TAGS = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


def _converter():
    from markdownify import MarkdownConverter

    class _Converter(MarkdownConverter):
        def convert_br(self, el, text, parent_tags):  # a line break, without Markdown's trailing spaces
            return "\n"

    return _Converter(
        convert=["a", "br", "p", "div"],
        escape_asterisks=False,
        escape_underscores=False,
        escape_misc=False,
        autolinks=True,
    )


_CONVERTER = None


@lru_cache(maxsize=4096)  # status pages repeat their bodies ("This incident has been resolved.")
def body_to_markdown(body: str | None) -> str:
    global _CONVERTER
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if _TAG.search(text):
        if _CONVERTER is None:
            _CONVERTER = _converter()
        # HTML collapses newlines; the typed ones are line breaks too.
        try:
            text = _CONVERTER.convert(text.replace("\n", "<br>"))
        except RecursionError:  # nested thousands deep: the text, without its tags
            text = html.unescape(_ONLY_TAGS.sub("", text))
    text = _TRAILING.sub("\n", text)
    text = _BLANKS.sub("\n\n", text).strip()
    return text or NO_MESSAGE


__all__ = ["NO_MESSAGE", "body_to_markdown"]
