"""The policy page shows every rule the policy holds: cadences, monitoring, optional updates, the
process rules and the working calendar (no mkdocs build: the page context alone)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from incidents.mkdocs_plugin.i18n import Words
from incidents.mkdocs_plugin.policy_page import policy_context
from incidents.policy.policy_file import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def _context(example: str) -> dict:
    loaded = load_policy(EXAMPLES / example)
    assert not [f for f in loaded.findings if f.level == "error"]
    return policy_context(SimpleNamespace(policy=loaded.policy, words=Words()))


def test_severity_rows_show_internal_cadence_and_observation():
    ctx = _context("pipeline-guard")
    sev1 = dict(ctx["severities"][0]["targets"])
    assert sev1["Internal timeline entries at least every"] == "15m"
    assert sev1["Public updates at least every"] == "30m"
    assert sev1["Observe after resolving, then close, at least"] == "1d"
    sev2 = dict(ctx["severities"][1]["targets"])
    assert "business" in sev2["Internal timeline entries at least every"]


def test_process_rules_show_the_working_calendar():
    rows = dict(_context("pipeline-guard")["process"])
    assert rows["Business hours (for business durations)"] == (
        "09:00-17:00 UTC, Monday, Tuesday, Wednesday, Thursday, Friday"
    )


def test_a_policy_without_process_keys_has_no_process_rows(tmp_path):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(
        "severities:\n  - id: SEV-1\n    name: Critical\nroles: [commander]\n"
    )
    (tmp_path / "policy" / "services.yml").write_text("services:\n  - id: api\n    name: API\n")
    ctx = policy_context(SimpleNamespace(policy=load_policy(tmp_path).policy, words=Words()))
    assert ctx["process"] == [("Postmortem author", "commander")]
    assert ctx["severities"][0]["targets"] == []
