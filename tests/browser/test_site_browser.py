"""The built site in real headless Chromium (Debian's /usr/bin/chromium through Playwright)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from siteroot import build, write_root

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.site,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium); the browser tests need it",
    ),
]

X = "<script>alert('x')</script><img src=x onerror=alert('y')>"
HOSTILE_SERVICES = f"""\
services:
  - id: api
    name: "API {X}"
    group: "Core {X}"
    description: "{X}"
  - id: web
    name: "<svg onload=alert('svg')>Web"
"""
HOSTILE_INCIDENT = f"""\
---
id: INC-2026-0666
title: "Title {X}"
severity: SEV-1
status: identified
services: [api, web]
impact: {{api: major_outage, web: partial_outage}}
started_at: 2026-03-15T10:00:00Z
detected_at: 2026-03-15T10:01:00Z
acknowledged_at: 2026-03-15T10:02:00Z
identified_at: 2026-03-15T10:03:00Z
roles: {{commander: "{X}"}}
updates:
  - {{at: 2026-03-15T10:05:00Z, status: investigating, message: "Update {X}"}}
  - {{at: 2026-03-15T10:06:00Z, status: identified, message: "<a href='javascript:alert(9)'>click</a> {X}"}}
timeline:
  - {{at: 2026-03-15T10:04:00Z, event: "Log {X}"}}
tags: ["<b onmouseover=alert(1)>t</b>", "</title><script>alert(2)</script>"]
---
Body <script>alert('body')</script> <img src=x onerror=alert('img')>
[link](javascript:alert('md')) <a href="javascript:alert('a')">a</a> <iframe src="javascript:alert(1)"></iframe>
<div onclick="alert(1)" style="background:url(javascript:alert(1))">div</div>
"""
HOSTILE_RESOLVED = f"""\
---
id: INC-2026-0665
title: "</title><script>alert('title')</script>&lt;script&gt;alert(1)&lt;/script&gt;"
severity: SEV-1
status: resolved
services: [web]
impact: major_outage
started_at: 2026-03-10T10:00:00Z
detected_at: 2026-03-10T10:01:00Z
acknowledged_at: 2026-03-10T10:02:00Z
resolved_at: 2026-03-10T11:00:00Z
roles: {{commander: alice}}
updates:
  - {{at: 2026-03-10T10:05:00Z, status: investigating, message: "{X}"}}
  - {{at: 2026-03-10T11:00:00Z, status: resolved, message: "done {X}"}}
