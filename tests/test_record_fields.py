"""Record fields of issue 9: status going back, source, postmortem_url, escalations, tags, postmortem
visibility, effective_from and `process_rules_apply`, and instants measured in UTC across DST."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from incidents.cli import cli
from incidents.gates import check_gates
from incidents.policy.policy_file import Policy, process_rules_apply
from incidents.reading.validate import validate_root
from incidents.records.model import Source

SERVICES = "services:\n  - id: api\n    name: API\n"
POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    acknowledge_within: 15m
    resolve_within: 1h
    required_roles: [commander]
    postmortem: {required: true, due_within: 48h}
roles: [commander]
postmortem:
  required_sections: [Summary]
  placeholders: ["TBD"]
"""


def write_root(tmp_path: Path, policy: str, files: dict[str, str]) -> Path:
    (tmp_path / "policy").mkdir(parents=True)
    (tmp_path / "policy" / "policy.yml").write_text(policy, encoding="utf-8")
    (tmp_path / "policy" / "services.yml").write_text(SERVICES, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def incident(inc_id="INC-1", extra="", started="2026-03-01T10:00:00Z", roles="roles: {commander: alice}\n"):
    return (
        f"---\nid: {inc_id}\ntitle: Outage\nseverity: SEV-1\nstatus: resolved\nservices: [api]\n"
        f"impact: major_outage\nstarted_at: {started}\ndetected_at: {started}\n"
        f"acknowledged_at: {started}\nresolved_at: 2026-03-01T11:00:00Z\n{roles}{extra}"
        f"updates:\n  - {{at: {started}, status: investigating, message: Looking.}}\n"
        "  - {at: 2026-03-01T11:00:00Z, status: resolved, message: Fixed.}\n---\n"
    )


class _Rec:
    def __init__(self, started_at, source=None):
        self.started_at, self.source = started_at, source


def test_process_rules_apply_is_the_one_predicate():
    t = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert process_rules_apply(_Rec(t), Policy())
    assert not process_rules_apply(_Rec(t, Source("statuspage", "abc")), Policy())
    pol = Policy(effective_from=date(2026, 1, 1))
    assert process_rules_apply(_Rec(t), pol)  # on the date: applies
    assert not process_rules_apply(_Rec(t - timedelta(seconds=1)), pol)  # just before: structure only
    # The date is compared in UTC: 23:30 at -02:00 on Dec 31 is already Jan 1 in UTC.
    late = datetime(2025, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    assert process_rules_apply(_Rec(late), pol)


def test_imported_and_older_records_skip_the_process_gates(tmp_path):
    root = write_root(
        tmp_path,
        POLICY + "effective_from: 2026-02-01\n",
        {
            "old.md": incident("INC-OLD", started="2026-01-31T23:59:00Z", roles=""),
            "imported.md": incident("INC-IMP", "source: {system: statuspage, id: x1}\n", "2026-03-01T10:00:00Z", ""),
            "new.md": incident("INC-NEW", roles=""),
        },
    )
    report = validate_root(root)
    assert [(f.path, f.code) for f in report.findings] == [("incidents/new.md", "missing-role")]
    root2 = write_root(
        tmp_path / "b",
        POLICY + "effective_from: 2026-02-01\n",
        {
            "old.md": incident("INC-OLD", started="2026-01-31T23:59:00Z"),
            "imported.md": incident("INC-IMP", "source: {system: statuspage, id: x1}\n"),
            "new.md": incident("INC-NEW"),
        },
    )
    repo = validate_root(root2).repository
    gates = check_gates(repo, datetime(2026, 3, 10, tzinfo=UTC))
    assert {(f.path, f.code) for f in gates} == {("incidents/new.md", "postmortem-missing")}


def test_postmortem_url_satisfies_the_requirement(tmp_path):
    root = write_root(
        tmp_path,
        POLICY,
        {
            "a.md": incident("INC-A", "postmortem_url: https://docs.example.com/pm/a\n"),
            "b.md": incident("INC-B"),
        },
    )
    report = validate_root(root)
    assert report.ok, report.findings
    inc = report.repository.incident("INC-A")
    assert inc.postmortem_url == "https://docs.example.com/pm/a"
    gates = check_gates(report.repository, datetime(2026, 3, 10, tzinfo=UTC))
    assert [(f.path, f.code) for f in gates] == [("incidents/b.md", "postmortem-missing")]


def test_record_values_of_the_new_fields(tmp_path):
    extra = (
        "tags: [Security, payments]\nsource: {system: statuspage, id: 42, url: 'https://s.example.com/i/42'}\n"
        "escalations:\n  - {at: 2026-03-01T10:05:00Z, to: VP Engineering}\n"
    )
    root = write_root(
        tmp_path,
        POLICY,
        {
            "a.md": incident("INC-A", extra),
            "a.postmortem.md": "---\ntype: postmortem\nincident: INC-A\nstatus: draft\nauthors: [alice]\n"
            "visibility: public\naction_items: []\n---\n",
            "b.postmortem.md": "---\ntype: postmortem\nincident: INC-B\nstatus: draft\nauthors: [bob]\n"
            "action_items: []\n---\n",
            "b.md": incident("INC-B"),
        },
    )
    report = validate_root(root)
    assert report.ok, report.findings
    repo = report.repository
    inc = repo.incident("INC-A")
    assert inc.source == Source("statuspage", "42", "https://s.example.com/i/42")
    assert inc.has_tag("security") and inc.has_tag("PAYMENTS") and not inc.has_tag("sec")
    assert [(e.to, e.at.isoformat()) for e in inc.escalations] == [("VP Engineering", "2026-03-01T10:05:00+00:00")]
    assert repo.postmortem_for("INC-A").visibility == "public" and repo.postmortem_for("INC-A").is_public
    assert repo.postmortem_for("INC-B").visibility == "internal"


def test_status_going_back_validates_and_keeps_first_timestamps(tmp_path):
    text = (
        "---\nid: INC-1\ntitle: Flapping\nseverity: SEV-1\nstatus: investigating\nservices: [api]\n"
        "impact: major_outage\nstarted_at: 2026-03-01T10:00:00Z\ndetected_at: 2026-03-01T10:00:00Z\n"
        "acknowledged_at: 2026-03-01T10:02:00Z\nmitigated_at: 2026-03-01T10:30:00Z\n"
        "roles: {commander: alice}\nupdates:\n"
        "  - {at: 2026-03-01T10:02:00Z, status: investigating, message: Looking.}\n"
        "  - {at: 2026-03-01T10:30:00Z, status: monitoring, message: Fix deployed.}\n"
        "  - {at: 2026-03-01T10:50:00Z, status: investigating, message: The fix did not hold.}\n---\n"
    )
    report = validate_root(write_root(tmp_path, POLICY, {"a.md": text}))
    assert report.ok, report.findings
    inc = report.repository.incident("INC-1")
    assert inc.status == "investigating" and inc.mitigated_at.minute == 30


DST_POLICY = POLICY.replace("    required_roles: [commander]\n", "") + "assume_timezone: Europe/Berlin\n"


def dst_incident():
    # Spring forward in Berlin: 2026-03-29 02:00 CET -> 03:00 CEST.
    return (
        "---\nid: INC-DST\ntitle: Across the DST change\nseverity: SEV-1\nstatus: resolved\n"
        "services: [api]\nimpact: major_outage\nstarted_at: 2026-03-29T01:50:00\n"
        "detected_at: 2026-03-29T01:50:00\nacknowledged_at: 2026-03-29T03:20:00\n"
        "resolved_at: 2026-03-29T03:50:00\nupdates:\n"
        "  - at: 2026-03-29T01:55:00\n    status: investigating\n    message: Looking.\n"
        "  - at: 2026-03-29T03:50:00\n    status: resolved\n    message: Fixed.\n---\n"
    )


def test_intervals_across_dst_are_real_elapsed_time(tmp_path):
    root = write_root(tmp_path, DST_POLICY, {"dst.md": dst_incident()})
    report = validate_root(root)
    assert report.ok, report.findings
    inc = report.repository.incident("INC-DST")
    assert inc.acknowledged_at - inc.detected_at == timedelta(minutes=30)
    assert inc.resolved_at - inc.started_at == timedelta(minutes=60)
    assert inc.acknowledged_at.utcoffset() == timedelta(hours=2)  # the written wall clock is kept
    result = CliRunner().invoke(cli, ["metrics", "--root", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    group = json.loads(result.output)["groups"][0]
    assert group["mtta_median_min"] == 30 and group["mttr_median_min"] == 60


def test_order_checks_are_in_utc_across_dst(tmp_path):
    # Fall back: 02:50 CEST (00:50Z) then 02:10 CET (01:10Z) is in order although its wall clock is earlier.
    text = (
        dst_incident()
        .replace("2026-03-29T01:50:00", "2026-10-25T00:30:00")
        .replace("acknowledged_at: 2026-03-29T03:20:00", "acknowledged_at: 2026-10-25T02:50:00+02:00")
        .replace("resolved_at: 2026-03-29T03:50:00", "resolved_at: 2026-10-25T02:10:00+01:00")
        .replace("2026-03-29T01:55:00", "2026-10-25T00:40:00")
        .replace("at: 2026-03-29T03:50:00", "at: 2026-10-25T02:10:00+01:00")
    )
    report = validate_root(write_root(tmp_path, DST_POLICY, {"dst.md": text}))
    assert report.ok, report.findings
    inc = report.repository.incident("INC-DST")
    assert inc.resolved_at - inc.acknowledged_at == timedelta(minutes=20)


def test_maintenance_titles_and_public_messages_are_checked_too(tmp_path):
    text = (
        '---\ntype: maintenance\nid: MNT-1\ntitle: "DB\\vupgrade"\nservices: [api]\n'
        "scheduled_start: 2026-03-01T22:00:00Z\nscheduled_end: 2026-03-01T23:00:00Z\nstatus: scheduled\n"
        'updates:\n  - {at: 2026-02-28T10:00:00Z, status: scheduled, message: "Window TBD"}\n---\n'
    )
    report = validate_root(write_root(tmp_path, POLICY, {"m.md": text}))
    assert sorted((f.level, f.code) for f in report.findings) == [
        ("error", "update-placeholder"),
        ("warning", "title-control-character"),
    ]
