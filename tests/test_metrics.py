"""incidents.metrics.figures: figures computed by hand for a small root (contract section 6)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from incidents.metrics import figures as metrics
from incidents.reading.validate import validate_root

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    acknowledge_within: 15m
    resolve_within: 1h
    detect_within: 10m
  - id: SEV-2
    name: Major
    acknowledge_within: 30m
    resolve_within: 4h
  - id: SEV-3
    name: Minor
roles: [commander]
priorities: [P1, P2]
postmortem:
  required_sections: [Summary]
  placeholders: ["TBD"]
metrics:
  mttr_from: {mttr_from}
"""

SERVICES = """\
services:
  - id: api
    name: API
  - id: web
    name: Web
  - id: db
    name: Database
"""


def incident(
    inc_id,
    severity,
    services,
    started,
    detected,
    acknowledged=None,
    identified=None,
    resolved=None,
    status=None,
    visibility="public",
):
    status = status or ("resolved" if resolved else "investigating")
    lines = [
        "---",
        f"id: {inc_id}",
        f"title: Incident {inc_id}",
        f"severity: {severity}",
        f"status: {status}",
        f"services: [{', '.join(services)}]",
        "impact: partial_outage",
        f"started_at: {started}",
        f"detected_at: {detected}",
    ]
    for key, value in (("acknowledged_at", acknowledged), ("identified_at", identified), ("resolved_at", resolved)):
        if value:
            lines.append(f"{key}: {value}")
    lines.append(f"visibility: {visibility}")
    if visibility == "public":
        lines += ["updates:", f"  - at: {resolved or detected}", f"    status: {status}", "    message: An update."]
    lines += ["---", "", "What happened.", ""]
    return "\n".join(lines)


MAINTENANCE = """\
---
type: maintenance
id: MNT-1
title: Database upgrade
services: [db]
scheduled_start: 2026-01-15T00:00:00Z
scheduled_end: 2026-01-15T02:00:00Z
status: completed
---
"""

# The hand-computed root. Minutes per incident (UTC):
#   A  SEV-1 [api]      started 2026-01-10 10:00  MTTD 5  MTTA 10  MTTI 30  MTTR 60 (resolved 11:00)
#   B  SEV-1 [api,web]  started 2026-01-20 08:00  MTTD 20 MTTA 30  MTTI -   MTTR 150 (resolved 10:30), internal
#   C  SEV-1 [web]      started 2026-02-03 10:00Z (written 12:00+02:00), MTTD 2 MTTA 5 MTTI 10, open: no MTTR
#   D  SEV-2 [db]       started 2026-04-01 01:30Z (written 2026-03-31T23:30-02:00: April and Q2 in UTC)
#                       MTTD 10 MTTA 30 MTTI 20 MTTR 300
#   MNT-1: a maintenance window, never counted.
RECORDS = {
    "incidents/2026/A.md": incident(
        "A",
        "SEV-1",
        ["api"],
        "2026-01-10T10:00:00Z",
        "2026-01-10T10:05:00Z",
        "2026-01-10T10:15:00Z",
        "2026-01-10T10:45:00Z",
        "2026-01-10T11:00:00Z",
    ),
    "incidents/2026/B.md": incident(
        "B",
        "SEV-1",
        ["api", "web"],
        "2026-01-20T08:00:00Z",
        "2026-01-20T08:20:00Z",
        "2026-01-20T08:50:00Z",
        None,
        "2026-01-20T10:30:00Z",
        visibility="internal",
    ),
    "incidents/2026/C.md": incident(
        "C",
        "SEV-1",
        ["web"],
        "2026-02-03T12:00:00+02:00",
        "2026-02-03T10:02:00Z",
        "2026-02-03T10:07:00Z",
        "2026-02-03T10:17:00Z",
        status="identified",
    ),
    "incidents/2026/D.md": incident(
        "D",
        "SEV-2",
        ["db"],
        "2026-03-31T23:30:00-02:00",
        "2026-04-01T01:40:00Z",
        "2026-04-01T02:10:00Z",
        "2026-04-01T02:30:00Z",
        "2026-04-01T06:30:00Z",
    ),
    "incidents/2026/MNT-1.md": MAINTENANCE,
}


