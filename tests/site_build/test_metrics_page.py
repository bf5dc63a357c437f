"""The metrics page from one real `mkdocs build` (internal site): verdicts, intervals, small samples in
words, availability against the SLO, and inline SVG charts fit to share one page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from siteroot import build, write_root

pytestmark = pytest.mark.site

NOW = datetime(2026, 7, 1, tzinfo=UTC)
SERVICES = """\
services:
  - id: api
    name: Public API
    slo: 99.9
  - id: db
    name: Database
"""


def record(inc_id: str, severity: str, started: datetime, minutes: int, service: str = "api") -> str:
    resolved = started + timedelta(minutes=minutes)
    at = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return f"""---
id: {inc_id}
title: Incident {inc_id}
severity: {severity}
status: resolved
services: [{service}]
impact: partial_outage
started_at: {at(started)}
detected_at: {at(started)}
acknowledged_at: {at(started + timedelta(minutes=1))}
resolved_at: {at(resolved)}
roles: {{commander: alice}}
updates:
  - {{at: {at(resolved)}, status: resolved, message: Fixed.}}
---
"""


# 2026-Q1: 7 SEV-2 incidents resolved in 30, 35, ... 60 minutes (median 45, interval [x(1), x(7)] = 30 - 60);
# 2026-Q2: 7 resolved in 300, 350, ... 600 minutes (median 450): every Q2 value above every Q1 value,
# plus two SEV-1 incidents on db in Q2 resolved in 700 minutes ("2 incidents: too few to tell").
# Q2 sorted: 300 350 400 450 500 550 600 700 700: median 500, n = 9 -> interval [x(2), x(8)] = 350 - 700.
# Every Q2 value is above every Q1 value: U = 0. scipy's default method is the normal approximation here
# (n = 9 > 8 and a tie): mean 7 x 9 / 2 = 31.5, variance 63/12 x (17 - (2^3 - 2)/(16 x 15)) = 89.12,
# z = (31.5 - 0.5 continuity) / 9.440 = 3.284, p = 2 x (1 - Phi(3.284)) = 0.0010 < 0.05;
# ratio 500/45 = 11.1 > 1 -> "worse".
RECORDS = {}
for i in range(7):
    RECORDS[f"incidents/q1-{i}.md"] = record(
        f"Q1-{i}", "SEV-2", datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=10 * i), 30 + 5 * i
    )
    RECORDS[f"incidents/q2-{i}.md"] = record(
        f"Q2-{i}", "SEV-2", datetime(2026, 4, 3, 9, tzinfo=UTC) + timedelta(days=10 * i), 300 + 50 * i
    )
for i in range(2):
    RECORDS[f"incidents/s1-{i}.md"] = record(f"S1-{i}", "SEV-1", datetime(2026, 5, 1 + i, 9, tzinfo=UTC), 700, "db")
# One of them came from Statuspage: it counts for MTTR and frequency, never for MTTD or MTTA.
RECORDS["incidents/s1-1.md"] = RECORDS["incidents/s1-1.md"].replace(
    "roles:", "source: {system: statuspage, id: s1one, url: 'https://status.example.com/incidents/s1one'}\nroles:"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = write_root(
        tmp_path_factory.mktemp("metrics-root"), RECORDS, services=SERVICES, options=":\n      publish_internal: true"
    )
    result = build(root, epoch=int(NOW.timestamp()))
    assert result.returncode == 0, result.output
    return (result.site / "metrics" / "index.html").read_text(encoding="utf-8")


def test_verdict_and_intervals_are_written(page):
    assert str(escape("worse: median ×11 vs 2026-Q1, resolution longer (p = 0.001)")) in page
    assert "30.0 min – 1 h 00 min" in page  # Q1's median interval, durations as durations
    assert "5 h 50 min – 11 h 40 min" in page  # Q2's: 350 - 700 minutes
    assert "2 incidents: too few to tell" in page  # SEV-1
    assert "first with resolved incidents: nothing to compare" in page


def test_frequency_and_availability_against_the_slo(page):
    # Q1: 7 incidents in 90 days = 7 / (90/7) = 0.54 a week; Garwood for k = 7: 2.8143 - 14.4227 -> 0.22 - 1.12
    assert "<td>0.54</td>" in page and "0.22 – 1.12" in page
    # api: 14 partial outages, (7 x 45 + 7 x 450) = 3465 minutes x 0.3 = 1039.5 minutes of downtime from
    # 2026-01-05 09:00 to 2026-07-01 00:00 (176 d 15 h = 254340 min): 99.591% and budget 1039.5/254.34 = 408.7%
    assert "99.591%" in page
    assert str(escape("SLO 99.9%: 408.7% of the error budget used (overspent by 308.7%)")) in page


def test_charts_share_the_page_cleanly(page):
    svgs = re.findall(r"<svg\b[^>]*>", page)
    charts = [s for s in svgs if 'role="img"' in s and "aria-label=" in s]
    assert len(charts) == 4  # severity strip, quarter trend, frequency, error budget
    assert "<metadata>" not in page and "rdf:RDF" not in page
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert page.count("<title>") >= 1 + len(charts)  # each chart's own title, besides the page's
    assert "time to resolve (log scale)" in page and "median time to resolve (log scale)" in page
    # log axes of durations: labels read as durations, no zero tick
    for prefix in ("mttr-by-severity", "mttr-trend"):
        svg = page[page.index(f'id="{prefix}-figure_1"') :]
        svg = svg[: svg.index("</svg>")]
        assert ">1 h<" in svg and ">0<" not in svg


def test_the_page_says_how_many_imported_incidents_were_left_out(page):
    assert "1 imported incident, left out of MTTD 1, MTTA 1." in page
    assert "never for MTTD, MTTA or MTTI" in page
