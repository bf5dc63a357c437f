"""Pieces of the site plugin that a build does not show directly."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from generator.mkdocs_plugin import charts
from generator.mkdocs_plugin.config import IncidentsConfig
from generator.mkdocs_plugin.plugin import IncidentsPlugin, build_now, chrome_title, css_color
from generator.mkdocs_plugin.render import MarkdownRenderer, safe_url
from siteroot import write_root


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
    assert (plugin.config.root, plugin.config.status_page, plugin.config.uptime_days,
            plugin.config.publish_internal) == (None, "index.md", 90, False)
    errors, _ = IncidentsPlugin().load_config({"uptime_days": "ninety"})
    assert errors and errors[0][0] == "uptime_days"


def test_now_comes_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773576000")
    assert build_now() == datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PluginError, match="SOURCE_DATE_EPOCH"):
        build_now()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((build_now() - datetime.now(timezone.utc)).total_seconds()) < 5


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
    groups = [{"key": "SEV-1", "count": 2, "mttd_median_min": 3.0, "mtta_median_min": 5.0,
               "mtti_median_min": None, "mttr_median_min": 90.0},
              {"key": "$x$ <b>", "count": 1, "mttd_median_min": 1.0, "mtta_median_min": 2.0,
               "mtti_median_min": 4.0, "mttr_median_min": 30.0}]
    first, second = charts.severity_chart(groups), charts.severity_chart(groups)
    assert first == second and first.startswith("<svg")
    assert "<dc:date>" not in first and "&lt;b&gt;" in first and "<b>" not in first
    months = [{"key": f"2026-{m:02d}", "count": m, "mtta_median_min": m * 2.0, "mttr_median_min": m * 10.0}
              for m in range(1, 8)]
    assert charts.month_chart(months) == charts.month_chart(months)
    assert charts.severity_chart([dict(groups[0], count=0)]) is None