def make_root(tmp: Path, records: dict[str, str], mttr_from: str = "started_at") -> Path:
    (tmp / "policy").mkdir(parents=True)
    (tmp / "incidents").mkdir()
    (tmp / "policy" / "policy.yml").write_text(POLICY.format(mttr_from=mttr_from))
    (tmp / "policy" / "services.yml").write_text(SERVICES)
    for rel, text in records.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp


def load(tmp: Path, records=RECORDS, mttr_from="started_at"):
    report = validate_root(make_root(tmp, records, mttr_from))
    assert report.errors == 0, report.findings
    return report.repository


def by_key(groups):
    return {g["key"]: g for g in groups}


def test_frame_one_row_per_incident_in_minutes(tmp_path):
    repo = load(tmp_path)
    frame = metrics.incident_frame(repo.incidents, repo.policy).set_index("id")
    assert sorted(frame.index) == ["A", "B", "C", "D"]  # the maintenance window is not an incident
    assert frame.loc["A", ["mttd_min", "mtta_min", "mtti_min", "mttr_min"]].tolist() == [5, 10, 30, 60]
    assert math.isnan(frame.loc["B", "mtti_min"])  # no identified_at: left out, not zero
    assert math.isnan(frame.loc["C", "mttr_min"])  # open: no MTTR
    assert frame.loc["C", "started_at"] == datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    assert frame.loc["D", "month"] == "2026-04" and frame.loc["D", "quarter"] == "2026-Q2"
    assert frame.loc["B", "services"] == ["api", "web"]
    assert frame.loc["B", "visibility"] == "internal"
    assert frame.loc["A", "ack_target_min"] == 15 and frame.loc["A", "resolve_target_min"] == 60
    assert math.isnan(frame.loc["D", "detect_target_min"])  # SEV-2 sets no detect_within


def test_by_severity_hand_computed(tmp_path):
    repo = load(tmp_path)
    groups = metrics.compute(repo.incidents, repo.policy, by="severity")
    # Policy order, including SEV-3 that has no incident.
    assert [g["key"] for g in groups] == ["SEV-1", "SEV-2", "SEV-3"]
    sev1, sev2, sev3 = groups
    assert list(sev1) == list(metrics.GROUP_KEYS)
    # SEV-1 = A, B (internal: counts), C (open).
    assert sev1["count"] == 3
    assert sev1["mttd_median_min"] == 5.0  # median of 5, 20, 2
    assert sev1["mtta_median_min"] == 10.0  # median of 10, 30, 5
    assert sev1["mtti_median_min"] == 20.0  # median of 30, 10 (B has none)
    assert sev1["mttr_median_min"] == 105.0  # median of 60, 150 (C is open)
    assert sev1["mttr_mean_min"] == 105.0  # (60 + 150) / 2
    assert sev1["mttr_p90_min"] == 141.0  # 60 + 0.9 * (150 - 60)
    assert sev1["ack_within_target_pct"] == 200 / 3  # 10 <= 15 yes, 30 no, 5 yes: 2/3, unrounded
    assert sev1["resolve_within_target_pct"] == 50.0  # 60 <= 60 yes (at the target counts), 150 no
    assert sev1["detect_within_target_pct"] == 200 / 3  # 5 <= 10 yes, 20 no, 2 yes
    # sample sizes: MTTI of B and MTTR of C are missing; n <= 5 has no median interval
    assert (sev1["mttd_n"], sev1["mtta_n"], sev1["mtti_n"], sev1["mttr_n"]) == (3, 3, 2, 2)
    assert sev1["mtta_mean_min"] == 15.0  # (10 + 30 + 5) / 3
    assert sev1["mttr_median_ci_low_min"] is None and sev1["mttr_median_ci_high_min"] is None
    assert {k: v for k, v in sev2.items() if v is not None} == {
        "key": "SEV-2",
        "count": 1,
        "mttd_median_min": 10.0,
        "mtta_median_min": 30.0,
        "mtti_median_min": 20.0,
        "mttr_median_min": 300.0,
        "mttr_mean_min": 300.0,
        "mttr_p90_min": 300.0,
        "ack_within_target_pct": 100.0,  # 30 <= 30
        "resolve_within_target_pct": 0.0,  # 300 > 240
        # detect_within_target_pct: None, no detect_within target
        "mttd_n": 1,
        "mtta_n": 1,
        "mtti_n": 1,
        "mttr_n": 1,
        "mttd_mean_min": 10.0,
        "mtta_mean_min": 30.0,
        "mtti_mean_min": 20.0,
        "imported_count": 0,
        "mttd_excluded_imported": 0,
        "mtta_excluded_imported": 0,
        "mtti_excluded_imported": 0,
        "ttc_n": 0,  # not closed
    }
    assert sev3 == {
        "key": "SEV-3",
        "count": 0,
        "mttd_n": 0,
        "mtta_n": 0,
        "mtti_n": 0,
        "mttr_n": 0,
        "ttc_n": 0,
        "imported_count": 0,
        "mttd_excluded_imported": 0,
        "mtta_excluded_imported": 0,
        "mtti_excluded_imported": 0,
        **{
            f: None
            for f in metrics.GROUP_KEYS
            if f not in ("key", "count", "imported_count") and not f.endswith(("_n", "_imported"))
        },
    }


