"""The `subscribe/` page and the per-service feeds `history/<service id>.atom` (FORMAT.md section 10):
one real mkdocs build; the feeds parse as Atom, hold only the service's public incidents, and the page
links every feed, the calendar and the site's own `subscribe_text` (rendered, sanitized)."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from siteroot import MKDOCS, build, write_root

pytestmark = pytest.mark.site

SUBSCRIBE_OPTIONS = (
    "      subscribe_text: |\n"
    "        Join the **status-announce** list: <https://lists.example.com/status>.\n"
    "        <script>alert(1)</script>\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = write_root(tmp_path_factory.mktemp("sub") / "root")
    text = MKDOCS.replace("  - incidents{options}\n", "  - incidents:\n" + SUBSCRIBE_OPTIONS)
    (root / "mkdocs.yml").write_text(text)
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    return result.site


def test_a_feed_per_service_with_its_public_incidents_only(site):
    everything = feedparser.parse((site / "history.atom").read_bytes())
    all_ids = {e.id for e in everything.entries}
    seen = set()
    for service in ("api", "web", "db", "mail"):
        path = site / "history" / f"{service}.atom"
        assert path.is_file(), service
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (service, feed.bozo_exception)
        assert feed.feed.id == f"https://status.test/history/{service}.atom"
        assert any(link.rel == "self" and link.href == feed.feed.id for link in feed.feed.links)
        ids = {e.id for e in feed.entries}
        assert ids <= all_ids  # public incidents only: the site feed has no internal one
        seen |= ids
        for entry in feed.entries:
            page = (site / entry.id.replace("https://status.test/", "") / "index.html").read_text()
            assert f"history/{service}.atom" in (site / "subscribe" / "index.html").read_text()
            assert page  # every entry is a published incident page
    assert seen == all_ids
    text = b"".join((site / "history" / f"{s}.atom").read_bytes() for s in ("api", "web", "db", "mail"))
    assert b"SECRET" not in text and b"INC-SECRET-0099" not in text


def test_the_subscribe_page(site):
    html = (site / "subscribe" / "index.html").read_text()
    for href in (
        "../history.atom",
        "../history.rss",
        "../maintenance.ics",
        "../history/api.atom",
        "../history/mail.atom",
        "../api/v2/summary.json",
    ):
        assert f'href="{href}"' in html, href
    assert "<strong>status-announce</strong>" in html
    assert '<a href="https://lists.example.com/status" rel="noopener noreferrer">' in html
    assert "<script>alert(1)</script>" not in html
    # In the navigation of every page.
    assert re.search(r'href="subscribe/"[^>]*>\s*(<span[^>]*>)?\s*Subscribe', (site / "index.html").read_text())
