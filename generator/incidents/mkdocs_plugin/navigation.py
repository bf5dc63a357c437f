"""The navigation: the status page first, the user's own pages, then our index pages in order."""

from __future__ import annotations

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page


def order_navigation(nav: Navigation, order: dict[str, int]) -> Navigation:
    """`order`: our pages' src_uri -> rank (0 = the status page, which comes first)."""
    top: list = []
    rest: list = []

    def ours_in(item):
        if isinstance(item, Page) and item.file.src_uri in order:
            return item
        if isinstance(item, Section) and len(item.children) == 1:
            child = item.children[0]
            if isinstance(child, Page) and child.file.src_uri in order:
                return child
        return None

    for item in nav.items:
        page = ours_in(item)
        if page is not None:
            page.parent = None
            top.append(page)
        else:
            rest.append(item)
    top.sort(key=lambda p: order[p.file.src_uri])
    items = top[:1] + rest + top[1:]
    pages = []

    def walk(entries, parent):
        for entry in entries:
            entry.parent = parent
            if isinstance(entry, Page):
                pages.append(entry)
            elif isinstance(entry, Section):
                walk(entry.children, entry)

    walk(items, None)
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i > 0 else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None
    return Navigation(items, pages)


def feed_links(site_url: str | None, page_url: str | None, name: str) -> str:
    """`<link rel="alternate">` feed autodiscovery for a page's <head>."""
    from html import escape

    from mkdocs.utils import get_relative_url

    def href(path: str) -> str:
        if site_url:
            return site_url.rstrip("/") + "/" + path
        return get_relative_url(path, page_url) if page_url is not None else "/" + path

    title = escape(name, quote=True)
    return (
        f'<link rel="alternate" type="application/atom+xml" title="{title}: incident history (Atom)" '
        f'href="{escape(href("history.atom"))}">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{title}: incident history (RSS)" '
        f'href="{escape(href("history.rss"))}">\n'
    )
