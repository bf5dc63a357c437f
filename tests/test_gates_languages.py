"""The policy's `languages: [en, de]` in `incidents check`: an open public incident's update without every
listed translation is an error (`translation-missing`), a warning once resolved (`translation-missed`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from incidents.gates import check_gates
from incidents.reading.validate import validate_root

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = """\
severities:
  - id: SEV-3
    name: Minor
roles: [commander]
languages: [en, de, pt_BR]
"""
SERVICES = "services:\n  - id: api\n    name: API\n"


def record(inc_id: str, *, status: str = "investigating", translations: str = "", extra: str = "") -> str:
    resolved = (
        "resolved_at: 2026-03-01T11:00:00Z\nacknowledged_at: 2026-03-01T10:01:00Z\n" if status == "resolved" else ""
    )
    return (
        f"---\nid: {inc_id}\ntitle: Slow API\nseverity: SEV-3\nstatus: {status}\nservices: [api]\n"
        "impact: degraded_performance\nstarted_at: 2026-03-01T10:00:00Z\ndetected_at: 2026-03-01T10:00:00Z\n"
        f"{resolved}{extra}updates:\n"
        f"  - at: 2026-03-01T10:05:00Z\n    status: {status}\n    message: We are looking into it.\n"
        f"{translations}---\n"
    )


def gate(tmp_path: Path, text: str, policy: str = POLICY) -> list:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(policy)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "INC-1.md").write_text(text)
    report = validate_root(tmp_path, cache=False)
    assert not report.errors, [f.as_dict() for f in report.findings]
    return [f for f in check_gates(report.repository, AS_OF) if f.code.startswith("translation-")]


def test_open_incident_without_a_listed_translation_is_an_error(tmp_path):
    found = gate(tmp_path, record("INC-1", translations="    translations: {de: Wir schauen nach.}\n"))
    assert [(f.level, f.code, f.line) for f in found] == [("error", "translation-missing", 11)]  # the update's line
    assert "INC-1" in found[0].message and "`pt_BR`" in found[0].message and "`de`" not in found[0].message


def test_every_translation_present_is_clean(tmp_path):
    text = record("INC-1", translations="    translations: {de: Wir schauen nach., pt-BR: Estamos verificando.}\n")
    assert gate(tmp_path, text) == []  # pt-BR and pt_BR name the same language


def test_resolved_incident_missing_one_is_a_warning(tmp_path):
    found = gate(tmp_path, record("INC-1", status="resolved"))
    assert [(f.level, f.code) for f in found] == [("warning", "translation-missed")]
    assert "`de`, `pt_BR`" in found[0].message


def test_internal_incidents_and_a_single_language_are_not_gated(tmp_path):
    assert gate(tmp_path, record("INC-1", extra="visibility: internal\n")) == []


def test_one_language_asks_for_nothing(tmp_path):
    assert gate(tmp_path, record("INC-1"), POLICY.replace("[en, de, pt_BR]", "[en]")) == []


def test_translations_reach_the_record(tmp_path):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "INC-1.md").write_text(
        record("INC-1", translations="    translations: {de: Wir schauen nach.}\n")
    )
    inc = validate_root(tmp_path, cache=False).repository.incidents[0]
    assert dict(inc.updates[0].translations) == {"de": "Wir schauen nach."}