def test_by_month_and_quarter_in_utc(tmp_path):
    repo = load(tmp_path)
    months = metrics.compute(repo.incidents, repo.policy, by="month")
    assert [(g["key"], g["count"]) for g in months] == [("2026-01", 2), ("2026-02", 1), ("2026-04", 1)]
    jan = months[0]  # A and B
    assert jan["mttd_median_min"] == 12.5  # (5 + 20) / 2
    assert jan["mtta_median_min"] == 20.0  # (10 + 30) / 2
    assert jan["mtti_median_min"] == 30.0  # A only
    assert jan["mttr_p90_min"] == 141.0
    assert jan["ack_within_target_pct"] == 50.0
    feb = months[1]  # C: open
    assert feb["mttr_median_min"] is None and feb["resolve_within_target_pct"] is None
    assert feb["ack_within_target_pct"] == 100.0
    quarters = metrics.compute(repo.incidents, repo.policy, by="quarter")
    assert [(g["key"], g["count"]) for g in quarters] == [("2026-Q1", 3), ("2026-Q2", 1)]
    # 2026-Q1: A, B, C; resolve: A yes, B no (C open) -> 50; ack: A, C yes, B no -> 66.7
    assert quarters[0]["resolve_within_target_pct"] == 50.0
    assert quarters[0]["ack_within_target_pct"] == 200 / 3


def test_by_service_counts_each_service_and_mtbf(tmp_path):
    repo = load(tmp_path)
    groups = metrics.compute(repo.incidents, repo.policy, by="service")
    assert [g["key"] for g in groups] == ["api", "web", "db"]  # catalogue order
    api, web, db = groups
    assert list(api) == list(metrics.SERVICE_GROUP_KEYS)
    assert (api["count"], web["count"], db["count"]) == (2, 2, 1)  # B counts in api and web
    # api: A 2026-01-10 10:00, B 2026-01-20 08:00 -> 9 d 22 h = 14280 min
    assert api["mtbf_mean_min"] == 14280.0
    # web: B 2026-01-20 08:00, C 2026-02-03 10:00 -> 14 d 2 h = 20280 min
    assert web["mtbf_mean_min"] == 20280.0
    assert db["mtbf_mean_min"] is None  # one incident: no interval
    # web = B, C: MTTD 20, 2 -> 11; MTTA 30, 5 -> 17.5; MTTI C only 10; MTTR B only 150
    assert (web["mttd_median_min"], web["mtta_median_min"], web["mtti_median_min"]) == (11.0, 17.5, 10.0)
    assert (web["mttr_median_min"], web["mttr_p90_min"]) == (150.0, 150.0)
    assert web["resolve_within_target_pct"] == 0.0 and web["detect_within_target_pct"] == 50.0


