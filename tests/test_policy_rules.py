"""The policy as data (load_policy) and the records the rules build (validate_root's Repository)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from incidents.errors import RootError
from incidents.policy.policy_file import load_policy
from incidents.reading.validate import check_root, record_files, validate_root

FINDINGS = Path(__file__).parent / "fixtures" / "findings"
BASE = FINDINGS / "_base"
VALID = (FINDINGS / "valid_incident" / "incidents" / "2026" / "INC-2026-0001.md").read_text()


def root_with(
    tmp_path: Path, policy: str | None = None, services: str | None = None, files: dict[str, str] | None = None
) -> Path:
    root = tmp_path / "root"
    shutil.copytree(BASE / "policy", root / "policy")
    if policy is not None:
        (root / "policy" / "policy.yml").write_text(policy)
    if services is not None:
        (root / "policy" / "services.yml").write_text(services)
    (root / "incidents").mkdir()
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def policy_codes(tmp_path, policy_text: str) -> list[tuple[int, str]]:
    loaded = load_policy(root_with(tmp_path, policy=policy_text))
    return sorted((f.line, f.code) for f in loaded.findings)


# -- the policy as data ------------------------------------------------------------------------------


def test_base_policy_as_data():
    loaded = load_policy(BASE)
    assert loaded.findings == () and loaded.files == 2 and loaded.usable
    p = loaded.policy
    assert p.severity_ids == ("SEV-1", "SEV-2", "SEV-3")
    sev1 = p.severity("SEV-1")
    assert (sev1.rank, sev1.name) == (0, "Critical")
    assert sev1.acknowledge_within == timedelta(minutes=15)
    assert sev1.resolve_within == timedelta(hours=1)
    assert sev1.update_every == timedelta(minutes=30)
    assert sev1.required_roles == ("commander", "comms_lead")
    assert sev1.postmortem_required and sev1.postmortem_due_within == timedelta(hours=48)
    assert p.severity("SEV-3").rank == 2 and p.severity("SEV-3").name == "Minor"
    assert p.severity("SEV-9") is None
    assert p.service_ids == ("api", "web", "payments", "database")
    api = p.service("api")
    assert (api.name, api.group, api.position) == ("Public API", "Core", 0)
    assert p.service("web").group is None
    assert p.roles == ("commander", "comms_lead", "scribe", "security_lead")
    assert p.priorities == ("P1", "P2", "P3")
    assert p.required_sections == ("Summary", "Root Cause")
    assert p.placeholders == ("TBD", "TODO")
    assert p.mttr_from == "started_at" and p.assume_timezone is None
    assert dict(p.roles_for_tags) == {"security": ("security_lead",)}
    assert p.required_roles("SEV-1", ("security", "db")) == (
        ("commander", "severity `SEV-1`"),
        ("comms_lead", "severity `SEV-1`"),
        ("security_lead", "tag `security`"),
    )
    assert p.required_roles("SEV-3", ()) == ()


def test_optional_severity_keys(tmp_path):
    text = (
        (BASE / "policy" / "policy.yml")
        .read_text()
        .replace(
            "    name: Minor\n",
            """\
    name: Minor
    description: Cosmetic
    first_update_within: PT15M
    detect_within: 1w
    update_every: 1.5h
    response: Next business day
    color: "#888888"
    escalation:
      - {after: P1D, to: Engineering manager}
      - {after: 2d, to: CTO}
