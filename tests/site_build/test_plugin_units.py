"""Pieces of the site plugin that a build does not show directly."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError
from siteroot import write_root

from incidents.mkdocs_plugin import charts
from incidents.mkdocs_plugin.config import IncidentsConfig
from incidents.mkdocs_plugin.plugin import IncidentsPlugin, build_now, chrome_title, css_color
from incidents.mkdocs_plugin.render import MarkdownRenderer, safe_url


def test_on_serve_watches_incidents_and_policy(tmp_path):
    root = write_root(tmp_path / "root")
    plugin = IncidentsPlugin()
    plugin.load_config({})
    watched = []
    server = SimpleNamespace(watch=watched.append)
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"))
    assert plugin.on_serve(server, config, builder=None) is server
    assert sorted(watched) == [str(root.resolve() / "incidents"), str(root.resolve() / "policy")]


def test_config_is_typed_with_documented_defaults():
    plugin = IncidentsPlugin()
    errors, warnings = plugin.load_config({})
    assert errors == [] and warnings == []
    assert isinstance(plugin.config, IncidentsConfig)
    assert (
        plugin.config.root,
        plugin.config.status_page,
        plugin.config.uptime_days,
        plugin.config.publish_internal,
    ) == (None, "index.md", 90, False)
    errors, _ = IncidentsPlugin().load_config({"uptime_days": "ninety"})
    assert errors and errors[0][0] == "uptime_days"


def test_now_comes_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773576000")
    assert build_now() == datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PluginError, match="SOURCE_DATE_EPOCH"):
        build_now()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((build_now() - datetime.now(UTC)).total_seconds()) < 5


def test_titles_in_the_theme_chrome_cannot_open_tags():
    title = chrome_title("</title><script>alert(1)</script> &lt;b&gt; A&B")
    assert "<" not in title and ">" not in title and "&" not in title
    assert "alert(1)" in title


def test_markdown_is_sanitized_and_links_are_checked():
    md = MarkdownRenderer()
    html = str(md("**ok** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"))
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert safe_url("https://tracker.test/1") == "https://tracker.test/1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "java\nscript:x", None, ""):
        assert safe_url(bad) is None
    assert css_color("#b60205") == "#b60205" and css_color("red; background: url(x)") is None


def test_charts_are_deterministic_svg_without_a_date():
    groups = [
        {
            "key": "SEV-1",
            "count": 2,
            "mttr_n": 2,
            "mttr_median_min": 90.0,
            "mttr_median_ci_low_min": None,
            "mttr_median_ci_high_min": None,
        },
        {
            "key": "$x$ <b>",
            "count": 6,
            "mttr_n": 6,
            "mttr_median_min": 30.0,
            "mttr_median_ci_low_min": 0.0,
            "mttr_median_ci_high_min": 400.0,
        },
    ]
    samples = {"SEV-1": [60.0, 120.0], "$x$ <b>": [0.0, 10.0, 20.0, 40.0, 50.0, 400.0]}
    first, second = charts.severity_strip(groups, samples), charts.severity_strip(groups, samples)
    assert first == second and first.startswith("<svg")
    assert "<dc:date>" not in first and "<metadata>" not in first
    assert "&lt;b&gt;" in first and "<b>" not in first
    assert 'role="img"' in first and "<title>Time to resolve each incident" in first
    quarters = [
        dict(
            groups[1],
            key=f"2026-Q{q}",
            incidents_per_week=q / 2,
            incidents_per_week_ci_low=0.0,
            incidents_per_week_ci_high=q * 1.0,
        )
        for q in range(1, 5)
    ]
    trend, freq = charts.trend_chart(quarters), charts.frequency_chart(quarters)
    assert trend == charts.trend_chart(quarters) and freq == charts.frequency_chart(quarters)
    assert charts.severity_strip([dict(groups[0], count=0)], {}) is None
    # ids are the chart's own: two charts on one page never share one
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (first, trend, freq)]
    assert all(i.startswith("mttr-by-severity-") for i in ids[0]) and all(i.startswith("mttr-trend-") for i in ids[1])
    assert not set(ids[0]) & set(ids[1]) and not set(ids[1]) & set(ids[2])
    assert charts.budget_chart([{"key": "api", "slo_pct": 99.9, "error_budget_used_pct": 150.0}]).count("<svg") == 1
    assert charts.budget_chart([{"key": "api", "slo_pct": None, "error_budget_used_pct": None}]) is None
