"""A site built in another language (the plugin's `language`, else the theme's `theme.language`): every word
the plugin writes is in it, updates show their translation where they carry one, feeds declare it, and the
JSON API stays Statuspage's (English enums and descriptions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from siteroot import OPEN, STANDARD, build, write_root

pytestmark = pytest.mark.site

TRANSLATED_OPEN = OPEN.replace(
    "message: SECOND-UPDATE A bad deploy; rolling back.}",
    "message: SECOND-UPDATE A bad deploy; rolling back.,\n"
    "     translations: {de: ZWEITE-MELDUNG Ein fehlerhaftes Deployment; wir rollen zurück.}}",
)


def german_root(tmp: Path, options: str = ":\n      language: de", theme_language: str | None = None) -> Path:
    records = dict(STANDARD)
    records["incidents/2026/INC-2026-0002.md"] = TRANSLATED_OPEN
    root = write_root(tmp / "root", records, options=options)
    if theme_language:
        text = (
            (root / "mkdocs.yml")
            .read_text()
            .replace("  name: material\n", f"  name: material\n  language: {theme_language}\n")
        )
        (root / "mkdocs.yml").write_text(text)
    return root


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    result = build(german_root(tmp_path_factory.mktemp("de")), strict=True)
    assert result.returncode == 0, result.output
    return result.site


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_status_page_in_german(german):
    html = read(german, "index.html")
    assert '<html lang="de"' in html
    for words in (
        "Teilweiser Systemausfall",
        "Vergangene Störungen",
        "Keine Störungen gemeldet.",
        "Dienste",
        "Updates abonnieren",
        "Geplante Wartung",
        ">15. März 2026, 12:00 UTC</time>",
    ):
        assert words in html, words
    for english in ("Past incidents", "No incidents reported.", "Subscribe to updates", "Operational<"):
        assert english not in html, english


def test_update_shows_its_translation_and_falls_back_to_the_message(german):
    html = read(german, "incidents/INC-2026-0002/index.html")
    assert "ZWEITE-MELDUNG Ein fehlerhaftes Deployment" in html and "SECOND-UPDATE" not in html
    assert "FIRST-UPDATE We are investigating." in html  # no German text: the message as written
    assert "Teilausfall" in html and "Wird untersucht" in html


def test_feeds_carry_the_language_and_the_api_stays_statuspage(german):
    atom = read(german, "history.atom")
    assert 'xml:lang="de"' in atom and "ZWEITE-MELDUNG" in atom and "Auswirkung:" in atom
    assert "<language>de</language>" in read(german, "history.rss")
    assert 'xml:lang="de"' in read(german, "history/api.atom")
    status = json.loads(read(german, "api/v2/status.json"))
    assert status["status"]["description"] == "Partial System Outage"
    summary = json.loads(read(german, "api/v2/summary.json"))
    bodies = [u["body"] for inc in summary["incidents"] for u in inc["incident_updates"]]
    assert any(b.startswith("SECOND-UPDATE") for b in bodies)  # the API carries the message as written


def test_theme_language_is_the_default(tmp_path):
    result = build(german_root(tmp_path, options="", theme_language="fr"))
    assert result.returncode == 0, result.output
    html = read(result.site, "index.html")
    assert "Incidents passés" in html and '<html lang="fr"' in html


def test_unknown_language_is_a_clear_error(tmp_path):
    result = build(german_root(tmp_path, options=":\n      language: tlh"))
    assert result.returncode != 0 and "Traceback" not in result.output
    assert "`language: tlh` has no catalog" in result.output and "pt_BR" in result.output


def test_theme_language_without_a_catalog_builds_in_english(tmp_path):
    result = build(german_root(tmp_path, options="", theme_language="it"), strict=True)
    assert result.returncode == 0, result.output
    assert "Past incidents" in read(result.site, "index.html")


def test_the_demo_builds_in_german(tmp_path):
    """`make demo` builds mkdocs.de.yml (INHERIT: mkdocs.yml, language: de) with --strict into site-de/."""
    repo = Path(__file__).resolve().parents[2]
    assert "mkdocs.de.yml -d site-de" in (repo / "Makefile").read_text()
    result = build(repo, tmp_path / "site-de", strict=True, config="mkdocs.de.yml")
    assert result.returncode == 0, result.output
    html = read(result.site, "incidents/INC-2026-0023/index.html")
    assert '<html lang="de"' in html and "Webhook-Zustellungen an einige Endpunkte" in html


def test_internal_pages_in_german(tmp_path):
    result = build(german_root(tmp_path, options=":\n      audience: internal\n      language: de"), strict=True)
    assert result.returncode == 0, result.output
    assert "Schweregrad-Richtlinie" in read(result.site, "policy/index.html")
    items = read(result.site, "action-items/index.html")
    assert "Offene Maßnahmen nach Verantwortlichen" in items and "Open items by owner" not in items
    home = read(result.site, "index.html")
    assert "<dt>Leitung</dt><dd>alice" in home and "seit der Erkennung" in home
