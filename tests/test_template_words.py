"""Template text is not content: `{pattern: REGEX}` placeholders and `{name, aliases}` sections."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from incidents.gates import check_gates
from incidents.reading.validate import validate_root

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    postmortem: {required: true, due_within: 1d}
roles: [commander]
priorities: [P1, P2]
postmortem:
  required_sections:
    - Summary
    - {name: Timeline, aliases: ["Timeline of events"]}
    - {name: Root Cause, aliases: ["Root cause analysis (5 Whys)"]}
  placeholders:
    - TBD
    - {pattern: '\\[[^\\]]+\\](?!\\()'}
    - {pattern: '<[a-z ]+>'}
"""
INCIDENT = """\
---
id: INC-1
title: Checkout errors
severity: SEV-1
status: resolved
services: [api]
impact: major_outage
started_at: 2026-03-02T10:00:00Z
detected_at: 2026-03-02T10:00:00Z
acknowledged_at: 2026-03-02T10:05:00Z
resolved_at: 2026-03-02T11:00:00Z
updates:
  - {at: 2026-03-02T10:00:00Z, status: investigating, message: "MESSAGE"}
  - {at: 2026-03-02T11:00:00Z, status: resolved, message: Fixed.}
---
"""
POSTMORTEM = """\
---
type: postmortem
incident: INC-1
status: published
date: 2026-03-03
authors: [alice]
action_items:
  - {title: Add a canary, owner: OWNER, due: 2026-03-20, priority: P1, status: open}
---
## Summary

SUMMARY

## Timeline of events

- 10:00 alerts fired; see [the dashboard](https://grafana.example.com/d/1).

### Root cause analysis (5 Whys)

A bad deploy.
"""


def run(tmp_path: Path, message="Investigating.", summary="The API failed.", owner="alice"):
    (tmp_path / "policy").mkdir(exist_ok=True)
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text("services:\n  - id: api\n    name: API\n")
    (tmp_path / "incidents").mkdir(exist_ok=True)
    (tmp_path / "incidents" / "INC-1.md").write_text(INCIDENT.replace("MESSAGE", message))
    pm = POSTMORTEM.replace("SUMMARY", summary).replace("OWNER", owner)
    (tmp_path / "incidents" / "INC-1.postmortem.md").write_text(pm)
    report = validate_root(tmp_path)
    found = list(report.findings) + check_gates(report.repository, datetime.fromisoformat("2026-03-10T00:00:00+00:00"))
    return sorted((f.code, f.line, f.message) for f in found)


def test_a_filled_template_in_the_plan_s_own_headings_is_complete(tmp_path):
    # "Timeline of events" and "Root cause analysis (5 Whys)" count; a Markdown link is not guidance
    assert run(tmp_path) == []


def test_bracketed_guidance_left_in_the_body_is_a_placeholder(tmp_path):
    found = run(tmp_path, summary="[Detailed root cause analysis]")
    assert [(c, line) for c, line, _ in found] == [("postmortem-placeholder", 12)]
    assert "`[Detailed root cause analysis]`" in found[0][2]


def test_bracketed_guidance_left_in_a_front_matter_value_is_a_placeholder(tmp_path):
    found = run(tmp_path, owner='"[Owner name]"')
    # the value is flagged; a YAML flow list such as `authors: [alice]` is not
    assert [(c, line) for c, line, _ in found] == [("postmortem-placeholder", 8)]


def test_angle_bracket_guidance_in_a_public_update_is_never_published(tmp_path):
    found = run(tmp_path, message="Next update at <time>.")
    assert [(c, line) for c, line, _ in found] == [("update-placeholder", 13)]


def test_a_missing_section_names_its_aliases(tmp_path):
    (tmp_path / "x").mkdir()
    found = run(tmp_path)
    assert found == []
    pm = (tmp_path / "incidents" / "INC-1.postmortem.md").read_text().replace("## Timeline of events", "## Events")
    (tmp_path / "incidents" / "INC-1.postmortem.md").write_text(pm)
    report = validate_root(tmp_path)
    gates = check_gates(report.repository, datetime.fromisoformat("2026-03-10T00:00:00+00:00"))
    assert [f.code for f in gates] == ["postmortem-section-missing"]
    assert "`## Timeline` (or `Timeline of events`)" in gates[0].message


def test_omitted_action_items_are_an_error_at_the_postmortem_not_a_missing_postmortem(tmp_path):
    run(tmp_path)
    path = tmp_path / "incidents" / "INC-1.postmortem.md"
    text = path.read_text()
    omitted = "\n".join(line for line in text.split("\n") if "action_items" not in line and "Add a canary" not in line)
    path.write_text(omitted)
    report = validate_root(tmp_path)
    gates = check_gates(report.repository, datetime.fromisoformat("2026-03-10T00:00:00+00:00"))
    assert [(f.path, f.code) for f in report.findings] == [("incidents/INC-1.postmortem.md", "missing-field")]
    assert gates == []  # the postmortem exists: never `postmortem-missing`
    empty = text.replace(
        "action_items:\n  - {title: Add a canary, owner: alice, due: 2026-03-20, priority: P1, status: open}",
        "action_items: []",
    )
    assert empty != text
    path.write_text(empty)
    report = validate_root(tmp_path)
    assert (
        report.findings == ()
        and check_gates(report.repository, datetime.fromisoformat("2026-03-10T00:00:00+00:00")) == []
    )
