"""Markdown bodies rendered in bounded time, before any page is built.

Python-Markdown has inputs that take minutes (`"[" * 20000`) or recurse past the
interpreter's limit (a list nested hundreds of levels deep). Every body the site
publishes is rendered here first, in a forked worker process: a body that takes
longer than `timeout` seconds kills the worker and is reported (the caller makes
it an error naming the file); the worker is restarted for the bodies after it.
A body nested deeper than any real document (a list 64 levels deep, 100 block
quotes) is shown as plain, escaped text: it renders at once; one that still
recurses too deep for the interpreter too.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from dataclasses import dataclass

from markupsafe import Markup, escape

from incidents.mkdocs_plugin.render import MarkdownRenderer

TIMEOUT = 2.0  # seconds per body
_DEEP = 20000  # recursion limit in the worker: nested lists hundreds of levels deep render


@dataclass(frozen=True)
class SlowBody:
    path: str
    line: int
    seconds: float


# Python-Markdown's time grows steeply with nesting (a list 100 levels deep: 0.5 s; 260: 5 s).
# Deeper than any real document: shown as plain text, which always renders at once.
MAX_INDENT = 256  # columns of leading whitespace: lists about 64 levels deep
MAX_QUOTES = 100  # `>` nested block quotes
_LEAD = re.compile(r"^[ \t>]*", re.M)


def too_deep(text: str) -> bool:
    return any(len(lead.expandtabs(4)) > MAX_INDENT or lead.count(">") > MAX_QUOTES for lead in _LEAD.findall(text))


def _plain(text: str) -> str:
    return str(Markup('<pre class="inc-plain">{}</pre>').format(escape(text)))


def _render_one(render: MarkdownRenderer, text: str) -> str:
    if too_deep(text):
        return _plain(text)
    try:
        return str(render(text))
    except RecursionError:
        return _plain(text)


def _worker(conn, texts: list[str]) -> None:
    sys.setrecursionlimit(_DEEP)
    render = MarkdownRenderer()
    for text in texts:
        conn.send(_render_one(render, text))
    conn.close()


def _fork_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def render_bodies(
    items: list[tuple[str, int, str]], timeout: float = TIMEOUT
) -> tuple[dict[str, Markup], list[SlowBody]]:
    """[(path, line, markdown)] -> ({markdown: sanitized HTML}, the bodies that took too long)."""
    texts: list[str] = []
    where: dict[str, tuple[str, int]] = {}
    for path, line, text in items:
        if text and text.strip() and text not in where:
            where[text] = (path, line)
            texts.append(text)
    done: dict[str, Markup] = {}
    slow: list[SlowBody] = []
    ctx = _fork_context()
    if ctx is None or not texts:  # no fork (Windows): render in-process, unbounded
        render = MarkdownRenderer()
        return {t: Markup(_render_one(render, t)) for t in texts}, slow
    pending = texts
    while pending:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(child, pending), daemon=True)
        proc.start()
        child.close()
        index = 0
        try:
            while index < len(pending):
                if parent.poll(timeout):
                    try:
                        done[pending[index]] = Markup(parent.recv())
                    except EOFError:  # the worker died (out of memory, a crash): this body failed
                        path, line = where[pending[index]]
                        slow.append(SlowBody(path, line, timeout))
                        index += 1
                        break
                    index += 1
                else:
                    path, line = where[pending[index]]
                    slow.append(SlowBody(path, line, timeout))
                    index += 1
                    break
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            parent.close()
        pending = pending[index:]
    return done, slow


class BodyCache:
    """The templates' `markdown` filter: bodies rendered beforehand (in bounded time), else rendered here."""

    def __init__(self) -> None:
        self.html: dict[str, Markup] = {}
        self._fallback: MarkdownRenderer | None = None

    def __call__(self, text: str | None) -> Markup:
        if not text or not text.strip():
            return Markup("")
        cached = self.html.get(text)
        if cached is None:
            self._fallback = self._fallback or MarkdownRenderer()
            cached = self._fallback(text)
        return cached
