"""The pages the plugin makes, checked with the tools that check such output (FORMAT.md section 8,
"Standards the output meets"): axe-core (WCAG 2.1 A/AA) in Chromium in the light and dark palettes,
the Nu HTML Checker (no errors beyond the theme's own page), duplicate ids, an Atom feed valid under
RFC 4287, feed autodiscovery on every page, no third-party requests; and hostile records fire no dialog.

One internal build (every page kind) and one public build of the same hostile-free root are shared by
every test of the module.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hostile import HOSTILE_RECORDS
from lxml import etree
from siteroot import build, write_root
from standards import axe_available, duplicate_ids, run_axe, run_axe_all_rules, run_vnu, vnu_available
from test_site_browser import ARGS, CHROMIUM, Served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.site,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
ATOM = "{http://www.w3.org/2005/Atom}"

# One page of every kind the plugin makes, on the internal site (which has every kind).
PAGE_KINDS = {
    "status": "",
    "incident": "incidents/INC-2026-0001/",
    "internal incident": "incidents/INC-SECRET-0099/",
    "postmortem": "postmortems/INC-2026-0001/",
    "postmortems": "postmortems/",
    "history": "history/",
    "metrics": "metrics/",
    "policy": "policy/",
    "action items": "action-items/",
    "maintenance": "maintenance/MNT-2026-0001/",
    "subscribe": "subscribe/",
}


# The public status pages a customer sees (FORMAT.md section 8, "The status page as customers know it").
PUBLIC_KINDS = {
    "status": "",
    "history": "history/",
    "incident": "incidents/INC-2026-0002/",
    "maintenance": "maintenance/MNT-2026-0001/",
    "subscribe": "subscribe/",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    internal = write_root(tmp_path_factory.mktemp("internal") / "root", options=":\n      audience: internal")
    public = write_root(tmp_path_factory.mktemp("public") / "root")
    german = write_root(tmp_path_factory.mktemp("german") / "root", options=":\n      language: de")
    out = {}
    for name, root in (("internal", internal), ("public", public), ("german", german)):
        result = build(root)
        assert result.returncode == 0, result.output
        out[name] = result.site
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.mark.skipif(
    not axe_available(), reason="axe-core is not installed (make npm-fixtures installs it into tests/npm/node_modules)"
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violation_on_any_page_kind(sites, browser, scheme):
    served = Served(sites["internal"])
    try:
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        found = {}
        for kind, rel in PAGE_KINDS.items():
            page.goto(served.url + rel)
            page.wait_for_load_state("load")
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == (
                "slate" if scheme == "dark" else "default"
            )
            violations = run_axe(page)
            if violations:
                found[kind] = {v["id"]: v["nodes"][:3] for v in violations}
        context.close()
    finally:
        served.close()
    assert found == {}


@pytest.mark.skipif(
    not axe_available(), reason="axe-core is not installed (make npm-fixtures installs it into tests/npm/node_modules)"
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_all_rules_find_nothing_serious_in_our_content(sites, browser, scheme):
    """Every axe rule (best practices, AAA contrast, landmark-unique...) on the public pages in two languages
    and on every internal page kind, over what the plugin writes: nothing serious or critical."""
    found = {}
    for name, kinds in (("public", PUBLIC_KINDS), ("german", PUBLIC_KINDS), ("internal", PAGE_KINDS)):
        served = Served(sites[name])
        try:
            for width in (1280, 390):
                context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
                page = context.new_page()
                for kind, rel in kinds.items():
                    page.goto(served.url + rel)
                    page.wait_for_load_state("load")
                    bad = [v for v in run_axe_all_rules(page) if v["impact"] in ("serious", "critical")]
                    if bad:
                        found[f"{name} {kind} {width}px"] = {v["id"]: v["nodes"][:3] for v in bad}
                context.close()
        finally:
            served.close()
    assert found == {}


def test_public_pages_have_no_documentation_chrome(sites, browser):
    """A customer sees a status page: our header (name, logo, "Subscribe to updates"), no navigation
    sidebar, no search box, no table of contents, no "Made with Material for MkDocs"."""
    for name in ("public", "german"):
        for kind, rel in PUBLIC_KINDS.items():
            html = (sites[name] / rel / "index.html").read_text()
            assert 'class="md-sidebar' not in html and 'data-md-component="search"' not in html, (name, kind)
            assert "Material for MkDocs" not in html and 'class="inc-header' in html, (name, kind)
            assert 'class="inc-header__subscribe" href=' in html and "inc-header__logo" in html, (name, kind)
    internal = (sites["internal"] / "index.html").read_text()
    assert 'class="md-sidebar' in internal  # the team's site keeps its navigation and search


def test_tables_fit_a_1280px_window(sites, browser):
    served = Served(sites["internal"])
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        cut = {}
        for kind in ("metrics", "action items", "postmortems"):
            page.goto(served.url + PAGE_KINDS[kind])
            page.wait_for_load_state("load")
            wide = page.evaluate(
                "() => [...document.querySelectorAll('.inc-scroll')]"
                ".filter(e => Math.max(e.scrollWidth, e.querySelector('table').scrollWidth) > e.clientWidth + 1)"
                ".map(e => e.getAttribute('aria-label'))"
            )
            labels = page.evaluate(
                "() => [...document.querySelectorAll('[role=region]')].map(e => e.getAttribute('aria-label'))"
            )
            assert len(labels) == len(set(labels)), (kind, labels)  # every region its own name
            if wide:
                cut[kind] = wide
        page.close()
    finally:
        served.close()
    assert cut == {}


def _theme_errors(messages: list[dict], page: Path) -> Counter:
    return Counter(m["message"] for m in messages if m["url"].endswith(page.as_posix()))


@pytest.mark.skipif(
    not vnu_available(),
    reason="the Nu HTML Checker needs tests/npm/node_modules/vnu-jar "
    "(make npm-fixtures) and a Java runtime (apt-get install default-jre-headless)",
)
@pytest.mark.parametrize(
    ("name", "kinds"), [("internal", PAGE_KINDS), ("public", PUBLIC_KINDS), ("german", PUBLIC_KINDS)]
)
def test_nu_html_checker_finds_no_errors_beyond_the_themes_own(sites, name, kinds):
    site = sites[name]
    pages = [site / (rel + "index.html") for rel in kinds.values()]
    theme_page = site / "404.html"  # the theme's own page: its errors are the baseline
    messages = run_vnu([*pages, theme_page])
    baseline = _theme_errors(messages, theme_page)
    assert sum(baseline.values()) <= 5  # the theme's own few (e.g. its search input's autocomplete)
    extra = {}
    for path in pages:
        ours = _theme_errors(messages, path) - baseline
        if ours:
            extra[path.relative_to(site).as_posix()] = dict(ours)
    assert extra == {}


def test_no_page_has_duplicate_ids(sites):
    for site in sites.values():
        pages = sorted(site.rglob("*.html"))
        assert len(pages) >= 8
        dupes = {p.relative_to(site).as_posix(): d for p in pages if (d := duplicate_ids(p.read_text()))}
        assert dupes == {}


def test_every_page_links_its_feeds(sites):
    for site in sites.values():
        for page in sorted(site.rglob("*.html")):
            head = page.read_text().split("</head>")[0]
            links = re.findall(r'<link rel="alternate" type="application/(atom|rss)\+xml"[^>]*href="([^"]+)"', head)
            assert sorted(kind for kind, _ in links) == ["atom", "rss"], page
            assert all(href.endswith(("history.atom", "history.rss")) for _, href in links), page


def test_atom_feed_is_valid_rfc4287(sites):
    """RFC 4287: atom:feed has author (or every entry has), id, title, updated; entries have unique
    ids, a title, updated, an alternate link; ids are IRIs; updated values are RFC 3339 dates."""
    feed = etree.fromstring((sites["public"] / "history.atom").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{child}")) == 1, child
    authors = feed.findall(f"{ATOM}author")
    assert len(authors) == 1 and authors[0].findtext(f"{ATOM}name").strip()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) >= 2
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(re.match(r"^[a-z][a-z0-9+.-]*:", i) for i in ids)
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
    for e in entries:
        assert e.findtext(f"{ATOM}title") and stamp.match(e.findtext(f"{ATOM}updated"))
        links = [link for link in e.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert links and links[0].get("href", "").startswith("https://status.test/incidents/")
    import feedparser

    parsed = feedparser.parse((sites["public"] / "history.atom").read_bytes())
    assert not parsed.bozo and parsed.feed.author


def test_shipped_configs_load_no_third_party_fonts():
    import yaml

    repo = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    assert config["theme"]["font"] is False
    assert "INHERIT: mkdocs.yml" in (repo / "mkdocs.internal.yml").read_text()


def test_pages_load_nothing_from_a_third_party(tmp_path, browser):
    """With the shipped configs' `font: false`, a page requests nothing but the site's own files."""
    root = write_root(tmp_path / "root")
    text = (root / "mkdocs.yml").read_text().replace("  name: material\n", "  name: material\n  font: false\n")
    (root / "mkdocs.yml").write_text(text.replace("site_url: https://status.test/\n", ""))
    result = build(root)
    assert result.returncode == 0, result.output
    served = Served(result.site)
    requested: list[str] = []
    try:
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.goto(served.url)
        page.wait_for_load_state("networkidle")
        page.close()
    finally:
        served.close()
    foreign = [u for u in requested if not u.startswith(served.url) and not u.startswith("data:")]
    assert requested and foreign == []


def test_hostile_records_fire_no_dialog_on_any_page(tmp_path_factory, browser):
    root = write_root(
        tmp_path_factory.mktemp("hostile") / "root", HOSTILE_RECORDS, options=":\n      audience: internal"
    )
    result = build(root)
    assert result.returncode == 0, result.output
    served = Served(result.site)
    dialogs: list[str] = []
    try:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in sorted(str(p.parent.relative_to(result.site)) for p in result.site.rglob("index.html")):
            page.goto(served.url + ("" if rel == "." else rel + "/"))
            page.wait_for_load_state("load")
            # the theme found its own configuration: its search works
            assert page.evaluate("JSON.parse(document.querySelector('#__config').textContent).base") in (
                ".",
                "..",
                "../..",
            )
        page.goto(served.url)
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").fill("Planned")
        page.wait_for_timeout(1000)
        page.close()
    finally:
        served.close()
    assert dialogs == []