def test_mtbf_mean_of_several_gaps(tmp_path):
    recs = {
        f"incidents/{n}.md": incident(n, "SEV-3", ["api"], at, at, at, resolved=at)
        for n, at in (("X1", "2026-05-01T00:00:00Z"), ("X2", "2026-05-01T01:00:00Z"), ("X3", "2026-05-01T04:00:00Z"))
    }
    repo = load(tmp_path, recs)
    api = by_key(metrics.compute(repo.incidents, repo.policy, by="service"))["api"]
    assert api["mtbf_mean_min"] == 120.0  # gaps 60 and 180 min -> mean 120
    assert api["mttr_median_min"] == 0.0  # resolved at once: a real zero, not a missing one
    assert api["ack_within_target_pct"] is None  # SEV-3 has no targets


@pytest.mark.parametrize(
    "mttr_from, expected",
    [
        # A: 11:00 - 10:15 = 45, B: 10:30 - 08:50 = 100 -> median 72.5, p90 45 + 0.9 * 55 = 94.5; 45 <= 60 only
        ("acknowledged_at", (72.5, 72.5, 94.5, 50.0)),
        # A: 11:00 - 10:05 = 55, B: 10:30 - 08:20 = 130 -> median 92.5, p90 55 + 0.9 * 75 = 122.5
        ("detected_at", (92.5, 92.5, 122.5, 50.0)),
        ("started_at", (105.0, 105.0, 141.0, 50.0)),
    ],
)
def test_mttr_from_policy(tmp_path, mttr_from, expected):
    repo = load(tmp_path, mttr_from=mttr_from)
    assert repo.policy.mttr_from == mttr_from
    sev1 = metrics.compute(repo.incidents, repo.policy)[0]
    got = (sev1["mttr_median_min"], sev1["mttr_mean_min"], sev1["mttr_p90_min"], sev1["resolve_within_target_pct"])
    assert got == expected


@pytest.mark.parametrize(
    "since, until, ids",
    [
        (None, None, "ABCD"),
        # since is inclusive: B started exactly at 2026-01-20T08:00Z
        (datetime(2026, 1, 20, 8, 0, tzinfo=UTC), None, "BCD"),
        (datetime(2026, 1, 20, 8, 0, 1, tzinfo=UTC), None, "CD"),
        # until is exclusive
        (None, datetime(2026, 1, 20, 8, 0, tzinfo=UTC), "A"),
        (None, datetime(2026, 1, 20, 8, 0, 1, tzinfo=UTC), "AB"),
        # dates are midnight UTC: D started 2026-04-01T01:30Z (written on March 31 at -02:00)
        (date(2026, 4, 1), None, "D"),
        (None, date(2026, 4, 1), "ABC"),
        (date(2026, 2, 1), date(2026, 3, 1), "C"),
        (date(2027, 1, 1), None, ""),
    ],
)
def test_since_until_edges(tmp_path, since, until, ids):
    repo = load(tmp_path)
    frame = metrics.filter_frame(metrics.incident_frame(repo.incidents, repo.policy), since, until)
    assert "".join(sorted(frame["id"])) == ids
    groups = metrics.compute(repo.incidents, repo.policy, by="severity", since=since, until=until)
    assert sum(g["count"] for g in groups) == len(ids)


def test_since_with_an_offset_compares_instants(tmp_path):
    repo = load(tmp_path)
    # 2026-01-20T10:00+02:00 is B's start (08:00Z): included.
    since = datetime.fromisoformat("2026-01-20T10:00:00+02:00")
    groups = metrics.compute(repo.incidents, repo.policy, by="month", since=since)
    assert [(g["key"], g["count"]) for g in groups] == [("2026-01", 1), ("2026-02", 1), ("2026-04", 1)]


def test_root_without_incidents(tmp_path):
    repo = load(tmp_path, {})
    sev = metrics.compute(repo.incidents, repo.policy, by="severity")
    assert [g["key"] for g in sev] == ["SEV-1", "SEV-2", "SEV-3"]
    assert all(g["count"] == 0 and all(g[f] is None for f in metrics.FIGURES) for g in sev)
    assert metrics.compute(repo.incidents, repo.policy, by="month") == []
    assert metrics.compute(repo.incidents, repo.policy, by="quarter") == []
    svc = metrics.compute(repo.incidents, repo.policy, by="service")
    assert [(g["key"], g["count"], g["mtbf_mean_min"]) for g in svc] == [
        ("api", 0, None),
        ("web", 0, None),
        ("db", 0, None),
    ]


