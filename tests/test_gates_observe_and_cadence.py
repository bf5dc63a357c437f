"""Issue 21's engine: cadences measured up to resolved_at, the observation after resolution
(observe_for / closed_at), and the time gates of a record that has validate errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incidents.gates import check_gates
from incidents.reading.validate import validate_root
from test_gates_response import POLICY, SERVICES, codes, gates, incident, ts

SECOND = timedelta(seconds=1)
OBSERVING = POLICY.replace("    monitor_for: 24h\n", "    observe_for: 24h\n")
RESOLVED = dict(
    status="resolved",
    acknowledged="2026-03-02T10:05:00Z",
    resolved="2026-03-02T10:30:00Z",
    updates=[("2026-03-02T10:00:00Z", "investigating"), ("2026-03-02T10:30:00Z", "resolved")],
    timeline=[("2026-03-02T10:00:00Z", "paged"), ("2026-03-02T10:15:00Z", "rolled back")],
    escalations=[("2026-03-02T10:00:00Z", "Incident commander")],
)


# -- cadences up to resolved_at -------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["public", "internal"])
def test_a_resolved_incident_with_no_timeline_missed_the_internal_cadence(tmp_path, visibility):
    text = incident(visibility=visibility, **{**RESOLVED, "timeline": ()})
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"), policy=OBSERVING.replace("observe_for: 24h", "x: 1"))
    assert codes(found, "timeline-gap", "timeline-overdue") == [("warning", "timeline-gap")]


@pytest.mark.parametrize(
    "last,expected", [("2026-03-02T10:15:00Z", []), ("2026-03-02T10:14:59Z", [("warning", "timeline-gap")])]
)
def test_a_timeline_that_fell_silent_before_resolution_missed_it(tmp_path, last, expected):
    # 15m cadence; resolved at 10:30: the last entry must be at 10:15 or later
    text = incident(**{**RESOLVED, "timeline": [("2026-03-02T10:00:00Z", "paged"), (last, "rolled back")]})
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"))
    assert codes(found, "timeline-gap") == expected


def test_an_internal_incident_with_nothing_logged_is_overdue_while_open(tmp_path):
    text = incident(visibility="internal", **{"escalations": [("2026-03-02T10:00:00Z", "Incident commander")]})
    found = gates(tmp_path, text, ts("2026-03-02T10:15:01Z"))
    assert codes(found, "timeline-overdue", "update-overdue") == [("error", "timeline-overdue")]


def test_the_public_cadence_is_measured_up_to_resolution(tmp_path):
    # 30m public cadence: an update at 10:00, resolved at 11:00 with a final update: a 60-minute gap
    text = incident(
        **{
            **RESOLVED,
            "resolved": "2026-03-02T11:00:00Z",
            "updates": [("2026-03-02T10:00:00Z", "investigating"), ("2026-03-02T11:00:00Z", "resolved")],
            "timeline": [(f"2026-03-02T10:{m:02d}:00Z", "note") for m in (0, 15, 30, 45)]
            + [("2026-03-02T11:00:00Z", "done")],
        }
    )
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"))
    assert codes(found, "update-gap", "timeline-gap") == [("warning", "update-gap")]


# -- observe_for / closed_at ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset,expected", [(timedelta(0), []), (SECOND, [("error", "close-overdue")])])
def test_not_closed_once_the_observation_has_passed(tmp_path, offset, expected):
    found = gates(tmp_path, incident(**RESOLVED), ts("2026-03-03T10:30:00Z") + offset, policy=OBSERVING)
    assert codes(found, "close-overdue", "close-late", "observe-short") == expected


@pytest.mark.parametrize(
    "closed,expected",
    [
        ("2026-03-03T10:29:59Z", [("warning", "observe-short")]),
        ("2026-03-03T10:30:00Z", []),
        ("2026-03-03T10:30:01Z", [("warning", "close-late")]),
    ],
)
def test_closed_at_against_observe_for(tmp_path, closed, expected):
    text = incident(**RESOLVED, extra=f"closed_at: {closed}")
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"), policy=OBSERVING)
    assert codes(found, "close-overdue", "close-late", "observe-short") == expected


def test_the_observation_is_logged_in_the_timeline_until_closed(tmp_path):
    # timeline entries after resolved_at (until closed_at) are valid and do not count as cadence gaps
    watch = [(f"2026-03-03T{h:02d}:00:00Z", "stable") for h in (0, 8)]
    text = incident(**{**RESOLVED, "timeline": RESOLVED["timeline"] + watch}, extra="closed_at: 2026-03-03T10:30:00Z")
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"), policy=OBSERVING)
    assert found == []


def test_mttr_ignores_the_observation_and_time_to_close_reports_it(tmp_path):
    from incidents.metrics.figures import compute

    text = incident(**RESOLVED, extra="closed_at: 2026-03-03T10:30:00Z")
    gates(tmp_path, text, ts("2026-03-10T00:00:00Z"), policy=OBSERVING)
    repo = validate_root(tmp_path).repository
    sev1 = compute(repo.incidents, repo.policy)[0]
    assert sev1["mttr_median_min"] == 30.0 and sev1["ttc_median_min"] == 30.0 + 24 * 60 and sev1["ttc_n"] == 1


# -- time gates despite validate errors ---------------------------------------------------------------------


def _check(tmp_path: Path, text: str, as_of: str, policy: str = POLICY):
    (tmp_path / "policy").mkdir(exist_ok=True)
    (tmp_path / "policy" / "policy.yml").write_text(policy)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents").mkdir(exist_ok=True)
    (tmp_path / "incidents" / "INC-1.md").write_text(text)
    report = validate_root(tmp_path)
    return report, sorted((f.level, f.code) for f in check_gates(report.repository, ts(as_of)))


def test_an_open_sev1_with_a_missing_role_is_also_not_acknowledged(tmp_path):
    policy = POLICY.replace("    monitor_for: 24h\n", "    monitor_for: 24h\n    required_roles: [commander]\n")
    text = incident(updates=[("2026-03-02T10:00:00Z", "investigating")])
    report, found = _check(tmp_path, text, "2026-03-02T13:00:00Z", policy)
    assert [f.code for f in report.findings] == ["missing-role"]
    assert report.repository.incidents == ()  # never a record of the repository: metrics and the site skip it
    assert codes(found, "ack-overdue", "update-overdue", "timeline-overdue", "escalation-overdue") == [
        ("error", "ack-overdue"),
        ("error", "escalation-overdue"),  # the step at once
        ("error", "escalation-overdue"),  # the step after 30 minutes
        ("error", "timeline-overdue"),
        ("error", "update-overdue"),
    ]


def test_a_record_missing_what_the_gates_need_is_not_gated(tmp_path):
    text = incident().replace("detected_at: 2026-03-02T10:00:00Z\n", "")
    report, found = _check(tmp_path, text, "2026-03-02T13:00:00Z")
    assert not report.ok and found == []


def test_check_command_gates_an_invalid_record_with_and_without_the_cache(tmp_path):
    from click.testing import CliRunner

    from incidents.cli import cli

    policy = POLICY.replace("    monitor_for: 24h\n", "    monitor_for: 24h\n    required_roles: [commander]\n")
    _check(tmp_path, incident(updates=[("2026-03-02T10:00:00Z", "investigating")]), "2026-03-02T13:00:00Z", policy)
    outputs = []
    for extra in (
        ["--no-cache"],
        ["--cache-dir", str(tmp_path.parent / "cache")],
        ["--cache-dir", str(tmp_path.parent / "cache")],
    ):
        result = CliRunner().invoke(cli, ["check", "--root", str(tmp_path), "--as-of", "2026-03-02T13:00:00Z", *extra])
        assert result.exit_code == 1
        assert "missing-role" in result.output and "ack-overdue" in result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1] == outputs[2]
