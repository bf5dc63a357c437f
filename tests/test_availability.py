"""Availability and error budget per service (contract section 6), hand-computed from a small root."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from incidents.metrics import figures as metrics
from incidents.metrics.availability import union_length
from incidents.reading.validate import validate_root

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
roles: [commander]
"""
SERVICES = """\
services:
  - id: api
    name: API
    slo: 90
  - id: web
    name: Web
  - id: db
    name: Database
    slo: 99.9
"""


def incident(inc_id, impact, started, mitigated=None, resolved=None, visibility="public", services="[api]"):
    status = "resolved" if resolved else "identified"
    lines = [
        "---",
        f"id: {inc_id}",
        f"title: Incident {inc_id}",
        "severity: SEV-1",
        f"status: {status}",
        f"services: {services}",
        f"impact: {impact}",
        f"started_at: {started}",
        f"detected_at: {started}",
        f"acknowledged_at: {started}",
    ]
    if mitigated:
        lines.append(f"mitigated_at: {mitigated}")
    if resolved:
        lines.append(f"resolved_at: {resolved}")
    lines.append(f"visibility: {visibility}")
    if visibility == "public":
        lines += ["updates:", f"  - at: {resolved or started}", f"    status: {status}", "    message: Update."]
    return "\n".join(lines + ["---", ""])


MAINTENANCE = """---
type: maintenance
id: MNT-1
title: Upgrade
services: [api]
scheduled_start: 2026-03-01T12:00:00Z
scheduled_end: 2026-03-01T14:00:00Z
status: completed
---
"""

# 2026-03-01, UTC, on api:
#   P  partial 00:00 -> mitigated 02:00 (resolved 03:00: the impact ends when mitigated)
#   M  major   01:00 -> 01:30 (inside P: those 30 minutes count once, as major)
#   I  partial 10:00 -> 10:30, internal: counts
#   D  degraded 05:00 -> 06:00: not downtime
#   MNT-1 maintenance 12:00 -> 14:00: not downtime
# major minutes = 30; partial-or-worse union = 00:00-02:00 (120) + 10:00-10:30 (30) = 150,
# so partial at its worst = 150 - 30 = 120; downtime = 30 + 0.3 * 120 = 66 minutes.
# Window --since 2026-03-01 --until 2026-03-02 = 1440 minutes:
#   availability = 100 * (1 - 66/1440) = 95.41666...%
#   api slo 90: budget = (1 - 0.90) * 1440 = 144 minutes; used = 66/144 * 100 = 45.8333...%
RECORDS = {
    "P.md": incident("P", "partial_outage", "2026-03-01T00:00:00Z", "2026-03-01T02:00:00Z", "2026-03-01T03:00:00Z"),
    "M.md": incident("M", "major_outage", "2026-03-01T01:00:00Z", None, "2026-03-01T01:30:00Z"),
    "I.md": incident(
        "I", "partial_outage", "2026-03-01T10:00:00Z", None, "2026-03-01T10:30:00Z", visibility="internal"
    ),
    "D.md": incident("D", "degraded_performance", "2026-03-01T05:00:00Z", None, "2026-03-01T06:00:00Z"),
    "MNT-1.md": MAINTENANCE,
}


def load(tmp: Path, records: dict[str, str]):
    (tmp / "policy").mkdir()
    (tmp / "incidents").mkdir()
    (tmp / "policy" / "policy.yml").write_text(POLICY)
    (tmp / "policy" / "services.yml").write_text(SERVICES)
    for name, text in records.items():
        (tmp / "incidents" / name).write_text(text)
    report = validate_root(tmp)
    assert report.errors == 0, report.findings
    return report.repository


def by_service(repo, **kwargs):
    return {g["key"]: g for g in metrics.compute(repo.incidents, repo.policy, by="service", **kwargs)}


def test_overlapping_partial_and_major_outages_and_maintenance(tmp_path):
    repo = load(tmp_path, RECORDS)
    groups = by_service(repo, since=date(2026, 3, 1), until=date(2026, 3, 2))
    api = groups["api"]
    assert api["downtime_min"] == pytest.approx(66.0)
    assert api["availability_pct"] == pytest.approx(100 * (1 - 66 / 1440), abs=1e-12)
    assert api["slo_pct"] == 90.0
    assert api["error_budget_used_pct"] == pytest.approx(66 / 144 * 100, abs=1e-12)
    # web: no incident -> 100%, no slo -> no budget; db: no incident, slo 99.9 -> 0% used
    assert (groups["web"]["availability_pct"], groups["web"]["error_budget_used_pct"]) == (100.0, None)
    assert (groups["db"]["availability_pct"], groups["db"]["error_budget_used_pct"]) == (100.0, 0.0)


def test_open_incident_lasts_until_as_of_and_window_defaults(tmp_path):
    # O: major outage on db, open since 2026-03-01T22:00Z; as of 2026-03-02T00:00Z it has lasted 120 min.
    # Without --since the window starts at the earliest started_at of any incident (P, 2026-03-01T00:00Z),
    # without --until it ends at as-of: 1440 minutes. db: 100 * (1 - 120/1440) = 91.666...%;
    # db slo 99.9: budget 1.44 min, used 120/1.44 * 100 = 8333.3...%
    records = dict(RECORDS, **{"O.md": incident("O", "major_outage", "2026-03-01T22:00:00Z", services="[db]")})
    repo = load(tmp_path, records)
    db = by_service(repo, as_of=datetime(2026, 3, 2, tzinfo=UTC))["db"]
    assert db["downtime_min"] == pytest.approx(120.0)
    assert db["availability_pct"] == pytest.approx(100 * (1 - 120 / 1440), abs=1e-12)
    assert db["error_budget_used_pct"] == pytest.approx(120 / 1.44 * 100, rel=1e-12)


def test_no_window_no_availability(tmp_path):
    repo = load(tmp_path, RECORDS)
    api = by_service(repo)["api"]  # neither --until nor as-of: the window has no end
    assert api["availability_pct"] is None and api["error_budget_used_pct"] is None


def test_union_length_counts_overlaps_once():
    # [0, 10) + [5, 20) + [30, 40) + [32, 35) = 20 + 10
    assert union_length(np.array([5.0, 0, 32, 30]), np.array([20.0, 10, 35, 40])) == 30.0
    assert union_length(np.array([]), np.array([])) == 0.0


@pytest.mark.parametrize("value", ["100", "0", "-1", "'99.9'", "yes", "99.9%"])
def test_slo_must_be_a_percentage_below_100(tmp_path, value):
    (tmp_path / "policy").mkdir()
    (tmp_path / "incidents").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text(f"services:\n  - id: api\n    name: API\n    slo: {value}\n")
    report = validate_root(tmp_path)
    [finding] = [f for f in report.findings if f.level == "error"]
    assert (finding.path, finding.line, finding.code) == ("policy/services.yml", 4, "invalid-value")
    assert "above 0 and below 100" in finding.message