""",
        )
    )
    loaded = load_policy(root_with(tmp_path, policy=text))
    assert loaded.findings == ()
    sev = loaded.policy.severity("SEV-3")
    assert sev.first_update_within == timedelta(minutes=15)
    assert sev.detect_within == timedelta(weeks=1)
    assert sev.update_every == timedelta(minutes=90)
    assert (sev.description, sev.response, sev.color) == ("Cosmetic", "Next business day", "#888888")
    assert [(e.after, e.to) for e in sev.escalation] == [
        (timedelta(days=1), "Engineering manager"),
        (timedelta(days=2), "CTO"),
    ]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("acknowledge_within: 15m", "acknowledge_within: 15 minutes", [(5, "invalid-duration")]),
        (
            "acknowledge_within: 15m",
            "acknowledge_within: P1M",
            [(5, "invalid-duration")],
        ),  # months have no fixed length
        ("acknowledge_within: 15m", "acknowledge_within: 0m", [(5, "invalid-duration")]),
        ("acknowledge_within: 15m", "acknowledge_within: 15", [(5, "invalid-duration")]),
        ("acknowledge_within: 15m", "acknowledge_within: [15m]", [(5, "invalid-duration")]),
        (
            "postmortem: {required: true, due_within: 48h}",
            "postmortem: {required: true, due_within: }",
            [(9, "postmortem-never-due")],
        ),
        (
            "postmortem: {required: true, due_within: 48h}",
            "postmortem: {required: 'yes', due_within: 48h}",
            [(9, "wrong-type")],
        ),
        ("roles: [commander, comms_lead, scribe, security_lead]", "roles: commander", [(17, "wrong-type")]),
        ("  security: [security_lead]", "  security: [security_led]", [(20, "unknown-role")]),
        ("  security: [security_lead]", "  security: []", [(20, "empty-value")]),
        ("severities:", "severities: []\nold_severities:", [(2, "empty-value"), (3, "unknown-field")]),
        ("    name: Major\n", "    name: Major\n    colour: red\n", [(12, "unknown-field")]),
        ("mttr_from: started_at", "mttr_from: resolved", [(25, "invalid-value")]),
        ("assume_timezone: null", "assume_timezone: Europe/Berlin", []),
        ("assume_timezone: null", "assume_timezone: +02:00", [(26, "invalid-timezone")]),
        ("  - id: SEV-2\n", "  - id: yes\n", [(10, "unquoted-boolean")]),
        ("  - id: SEV-2\n    name: Major\n", "  - name: Major\n", [(1, "missing-field")]),  # missing: line 1
    ],
)
def test_policy_findings(tmp_path, old, new, expected):
    text = (BASE / "policy" / "policy.yml").read_text()
    assert old in text
    assert policy_codes(tmp_path, text.replace(old, new, 1)) == expected


def test_missing_and_broken_policy_files(tmp_path):
    root = root_with(tmp_path)
    (root / "policy" / "services.yml").unlink()
    loaded = load_policy(root)
    assert [(f.path, f.code) for f in loaded.findings] == [("policy/services.yml", "policy-missing")]
    assert loaded.usable and loaded.files == 1 and loaded.policy.services == ()
    (root / "policy" / "policy.yml").write_text("severities: [\n")
    loaded = load_policy(root)
    assert not loaded.usable
    assert [f.code for f in loaded.findings] == ["yaml-syntax", "policy-missing"]


def test_assume_timezone_applies_to_naive_timestamps(tmp_path):
    text = (
        (BASE / "policy" / "policy.yml").read_text().replace("assume_timezone: null", "assume_timezone: Europe/Berlin")
    )
    incident = VALID.replace("started_at: 2026-02-10T14:00:00Z", "started_at: 2026-02-10T14:00:00")
    report = validate_root(root_with(tmp_path, policy=text, files={"incidents/a.md": incident}))
    assert report.findings == ()
    inc = report.repository.incidents[0]
    assert inc.started_at.utcoffset() == timedelta(hours=1)
    assert inc.started_at.astimezone(UTC) == datetime(2026, 2, 10, 13, 0, tzinfo=UTC)


# -- records -------------------------------------------------------------------------------------


def test_records_of_a_valid_root(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FINDINGS / "valid_all_types", root, ignore=shutil.ignore_patterns("expected.json"))
    shutil.copytree(BASE / "policy", root / "policy")
    report = validate_root(root)
    assert report.ok and report.findings == () and report.files == 5
    repo = report.repository
    [inc] = repo.incidents
    assert inc.id == "INC-2026-0001" and inc.severity == "SEV-2" and inc.status == "resolved"
    assert inc.services == ("api",) and dict(inc.impact) == {"api": "degraded_performance"}
    assert inc.started_at == datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
    assert inc.resolved_at == datetime(2026, 2, 10, 15, 0, tzinfo=UTC)
    assert inc.identified_at is None and inc.mitigated_at is None
    assert dict(inc.roles) == {"commander": "alice"}
    assert [(u.status, u.line) for u in inc.updates] == [("investigating", 15), ("resolved", 18)]
    assert inc.visibility == "public" and inc.tags == ()
    assert inc.body == "A cache node ran out of memory.\n" and inc.body_line == 22
    assert inc.lines.path == "incidents/2026/INC-2026-0001.md"
    assert inc.lines.of("severity") == 4 and inc.lines.of("updates") == 14 and inc.lines.of("timeline") == 1
    assert repo.incident("INC-2026-0001") is inc and repo.incident("nope") is None
    pm = repo.postmortem_for("INC-2026-0001")
    assert pm.status == "published" and pm.authors == ("alice",) and pm.date == date(2026, 2, 12)
    [item] = pm.action_items
    assert (item.title, item.owner, item.due, item.priority, item.status, item.link) == (
        "Alert on cache memory",
        "bob",
        date(2026, 3, 1),
        "P2",
        "open",
        "https://tracker.example.com/OPS-1",
    )
    assert "## Root Cause" in pm.body
    [mnt] = repo.maintenances
    assert mnt.id == "MNT-2026-0001" and mnt.services == ("database",) and mnt.status == "completed"
    assert mnt.scheduled_end - mnt.scheduled_start == timedelta(hours=2)


def test_offsets_are_kept_and_impact_map_covers_every_service(tmp_path):
    incident = (
        VALID.replace("services: [api]", "services: [api, web, payments]")
        .replace("impact: degraded_performance", "impact: {web: major_outage, api: partial_outage}")
        .replace("detected_at: 2026-02-10T14:05:00Z", "detected_at: 2026-02-10T16:05:00+02:00")
        .replace(
            "  commander: alice",
            "  commander: alice\ntags: [db, 2024]\ntimeline:\n  - {at: 2026-02-10T14:01:00Z, event: Paged}",
        )
    )
    report = validate_root(root_with(tmp_path, files={"incidents/a.md": incident}))
    assert [f.code for f in report.findings] == ["impact-incomplete"]
    [inc] = report.repository.incidents
    assert dict(inc.impact) == {"api": "partial_outage", "web": "major_outage", "payments": "degraded_performance"}
    assert list(inc.impact) == ["api", "web", "payments"]  # in the order of `services`
    assert inc.detected_at.utcoffset() == timedelta(hours=2)
    assert inc.tags == ("db", "2024")
    assert [(t.event, t.line) for t in inc.timeline] == [("Paged", 16)]


def test_records_with_errors_are_left_out(tmp_path):
    bad = VALID.replace("id: INC-2026-0001", "id: INC-2026-0002").replace("services: [api]", "services: [nope]")
    warn = VALID.replace("id: INC-2026-0001", "id: INC-2026-0003").replace(
        "  commander: alice", "  commander: alice\nsevrity: x"
    )
    report = validate_root(
        root_with(tmp_path, files={"incidents/a.md": VALID, "incidents/b.md": bad, "incidents/c.md": warn})
    )
    assert [(f.path, f.code) for f in report.findings] == [
        ("incidents/b.md", "unknown-service"),
        ("incidents/c.md", "unknown-field"),
    ]
    assert [i.id for i in report.repository.incidents] == ["INC-2026-0001", "INC-2026-0003"]
    assert (report.errors, report.warnings, report.ok) == (1, 1, False)


def test_duplicate_ids_drop_both_files_records_but_the_first(tmp_path):
    report = validate_root(root_with(tmp_path, files={"incidents/a.md": VALID, "incidents/b.md": VALID}))
    assert [(f.path, f.code) for f in report.findings] == [("incidents/b.md", "duplicate-id")]
    assert [i.path for i in report.repository.incidents] == ["incidents/a.md"]


def test_record_files_and_check_root(tmp_path):
    root = root_with(
        tmp_path,
        files={
            "incidents/2026/b.md": VALID,
            "incidents/a.md": VALID,
            "incidents/README.md": "x",
            "incidents/_draft.md": "x",
            "incidents/notes.txt": "x",
            "incidents/.hidden/c.md": "x",
            "incidents/sub/README.md": "x",
            "incidents/sub/_x.md": "x",
            "incidents/sub/readme.md.bak": "x",
        },
    )
    assert record_files(root) == ["incidents/2026/b.md", "incidents/a.md"]
    assert check_root(root) == root
    with pytest.raises(RootError):
        check_root(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RootError):
        check_root(tmp_path / "empty")
    with pytest.raises(RootError):
        validate_root(tmp_path / "empty")


def test_numeric_service_ids_are_their_text(tmp_path):
    services = (BASE / "policy" / "services.yml").read_text() + "  - id: 2024\n    name: Numbered\n"
    incident = VALID.replace("services: [api]", "services: [api, 2024]").replace(
        "impact: degraded_performance", "impact: {api: major_outage, 2024: partial_outage}"
    )
    report = validate_root(root_with(tmp_path, services=services, files={"incidents/a.md": incident}))
    assert report.findings == ()
    [inc] = report.repository.incidents
    assert inc.services == ("api", "2024")
    assert dict(inc.impact) == {"api": "major_outage", "2024": "partial_outage"}
    assert report.repository.policy.service("2024").name == "Numbered"
