"""Escalation steps: `after: 0m` means "immediately" (seed plans say so); other durations stay positive."""

from __future__ import annotations

from datetime import timedelta

from incidents.policy.policy_file import load_policy

POLICY = """\
severities:
  - id: SEV-1
    acknowledge_within: {ack}
    escalation:
      - {{after: 0m, to: On-call engineer}}
      - {{after: 15m, to: Team lead}}
roles: [commander]
"""
SERVICES = "services:\n  - id: api\n    name: API\n"


def _load(tmp_path, ack="5m"):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY.format(ack=ack))
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    return load_policy(tmp_path)


def test_escalation_after_zero_is_immediately(tmp_path):
    loaded = _load(tmp_path)
    assert loaded.findings == ()
    steps = loaded.policy.severity("SEV-1").escalation
    assert [(s.after, s.to) for s in steps] == [
        (timedelta(0), "On-call engineer"),
        (timedelta(minutes=15), "Team lead"),
    ]


def test_a_zero_target_is_still_invalid(tmp_path):
    loaded = _load(tmp_path, ack="0m")
    assert [(f.path, f.line, f.code) for f in loaded.findings] == [("policy/policy.yml", 3, "invalid-duration")]
