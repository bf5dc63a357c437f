"""Each example root's README claims how its plan's statements are held; every claim is replayed here.

The README of each root under examples/policies/ holds a table of the statements its plan makes (counted
from the plan, not from the policy): for every row checked by `validate`/`check`, a record that keeps the
statement exactly at the plan's value must show no finding at all, and one that breaks it just past that
value must show the finding the row names (tests/plan_scenarios.py builds both from the root's policy).
Rows reported by `incidents metrics` are replayed through `metrics.compute`. The README's counts line is
computed from its table, so a README can never claim what the code does not do.

The example roots stay clean: the scenarios are written into a copy of the root's policy/ in a
temporary folder.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from incidents.gates import check_gates
from incidents.policy.policy_file import load_policy
from incidents.reading.validate import validate_root
from incidents.records.durations import deadline
from plan_scenarios import MINUTE, T0, Record, Row, duration, follow, read_rows, scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "policies"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "plans"
PLANS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "policy").is_dir())
ROWS = {plan: read_rows(EXAMPLES / plan / "README.md") for plan in PLANS}
COUNTS = re.compile(r"\*\*(\d+) statements: (\d+) enforced, (\d+) reported by metrics, (\d+) not checkable\.\*\*")


def policy_of(plan: str):
    return load_policy(EXAMPLES / plan).policy


def replay(tmp_path: Path, plan: str, files: dict[str, str], as_of: datetime) -> list[tuple[str, str, str]]:
    """(level, code, message) of every validate and check finding for the scenario records."""
    root = tmp_path / plan
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(EXAMPLES / plan / "policy", root / "policy")
    (root / "incidents").mkdir()
    service = load_policy(root).policy.services[0].id
    for name, text in files.items():
        (root / "incidents" / name).write_text(text.replace("{service}", service), encoding="utf-8")
    report = validate_root(root)
    found = list(report.findings) + check_gates(report.repository, as_of)
    return sorted((f.level, f.code, f"{f.path}:{f.line}: {f.message}") for f in found)


def test_every_example_root_is_clean_under_check():
    for root in sorted(p for p in EXAMPLES.iterdir() if (p / "policy").is_dir()):
        report = validate_root(root)
        assert report.findings == (), (root.name, report.findings)
        assert check_gates(report.repository, datetime.fromisoformat("2027-01-01T00:00:00+00:00")) == [], root.name


# -- the README tables ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", PLANS)
def test_the_readme_counts_come_from_its_statements_table(plan):
    rows = ROWS[plan]
    assert rows, f"{plan}/README.md has no statements table"
    assert [r.number for r in rows] == list(range(1, len(rows) + 1)), "rows are numbered 1, 2, 3..."
    kinds = [r.kind for r in rows]
    want = (len(rows), kinds.count("enforced"), kinds.count("metrics"), kinds.count("not checkable"))
    text = (EXAMPLES / plan / "README.md").read_text(encoding="utf-8")
    found = COUNTS.findall(text)
    assert found == [tuple(str(n) for n in want)], (
        f"{plan}/README.md must say exactly once: **{want[0]} statements: {want[1]} enforced, "
        f"{want[2]} reported by metrics, {want[3]} not checkable.**"
    )
    for row in rows:
        if row.kind == "not checkable":
            assert row.held_by.startswith("not checkable:") and len(row.held_by) > 20, (plan, row.number)
        else:
            assert row.severities, f"{plan} row {row.number}: which severity does it hold?"


def _checked(kind: str):
    return [
        pytest.param(plan, row, sev, id=f"{plan}-{row.number}-{sev}")
        for plan in PLANS
        for row in ROWS[plan]
        if row.kind == kind
        for sev in row.severities
    ]


@pytest.mark.parametrize("plan,row,sev", _checked("enforced"))
def test_each_enforced_statement_is_kept_and_broken(tmp_path, plan, row: Row, sev):
    s = scenario(policy_of(plan), row, sev)
    kept = replay(tmp_path / "keep", plan, s.keep.files(), s.keep.as_of)
    assert kept == [], f"row {row.number} ({row.says}): the record that keeps it is flagged: {kept}"
    broken = replay(tmp_path / "break", plan, s.broken.files(), s.broken.as_of)
    assert s.finding in [code for _level, code, _ in broken], (
        f"row {row.number} ({row.says}): the record that breaks it does not show `{s.finding}`: {broken}"
    )


# -- metrics ------------------------------------------------------------------------------------------------

METRIC_FIELD = {
    "mttr_median_min": None,
    "mtta_median_min": None,
    "mttd_median_min": None,
    "ttc_median_min": None,
    "count": "severity",
    "ack_within_target_pct": "acknowledged",
    "resolve_within_target_pct": "resolved",
    "detect_within_target_pct": "detected",
}


def _metric_records(policy, row: Row, sev: str) -> tuple[Record, Record, object, object]:
    figure = row.check.removeprefix("metric ").strip()
    assert figure in METRIC_FIELD, f"row {row.number}: no metrics scenario for `{figure}`"
    keep, broken = follow(policy, sev, row.tags), follow(policy, sev, row.tags)
    moved = METRIC_FIELD[figure]
    if figure == "mttd_median_min":  # the interval from the start of impact to detection, in minutes
        keep.started, broken.started = T0 - 5 * MINUTE, T0 - 6 * MINUTE
        return keep, broken, 5.0, 6.0
    if moved == "severity":  # counted in its severity's group, not in another's
        broken.severity = next(s.id for s in policy.severities if s.id != sev)
        broken.roles = {role: "alice" for role, _ in policy.required_roles(broken.severity, row.tags)}
        return keep, broken, 1, 0
    if moved is None:  # a figure without a target: reported for a record that has the interval, not otherwise
        broken.resolved, broken.closed, broken.postmortem = None, None, None
        broken.updates = broken.updates[:-1]
        broken.status = broken.updates[-1][1]
        broken.acknowledged = broken.acknowledged if figure != "mtta_median_min" else None
        if figure == "mtta_median_min":
            broken.status = "investigating"
            for u in broken.updates:
                u[1] = "investigating"
        return keep, broken, "a number", None
    target = duration(row.at, policy)
    if moved == "detected":
        keep.started = T0 - (deadline(T0, target) - T0)
        broken.started = keep.started - MINUTE
    elif moved == "acknowledged":
        keep.acknowledged = deadline(T0, target)
        broken.acknowledged = keep.acknowledged + MINUTE
    else:
        start = {"started_at": T0, "detected_at": T0, "acknowledged_at": keep.acknowledged}[policy.mttr_from]
        for rec, extra in ((keep, timedelta(0)), (broken, MINUTE)):
            end = deadline(start, target) + extra
            rec.resolved = end
            rec.updates = [u for u in rec.updates if u[0] < end] + [[end, "resolved", "Fixed."]]
            rec.timeline = [t for t in rec.timeline if t[0] <= end]
            rec.closed = None
    return keep, broken, 100.0, 0.0


@pytest.mark.parametrize("plan,row,sev", _checked("metrics"))
def test_each_metrics_statement_is_reported(tmp_path, plan, row: Row, sev):
    from incidents.metrics.figures import compute

    figure = row.check.removeprefix("metric ").strip()
    policy = policy_of(plan)
    keep, broken, kept_value, broken_value = _metric_records(policy, row, sev)
    values = []
    for name, rec in (("keep", keep), ("break", broken)):
        root = tmp_path / name
        replay(root, plan, rec.files(), rec.as_of)
        report = validate_root(root / plan)
        assert report.repository.incidents, (name, report.findings)
        group = next(g for g in compute(report.repository.incidents, report.repository.policy) if g["key"] == sev)
        values.append(group[figure])
    if kept_value == "a number":
        assert isinstance(values[0], float) and values[1] is None, (row.number, values)
    else:
        assert values == [kept_value, broken_value], (row.number, figure, values)