---
Resolved.
"""
HOSTILE_POSTMORTEM = f"""\
---
type: postmortem
incident: INC-2026-0665
status: published
authors: ["{X}"]
date: 2026-03-11
action_items:
  - {{title: "Item {X}", owner: "{X}", due: 2026-04-01, priority: P1, status: open,
     link: "https://tracker.test/a\\"onmouseover=alert('link')><script>alert(3)</script>"}}
---
## Summary

{X}
"""
HOSTILE_MAINT = f"""\
---
type: maintenance
id: MNT-2026-0666
title: "Maint {X}"
services: [api]
scheduled_start: 2026-03-20T06:00:00Z
scheduled_end: 2026-03-20T08:00:00Z
status: scheduled
---
{X}
"""


class Served:
    def __init__(self, site: Path):
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _serve_root(tmp_path_factory, name, records=None, services=None):
    kwargs = {} if services is None else {"services": services}
    # the internal site: every page kind, every field (the public one shows a subset of them)
    root = write_root(tmp_path_factory.mktemp(name) / "root", records, options=":\n      audience: internal", **kwargs)
    result = build(root)
    assert result.returncode == 0, result.output
    return result.site


@pytest.fixture(scope="module")
def standard(tmp_path_factory):
    served = Served(_serve_root(tmp_path_factory, "std"))
    yield served
    served.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    records = {
        "incidents/2026/INC-2026-0666.md": HOSTILE_INCIDENT,
        "incidents/2026/INC-2026-0665.md": HOSTILE_RESOLVED,
        "incidents/2026/INC-2026-0665.postmortem.md": HOSTILE_POSTMORTEM,
        "incidents/maintenance/MNT-2026-0666.md": HOSTILE_MAINT,
    }
    site = _serve_root(tmp_path_factory, "hostile", records, HOSTILE_SERVICES)
    served = Served(site)
    served.site = site
    yield served
    served.close()


def test_status_page_shows_open_incident_and_banner(browser, standard):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(standard.url)
    banner = page.locator(".inc-banner")
    assert "Partial System Outage" in banner.inner_text()
    assert "inc-banner--major" in banner.get_attribute("class")
    open_card = page.locator("#inc-open ~ .inc-card").first
    assert "Elevated API errors" in open_card.inner_text()
    assert open_card.locator(".inc-update__message").first.inner_text().startswith("SECOND-UPDATE")
    bar = page.locator('[data-service="db"] .inc-bar').nth(84)
    assert bar.get_attribute("title").startswith("Mar 10, 2026: 95.83% uptime")
    page.screenshot(path=str(OUTPUT / "status.png"), full_page=True)
    page.goto(standard.url + "metrics/")
    # the strip and the frequency chart; no quarter has three resolved incidents: no trend of medians
    assert page.locator(".inc-chart svg").count() >= 2
    assert page.locator('.inc-chart svg[aria-label^="Median time to resolve"]').count() == 0
    page.screenshot(path=str(OUTPUT / "metrics.png"), full_page=True)
    # readable at phone width, in the dark palette too
    phone = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme="dark")
    phone.goto(standard.url)
    assert phone.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(OUTPUT / "status-phone-dark.png"), full_page=True)
    phone.close()
    page.close()
    assert (OUTPUT / "status.png").stat().st_size > 0 and (OUTPUT / "metrics.png").stat().st_size > 0


def test_hostile_records_fire_no_dialog_and_add_no_script(browser, hostile):
    site: Path = hostile.site
    pages = sorted(str(p.parent.relative_to(site)) for p in site.rglob("index.html"))
    assert "incidents/INC-2026-0666" in pages and "postmortems/INC-2026-0665" in pages
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for rel in pages:
        url = hostile.url + ("" if rel == "." else rel + "/")
        page.goto(url)
        page.wait_for_load_state("load")
        # every script on the page is the theme's: external, or Material's own inline config
        scripts = page.evaluate("Array.from(document.scripts).map(s => s.src || s.textContent)")
        assert not [s for s in scripts if "alert" in s], rel
        assert page.locator("[onerror], [onload], [onclick], [onmouseover]").count() == 0, rel
        assert page.locator("a[href^='javascript:'], iframe").count() == 0, rel
        # mouse over every element of our content so that any handler would run
        page.evaluate("""document.querySelectorAll('.inc-page *').forEach(e => {
            e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
            e.dispatchEvent(new MouseEvent('mouseenter'));
        })""")
        page.wait_for_timeout(50)
    # the theme's search renders record titles: search for them
    page.goto(hostile.url)
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").fill("alert")
    page.wait_for_timeout(1500)
    page.locator("input.md-search__input").fill("title")
    page.wait_for_timeout(1500)
    assert page.locator(".md-search-result [onerror], .md-search-result script").count() == 0
    page.close()
    assert dialogs == []
    # the hostile text is shown as text
    html = (site / "incidents" / "INC-2026-0666" / "index.html").read_text()
    assert "Title &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


REPO = Path(__file__).resolve().parents[2]


def test_demo_site_screenshots(browser, tmp_path):
    """The repository's own demo (mkdocs.yml, policy/, incidents/), as `make demo` builds it."""
    result = build(REPO, tmp_path / "demo-site", epoch=None)  # "now" is the clock, as for `make demo`
    assert result.returncode == 0, result.output
    internal = build(REPO, tmp_path / "demo-internal", epoch=None, config="mkdocs.internal.yml")
    assert internal.returncode == 0, internal.output
    assert not (result.site / "metrics").exists()  # the public demo publishes no metrics
    served = Served(internal.site)
    try:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
            page.goto(served.url)
            assert page.locator(".inc-banner").count() == 1
            assert page.locator(".inc-service").count() >= 1
            page.screenshot(path=str(OUTPUT / f"demo-status-{scheme}.png"), full_page=True)
            page.goto(served.url + "metrics/")
            assert page.locator(".inc-chart svg").count() >= 3
            page.screenshot(path=str(OUTPUT / f"demo-metrics-{scheme}.png"), full_page=True)
            page.close()
    finally:
        served.close()