def test_filter_that_leaves_nothing(tmp_path):
    repo = load(tmp_path)
    groups = metrics.compute(repo.incidents, repo.policy, by="service", since=date(2030, 1, 1))
    assert [g["count"] for g in groups] == [0, 0, 0]


def test_figures_are_unrounded(tmp_path):
    # MTTD 1 min 20 s = 4/3 min; MTTA 2 min 50 s = 17/6 min: kept exact (the text table rounds, not JSON)
    recs = {
        "incidents/R.md": incident(
            "R",
            "SEV-2",
            ["api"],
            "2026-06-01T00:00:00Z",
            "2026-06-01T00:01:20Z",
            "2026-06-01T00:04:10Z",
            None,
            "2026-06-01T00:10:00Z",
        )
    }
    repo = load(tmp_path, recs)
    sev2 = by_key(metrics.compute(repo.incidents, repo.policy))["SEV-2"]
    assert sev2["mttd_median_min"] == pytest.approx(4 / 3, abs=1e-12)
    assert sev2["mtta_median_min"] == pytest.approx(17 / 6, abs=1e-12)
    assert sev2["mttr_median_min"] == 10.0


def test_unknown_grouping_is_refused(tmp_path):
    repo = load(tmp_path)
    with pytest.raises(ValueError):
        metrics.compute(repo.incidents, repo.policy, by="team")


def test_metrics_module_does_no_file_io():
    source = Path(metrics.__file__).read_text()
    for forbidden in ("open(", "read_text", "read_bytes", "import os", ".cli", ".site", "datetime.now"):
        assert forbidden not in source, forbidden


def test_quarters_compare_with_the_quarter_before_and_count_per_week(tmp_path):
    repo = load(tmp_path)
    q1, q2 = metrics.compute(repo.incidents, repo.policy, by="quarter")
    # the first quarter has nothing to compare with
    assert all(q1[k] is None for k in ("mttr_change_ratio", "mttr_change_p", "mttr_detectable_ratio", "mttr_trend"))
    # Q2 (D: 300) against Q1 (A: 60, B: 150; C open): ratio 300 / 105;
    # exact Mann-Whitney: the one Q2 value is above both Q1 values, 1 of C(3, 1) = 3 orders -> p = 2/3
    assert q2["mttr_compared_with"] == "2026-Q1"
    assert q2["mttr_change_ratio"] == pytest.approx(300 / 105)
    assert q2["mttr_change_p"] == pytest.approx(2 / 3)
    assert q2["mttr_detectable_ratio"] is None  # Q2 has one value: no spread to pool
    assert q2["mttr_trend"] == "no detectable change"
    # frequency: Q1 = 31 + 28 + 31 = 90 days: 3 incidents -> 3 / (90/7) = 0.2333 a week, Garwood
    # interval for k = 3 is 0.6187 - 8.7673 -> 0.0481 - 0.6819 a week; Q2 = 91 days: 1 / 13 weeks
    assert q1["incidents_per_week"] == pytest.approx(3 * 7 / 90)
    assert q1["incidents_per_week_ci_low"] == pytest.approx(0.6187 * 7 / 90, abs=1e-4)
    assert q1["incidents_per_week_ci_high"] == pytest.approx(8.7673 * 7 / 90, abs=1e-4)
    assert q2["incidents_per_week"] == pytest.approx(1 / 13)


def test_months_compare_with_the_nearest_earlier_month_with_durations(tmp_path):
    # 2026-02 has only C, which is open (no MTTR): April compares with January, not February
    repo = load(tmp_path)
    jan, feb, apr = metrics.compute(repo.incidents, repo.policy, by="month")
    assert feb["mttr_trend"] is None and feb["mttr_change_ratio"] is None
    assert apr["mttr_compared_with"] == "2026-01" and apr["mttr_change_ratio"] == pytest.approx(300 / 105)
    assert metrics.period_days("2026-02") == 28 and metrics.period_days("2024-Q1") == 91
