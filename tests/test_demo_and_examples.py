"""The shipped demo repository and every example policy root validate clean.

These roots are what a new user runs first (`make demo`) and what each seed
incident-response plan looks like as policy-as-code; a finding in any of them
is a regression in the data or in the rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.reading.validate import validate_root

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples" / "policies").glob("*") if (p / "policy").is_dir())
SEED_PLANS = ("nerf-edge-kit", "pipeline-guard", "smartbeak", "noa-server", "subjunctive-practice")


def _show(report) -> str:
    return "\n".join(f"{f.path}:{f.line}:{f.column}: {f.level} {f.code} {f.message}" for f in report.findings)


def test_demo_validates_clean():
    report = validate_root(ROOT)
    assert report.findings == (), _show(report)


def test_demo_is_a_realistic_year():
    repo = validate_root(ROOT).repository
    incidents = repo.incidents
    assert len(incidents) >= 25
    months = {i.started_at.astimezone().strftime("%Y-%m") for i in incidents}
    assert len(months) >= 12
    assert {i.severity for i in incidents} == set(repo.policy.severity_ids)
    assert {s for i in incidents for s in i.services} == set(repo.policy.service_ids)
    assert any(len(set(i.impact.values())) > 1 for i in incidents), "a per-service impact map"
    assert any(i.started_at.utcoffset().total_seconds() != 0 for i in incidents), "an offset other than Z"
    assert any(not i.is_public for i in incidents), "an internal incident"
    assert any(i.is_open for i in incidents), "an open incident"
    assert {p.status for p in repo.postmortems} == {"draft", "in_review", "published"}
    statuses = {a.status for p in repo.postmortems for a in p.action_items}
    assert {"open", "done"} <= statuses
    assert len(repo.maintenances) >= 2


def test_every_seed_plan_has_an_example_root():
    assert {p.name for p in EXAMPLES} >= set(SEED_PLANS)


@pytest.mark.parametrize("root", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_policy_validates_with_its_incidents(root):
    report = validate_root(root)
    assert report.findings == (), _show(report)
    repo = report.repository
    assert 2 <= len(repo.incidents) <= 4
    assert len(repo.policy.severities) >= 4
    # Each plan states response targets and an update cadence for its top severity (on the status page
    # or in the war room: each cadence holds its own channel).
    top = repo.policy.severities[0]
    assert top.acknowledge_within is not None
    assert top.update_every is not None or top.internal_update_every is not None
    assert top.required_roles
