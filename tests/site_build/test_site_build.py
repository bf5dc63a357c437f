"""The site: real `mkdocs build` runs of small roots, asserting on what is published (FORMAT.md section 8)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import icalendar
import pytest
from siteroot import (
    MKDOCS,
    OPEN,
    RESOLVED,
    SECTION8_PATHS,
    STANDARD,
    build,
    write_root,
)

pytestmark = pytest.mark.site
INTERNAL = ":\n      audience: internal"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    # The internal site: every page kind of section 8 (the public one is tests/site_build/test_audiences.py).
    root = write_root(tmp_path_factory.mktemp("std") / "root", options=INTERNAL)
    result = build(root)
    assert result.returncode == 0, result.output
    return result.site


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def service_status(html: str, service: str) -> str:
    m = re.search(rf'data-service="{service}" data-status="([a-z_]+)"', html)
    assert m, f"service {service} not on the status page"
    return m.group(1)


def test_every_path_of_section_8_is_published(site):
    missing = [p for p in SECTION8_PATHS if not (site / p).is_file()]
    assert missing == []
    assert (site / "sitemap.xml").is_file() and (site / "search" / "search_index.json").is_file()


def test_status_page_banner_services_and_open_incident(site):
    html = read(site, "index.html")
    assert 'class="inc-banner inc-banner--major"' in html
    assert "Partial System Outage" in html
    assert service_status(html, "api") == "partial_outage"
    assert service_status(html, "web") == "degraded_performance"
    assert service_status(html, "db") == "operational"
    assert service_status(html, "mail") == "under_maintenance"  # maintenance in progress; internal incident ignored
    # services grouped by `group`, in catalogue order
    services = html[html.index('id="inc-services"') :]
    assert (
        services.index(">Core ") < services.index("Public API") < services.index("Dashboard") < services.index(">Data ")
    )
    # the open incident with its updates, newest first
    assert "Elevated API errors" in html
    assert html.index("SECOND-UPDATE") < html.index("FIRST-UPDATE")
    # active and upcoming maintenance
    assert "Email provider migration" in html and "Maintenance in progress" in html
    assert "Database upgrade" in html


def test_uptime_bars_hand_computed(site):
    html = read(site, "index.html")
    db = html[html.index('data-service="db"') : html.index('data-service="mail"')]
    bars = re.findall(r'<span class="inc-bar inc-([a-z_]+)" title="([^"]*)"', db)
    assert len(bars) == 90
    # the last bar is today (2026-03-15); 2026-03-10 is five days earlier
    cls, title = bars[-6]
    assert cls == "major_outage"
    # 60 minutes of major outage (10:00 -> mitigated 11:00): 1 - 60/1440 = 95.83 %
    assert title.startswith("Mar 10, 2026: 95.83% uptime")
    assert "major outage 1 hr" in title and "INC-2026-0001" in title
    assert bars[-1][1].startswith("Mar 15, 2026: 100.00% uptime")
    # over 90 days: 1 - 60 / (90 * 1440) = 99.95 %
    assert "99.95% uptime" in db
    # the api: INC-2026-0002 open since 10:00, partial: 120 min * 0.3 = 36 min -> 1 - 36/1440 = 97.50 %
    api = html[html.index('data-service="api"') : html.index('data-service="web"')]
    assert re.findall(r'title="(Mar 15, 2026: [^"]*)"', api)[0].startswith("Mar 15, 2026: 97.50% uptime")


def test_api_has_statuspage_shapes(site):
    summary = json.loads(read(site, "api/v2/summary.json"))
    assert list(summary) == ["page", "components", "incidents", "scheduled_maintenances", "status"]
    assert list(summary["page"]) == ["id", "name", "url", "time_zone", "updated_at"]
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    by_name = {c["name"]: c for c in summary["components"]}
    assert by_name["Public API"]["status"] == "partial_outage"
    assert by_name["Email"]["status"] == "under_maintenance"
    assert by_name["Core"]["group"] is True and len(by_name["Core"]["components"]) == 2
    assert [i["id"] for i in summary["incidents"]] == ["INC-2026-0002"]
    assert summary["incidents"][0]["impact"] == "major"
    assert [m["name"] for m in summary["scheduled_maintenances"]] == ["Email provider migration", "Database upgrade"]
    for rel in (
        "status.json",
        "components.json",
        "incidents.json",
        "incidents/unresolved.json",
        "scheduled-maintenances.json",
        "scheduled-maintenances/upcoming.json",
        "scheduled-maintenances/active.json",
    ):
        doc = json.loads(read(site, "api/v2/" + rel))
        assert next(iter(doc)) == "page"
    incidents = json.loads(read(site, "api/v2/incidents.json"))["incidents"]
    assert [i["id"] for i in incidents] == ["INC-2026-0002", "INC-2026-0001"]
    assert incidents[1]["resolved_at"] == "2026-03-10T12:00:00.000Z"


def test_feeds_calendar_and_badge(site):
    atom = feedparser.parse(read(site, "history.atom"))
    rss = feedparser.parse(read(site, "history.rss"))
    assert not atom.bozo and not rss.bozo
    assert len(atom.entries) == 2 and len(rss.entries) == 2
    assert any("Elevated API errors" in e.title for e in atom.entries)
    cal = icalendar.Calendar.from_ical((site / "maintenance.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert len(summaries) == 2 and "Database upgrade" in summaries[0] and "Email provider migration" in summaries[1]
    badge = read(site, "badge.svg")
    assert badge.startswith("<svg") and "Partial System Outage" in badge


def test_incident_page(site):
    html = read(site, "incidents/INC-2026-0001/index.html")
    assert "Database failover" in html and "SEV-2 · Major" in html
    assert "Time to acknowledge: <strong>2 min</strong>" in html  # one duration format on the page
    assert "Total duration: <strong>2 hr</strong>" in html
    assert "commander: <strong>bob</strong>" in html
    assert "<h2>What happened</h2>" in html  # the Markdown body, rendered
    assert 'href="../../postmortems/INC-2026-0001/"' in html
    assert html.index("Failover complete.") < html.index("Database unavailable.")  # newest first


def test_postmortem_pages_and_merged_timeline(site):
    index = read(site, "postmortems/index.html")
    assert 'href="../incidents/INC-2026-0001/"' in index and 'href="INC-2026-0001/"' in index
    html = read(site, "postmortems/INC-2026-0001/index.html")
    order = [
        "Impact started",
        "SCRIBE-ENTRY",
        "Detected",
        "Acknowledged",
        "Status update: Investigating",
        "Cause identified",
        "Mitigated",
        "Resolved",
    ]
    timeline = html[html.index('class="inc-timeline"') :]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    assert 'href="https://tracker.test/1"' in html and "Add a failover drill" in html


def test_history_policy_and_metrics_pages(site):
    history = read(site, "history/index.html")
    assert "March 2026" in history and "Elevated API errors" in history and "Database failover" in history
    policy = read(site, "policy/index.html")
    for text in (
        "Complete outage of a core service",
        "Acknowledge within</th><td>15m",
        "Public updates at least every</th><td>30m",
        "First public update within</th><td>15m",
        "after 30m: VP Engineering",
        "All hands, war room",
        "security_lead",
        "commander",
    ):
        assert text in policy, text
    metrics = read(site, "metrics/index.html")
    assert metrics.count("<svg") >= 2 and "<table" in metrics
    # internal incidents count in metrics: SEV-1 has the open public one and the internal one
    row = re.search(r'<th scope="row">SEV-1</th><td>(\d+)</td>', metrics)
    assert row and row.group(1) == "2"


def test_two_builds_are_byte_identical(site, tmp_path):
    root = write_root(tmp_path / "root", options=INTERNAL)
    again = build(root)
    assert again.returncode == 0, again.output
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again.site): p.read_bytes() for p in again.site.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    different = [str(p) for p in first if first[p] != second[p]]
    assert different == []


def test_record_error_fails_the_build_with_findings_and_no_site(tmp_path):
    bad = OPEN.replace("severity: SEV-1", "severity: SEV-9")
    records = dict(STANDARD, **{"incidents/2026/INC-2026-0002.md": bad})
    root = write_root(tmp_path / "root", records)
    result = build(root)
    assert result.returncode != 0
    assert re.search(r"incidents/2026/INC-2026-0002\.md:4:\d+: error \S+ ", result.output), result.output
    assert "Traceback" not in result.output
    assert not (root / "site").exists()


def test_missing_root_is_a_clear_error(tmp_path):
    root = write_root(tmp_path / "root", options="\n      - incidents:\n          root: nowhere")
    text = (root / "mkdocs.yml").read_text().replace("  - incidents\n      - incidents:", "  - incidents:")
    (root / "mkdocs.yml").write_text(text)
    result = build(root)
    assert result.returncode != 0 and "Traceback" not in result.output
    assert "nowhere" in result.output


def options_root(tmp_path, options: str, records=None) -> Path:
    root = write_root(tmp_path / "root", records)
    text = MKDOCS.replace("  - incidents{options}\n", "  - incidents:\n" + options)
    (root / "mkdocs.yml").write_text(text)
    return root


def test_options_status_page_uptime_days_and_custom_dir_override(tmp_path):
    root = options_root(
        tmp_path,
        "      status_page: status.md\n      uptime_days: 30\n      page_name: Acme\n      public_policy: true\n",
    )
    (root / "docs" / "index.md").write_text("# Welcome\n\nOur own home page.\n")
    text = (
        (root / "mkdocs.yml").read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    )
    (root / "mkdocs.yml").write_text(text)
    override = root / "overrides" / "incidents" / "policy.html"
    override.parent.mkdir(parents=True)
    override.write_text("<p>OUR-OWN-POLICY-TEMPLATE {{ severities | length }}</p>\n")
    result = build(root)
    assert result.returncode == 0, result.output
    assert "Our own home page." in read(result.site, "index.html")
    status = read(result.site, "status/index.html")
    assert "Partial System Outage" in status
    assert len(re.findall(r'<span class="inc-bar ', status)) == 4 * 30
    assert "OUR-OWN-POLICY-TEMPLATE 2" in read(result.site, "policy/index.html")
    assert json.loads(read(result.site, "api/v2/status.json"))["page"]["name"] == "Acme"


def test_publish_internal_true_publishes_internal_pages(tmp_path):
    root = options_root(tmp_path, "      publish_internal: true\n")
    result = build(root)
    assert result.returncode == 0, result.output
    page = read(result.site, "incidents/INC-SECRET-0099/index.html")
    assert "SECRET-INTERNAL-TITLE" in page and "Internal" in page


def test_markdown_bodies_are_sanitized(tmp_path):
    hostile = RESOLVED.replace(
        "The primary database failed over.",
        "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
        '<a href="javascript:alert(4)">y</a> <b onclick="alert(5)">b</b>',
    )
    root = write_root(
        tmp_path / "root", dict(STANDARD, **{"incidents/2026/INC-2026-0001.md": hostile}), options=INTERNAL
    )
    result = build(root)
    assert result.returncode == 0, result.output
    html = read(result.site, "incidents/INC-2026-0001/index.html")
    body = html[html.index('class="inc-body"') :]
    body = body[: body.index("</div>")]
    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body and "<b>b</b>" in body
