"""`incidents schema`: a valid draft 2020-12 JSON Schema whose enums follow the policy, which accepts
the records validate accepts and rejects what it can express of the errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.policy.policy_file import load_policy
from incidents.policy.schema import front_matter_schema
from incidents.reading.validate import record_files
from incidents.records.source import read_record

FINDINGS = Path(__file__).parent / "fixtures" / "findings"
REPO = Path(__file__).resolve().parent.parent
INCIDENT = "incidents/2026/INC-2026-0001.md"


def base_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "incidents").mkdir(parents=True)
    shutil.copytree(FINDINGS / "_base" / "policy", root / "policy")
    return root


def schema_of(root: Path, kind: str = "incident") -> dict:
    result = CliRunner().invoke(cli, ["schema", "--root", str(root), "--kind", kind], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def front_matter(path: Path) -> dict:
    src, findings = read_record(path.read_bytes(), "x.md")
    assert src is not None, findings
    return src.front_matter.data


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("kind", ["incident", "postmortem", "maintenance"])
def test_schema_is_valid_draft_2020_12(tmp_path, kind):
    schema = schema_of(base_root(tmp_path), kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_enums_follow_the_policy(tmp_path):
    root = base_root(tmp_path)
    schema = schema_of(root)
    props = schema["properties"]
    assert props["severity"]["enum"] == ["SEV-1", "SEV-2", "SEV-3"]
    assert props["services"]["items"]["enum"] == ["api", "web", "payments", "database"]
    assert props["roles"]["propertyNames"]["enum"] == ["commander", "comms_lead", "scribe", "security_lead"]
    assert props["status"]["enum"] == ["investigating", "identified", "monitoring", "resolved"]
    assert sorted(schema["required"]) == sorted(
        ["id", "title", "severity", "status", "services", "impact", "started_at", "detected_at"]
    )
    pm = schema_of(root, "postmortem")
    assert pm["properties"]["action_items"]["items"]["properties"]["priority"]["enum"] == ["P1", "P2", "P3"]

    # Another policy, other enums.
    policy = (root / "policy" / "policy.yml").read_text()
    (root / "policy" / "policy.yml").write_text(
        policy.replace("id: SEV-3", "id: P4").replace(
            "roles: [commander, comms_lead, scribe, security_lead]", "roles: [commander, comms_lead, security_lead, ic]"
        )
    )
    (root / "policy" / "services.yml").write_text("services:\n  - {id: checkout, name: Checkout}\n")
    props = schema_of(root)["properties"]
    assert props["severity"]["enum"] == ["SEV-1", "SEV-2", "P4"]
    assert props["services"]["items"]["enum"] == ["checkout"]
    assert props["roles"]["propertyNames"]["enum"] == ["commander", "comms_lead", "security_lead", "ic"]


@pytest.mark.parametrize(
    "case",
    [
        "valid_incident",
        "investigating_without_ack",
        "internal_without_updates",
        "bom_crlf_valid",
        "impact_map_incomplete",
        "plain_numbers_as_text",
    ],
)
def test_valid_incidents_validate(tmp_path, case):
    errors = list(validator(schema_of(base_root(tmp_path))).iter_errors(front_matter(FINDINGS / case / INCIDENT)))
    assert errors == []


@pytest.mark.parametrize(
    "case",
    [
        "unknown_severity",
        "unknown_service",
        "missing_fields",
        "resolved_at_while_open",
        "identified_without_ack",
        "resolved_without_resolved_at",
        "public_without_updates",
        "required_role_missing",
        "roles_for_tags_missing",
        "invalid_id",
        "naive_timestamp",
        "text_too_long",
        "unknown_status",
        "unknown_impact",
        "duplicate_service",
        "impact_map_unknown_service",
        "key_typo",
        "invalid_visibility",
        "unknown_role_in_incident",
        "wrong_types",
        "date_without_time",
        "yaml11_booleans_in_text",
    ],
)
def test_invalid_incidents_do_not_validate(tmp_path, case):
    data = front_matter(FINDINGS / case / INCIDENT)
    assert list(validator(schema_of(base_root(tmp_path))).iter_errors(data)), case


def test_unknown_severity_is_reported_at_severity(tmp_path):
    data = front_matter(FINDINGS / "unknown_severity" / INCIDENT)
    errors = list(validator(schema_of(base_root(tmp_path))).iter_errors(data))
    assert [e.json_path for e in errors] == ["$.severity"]


def test_valid_postmortem_and_maintenance_validate(tmp_path):
    root = base_root(tmp_path)
    case = FINDINGS / "valid_all_types"
    pm = front_matter(case / "incidents/2026/INC-2026-0001.postmortem.md")
    mnt = front_matter(case / "incidents/maintenance/MNT-2026-0001.md")
    assert list(validator(schema_of(root, "postmortem")).iter_errors(pm)) == []
    assert list(validator(schema_of(root, "maintenance")).iter_errors(mnt)) == []
    bad = front_matter(FINDINGS / "postmortem_bad_action_item" / "incidents/2026/INC-2026-0001.postmortem.md")
    assert list(validator(schema_of(root, "postmortem")).iter_errors(bad))
    no_date = front_matter(
        FINDINGS / "postmortem_published_without_date" / "incidents/2026/INC-2026-0001.postmortem.md"
    )
    assert list(validator(schema_of(root, "postmortem")).iter_errors(no_date))


def test_assume_timezone_allows_naive_timestamps(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(FINDINGS / "naive_timestamp_assume_utc", root)
    data = front_matter(root / INCIDENT)
    assert list(validator(schema_of(root)).iter_errors(data)) == []


@pytest.mark.parametrize(
    "root",
    ["."]
    + [
        f"examples/policies/{p.name}"
        for p in sorted((REPO / "examples" / "policies").glob("*"))
        if (p / "policy").is_dir()
    ],
)
def test_every_demo_and_example_record_validates_against_its_schema(root):
    root_path = REPO / root
    if not (root_path / "policy" / "policy.yml").is_file():
        pytest.skip("no demo policy here")
    schemas = {
        kind: front_matter_schema(load_policy(root_path).policy, kind)
        for kind in ("incident", "postmortem", "maintenance")
    }
    files = record_files(root_path)
    assert files
    for rel in files:
        data = front_matter(root_path / rel)
        errors = list(validator(schemas[data.get("type", "incident")]).iter_errors(data))
        assert errors == [], (rel, [e.message for e in errors])


def test_schema_missing_root_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["schema", "--root", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# -- timestamps are real date-times, as validate reads them ----------------------------------


def _incident(**changes) -> dict:
    data = front_matter(FINDINGS / "valid_incident" / INCIDENT)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30T10:00:00Z",  # 30 February
        "2026-02-29T10:00:00Z",  # 2026 is not a leap year
        "2100-02-29T10:00:00Z",  # a century not divisible by 400
        "2026-04-31T10:00:00Z",  # April has 30 days
        "2026-13-01T10:00:00Z",  # month 13
        "2026-01-10T25:00:00Z",  # hour 25
        "2026-01-10T24:00:00Z",
        "2026-01-10T10:60:00Z",
        "2026-01-10T10:00:61Z",
        "2026-01-10T10:00:00+25:00",
        "2026-01-10T10:00:00",  # no offset
    ],
)
def test_schema_rejects_what_validate_rejects_as_a_timestamp(tmp_path, value):
    from incidents.records.timestamps import TimestampError, parse_timestamp

    with pytest.raises(TimestampError):
        parse_timestamp(value)
    schema = schema_of(base_root(tmp_path))
    assert schema["properties"]["detected_at"]["format"] == "date-time"
    errors = list(validator(schema).iter_errors(_incident(detected_at=value)))
    assert errors and {e.json_path for e in errors} == {"$.detected_at"}, value


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-29T10:00:00Z",
        "2000-02-29T10:00:00Z",
        "2026-12-31T23:59:59+14:00",
        "2026-01-10T10:00:00.250-05:30",
        "2026-01-31t10:00:00z",
    ],
)
def test_schema_accepts_real_date_times(tmp_path, value):
    from incidents.records.timestamps import parse_timestamp

    parse_timestamp(value)
    data = _incident(started_at="2000-01-01T00:00:00Z", detected_at=value)
    assert list(validator(schema_of(base_root(tmp_path))).iter_errors(data)) == []


def test_format_checking_is_real():
    """The date-time format is checked by jsonschema here (rfc3339-validator is installed), not skipped."""
    checker = jsonschema.FormatChecker()
    assert not checker.conforms("2026-01-10T10:00:00", "date-time")
    assert checker.conforms("2026-01-10T10:00:00Z", "date-time")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-02-29", "2026-00-10", "2026-1-10"])
def test_schema_dates_are_real(tmp_path, value):
    pm = front_matter(FINDINGS / "valid_all_types" / "incidents/2026/INC-2026-0001.postmortem.md")
    pm["date"] = value
    errors = list(validator(schema_of(base_root(tmp_path), "postmortem")).iter_errors(pm))
    assert errors and errors[0].json_path == "$.date"


def test_schema_knows_every_field_validate_accepts(tmp_path):
    from incidents.rules.incident import INCIDENT_KEYS
    from incidents.rules.maintenance import MAINTENANCE_KEYS
    from incidents.rules.postmortem import POSTMORTEM_KEYS

    root = base_root(tmp_path)
    for kind, keys in (("incident", INCIDENT_KEYS), ("postmortem", POSTMORTEM_KEYS), ("maintenance", MAINTENANCE_KEYS)):
        props = schema_of(root, kind)["properties"]
        assert set(keys) <= set(props), (kind, sorted(set(keys) - set(props)))


def test_imported_and_escalated_records_validate_against_the_schema(tmp_path):
    data = _incident(
        escalations=[{"at": "2026-01-10T10:30:00Z", "to": "VP Engineering"}],
        source={"system": "statuspage", "id": "abc123", "url": "https://status.example.com/incidents/abc123"},
        postmortem_url="https://docs.example.com/pm/1",
    )
    data.pop("roles", None)  # imported: required roles do not apply
    assert list(validator(schema_of(base_root(tmp_path))).iter_errors(data)) == []
