"""Each seed plan's statements replayed as records against its example root's policy.

The example roots (examples/policies/*) stay clean: the scenarios here are written into a copy of the
root's policy/ in a temporary folder, one plan statement (or the plan's own template) per scenario, and
`validate` + `check` must say what the plan says.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from incidents.gates import check_gates
from incidents.reading.validate import validate_root

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "policies"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(
    inc_id: str,
    severity: str,
    *,
    status="resolved",
    detected="2026-03-02T10:00:00Z",
    acknowledged=None,
    resolved=None,
    roles=None,
    tags=(),
    updates=(),
    timeline=(),
    escalations=(),
    extra="",
) -> str:
    """An incident started at `detected`; updates are (at, status[, message]) tuples."""
    lines = [
        "---",
        f"id: {inc_id}",
        "title: Scenario",
        f"severity: {severity}",
        f"status: {status}",
        "services: [" + "{service}" + "]",
        "impact: partial_outage",
        f"started_at: {detected}",
        f"detected_at: {detected}",
    ]
    if acknowledged:
        lines.append(f"acknowledged_at: {acknowledged}")
    if resolved:
        lines.append(f"resolved_at: {resolved}")
    if roles:
        lines.append("roles:")
        lines += [f"  {role}: {handle}" for role, handle in roles.items()]
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    if updates:
        lines.append("updates:")
        for u in updates:
            message = u[2] if len(u) > 2 else "Working on it."
            lines += [f"  - at: {u[0]}", f"    status: {u[1]}", f'    message: "{message}"']
    if timeline:
        lines.append("timeline:")
        lines += [f"  - {{at: {at}, event: {event}}}" for at, event in timeline]
    if escalations:
        lines.append("escalations:")
        lines += [f'  - {{at: {at}, to: "{to}"}}' for at, to in escalations]
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ["---", ""]
    return "\n".join(lines)


def replay(tmp_path: Path, plan: str, files: dict[str, str], as_of: str) -> list[tuple[str, str, str]]:
    """(file stem, level, code) of every validate and check finding for the scenario records."""
    root = tmp_path / plan
    shutil.copytree(EXAMPLES / plan / "policy", root / "policy")
    (root / "incidents").mkdir()
    report = validate_root(root)
    service = report.repository.policy.services[0].id
    for name, text in files.items():
        (root / "incidents" / name).write_text(text.replace("{service}", service), encoding="utf-8")
    report = validate_root(root)
    found = list(report.findings) + check_gates(report.repository, ts(as_of))
    return sorted((Path(f.path).name.split(".")[0], f.level, f.code) for f in found)


def test_every_example_root_is_clean_under_check():
    for root in sorted(p for p in EXAMPLES.iterdir() if (p / "policy").is_dir()):
        report = validate_root(root)
        assert report.findings == (), (root.name, report.findings)
        assert check_gates(report.repository, ts("2027-01-01T00:00:00Z")) == [], root.name


# -- nerf-edge-kit (seed 000) ------------------------------------------------------------------------

NERF_ROLES = {"commander": "em", "tech_lead": "lead", "comms_lead": "pm"}


def test_nerf_acknowledge_within_5_minutes_and_internal_updates(tmp_path):
    # "On-call engineer acknowledges within 5 minutes"; "P0: Every 15 minutes" (internal channel).
    files = {
        "A.md": incident(
            "A",
            "P0",
            status="investigating",
            roles=NERF_ROLES,
            updates=[("2026-03-02T10:01:00Z", "investigating")],
            timeline=[("2026-03-02T10:01:00Z", "paged")],
            escalations=[("2026-03-02T10:05:00Z", "Engineering Manager")],
        )
    }
    assert replay(tmp_path, "nerf-edge-kit", files, "2026-03-02T10:05:00Z") == []
    assert replay(tmp_path / "b", "nerf-edge-kit", files, "2026-03-02T10:16:01Z") == [
        ("A", "error", "ack-overdue"),
        ("A", "error", "timeline-overdue"),
        ("A", "error", "update-overdue"),
    ]


def test_nerf_update_template_placeholder_is_not_published(tmp_path):
    # The plan's template ends "Next update: [TIME]"; left in a public update it is an error.
    files = {
        "A.md": incident(
            "A",
            "P2",
            acknowledged="2026-03-02T10:02:00Z",
            resolved="2026-03-02T10:30:00Z",
            roles={"commander": "em", "tech_lead": "lead"},
            updates=[
                ("2026-03-02T10:02:00Z", "investigating", "Investigating. Next update: [TIME]"),
                ("2026-03-02T10:30:00Z", "resolved"),
            ],
        )
    }
    assert ("A", "error", "update-placeholder") in replay(tmp_path, "nerf-edge-kit", files, "2026-03-03T00:00:00Z")


def test_nerf_security_incidents_need_a_security_lead_and_lessons_learned(tmp_path):
    # "Security Lead (for security incidents)"; "Recovery and Lessons Learned" for every security incident.
    files = {
        "A.md": incident(
            "A",
            "P3",
            acknowledged="2026-03-02T10:02:00Z",
            resolved="2026-03-02T11:00:00Z",
            roles={"commander": "em"},
            tags=["Security"],
            updates=[("2026-03-02T10:02:00Z", "investigating"), ("2026-03-02T11:00:00Z", "resolved")],
            timeline=[("2026-03-02T10:02:00Z", "triage")],
        )
    }
    assert replay(tmp_path, "nerf-edge-kit", files, "2026-03-10T00:00:00Z") == [("A", "error", "missing-role")]
    files["A.md"] = files["A.md"].replace("  commander: em", "  commander: em\n  security_lead: sec")
    assert replay(tmp_path / "b", "nerf-edge-kit", files, "2026-03-10T00:00:00Z") == [
        ("A", "error", "postmortem-missing")
    ]


# -- noa-server (seed 003) ----------------------------------------------------------------------------

NOA_ROLES = {"commander": "ic", "tech_lead": "tl", "comms_lead": "cl"}


def test_noa_sev1_escalates_immediately(tmp_path):
    # "Escalation: Immediate to CTO/VP Engineering"
    files = {
        "A.md": incident(
            "A",
            "SEV1",
            status="identified",
            acknowledged="2026-03-02T10:02:00Z",
            roles=NOA_ROLES,
            updates=[("2026-03-02T10:02:00Z", "identified")],
        )
    }
    found = replay(tmp_path, "noa-server", files, "2026-03-02T10:10:00Z")
    assert found == [("A", "error", "escalation-overdue")]
    files["A.md"] = files["A.md"].replace(
        "updates:", "escalations:\n  - {at: 2026-03-02T10:01:00Z, to: VP Engineering}\nupdates:"
    )
    assert replay(tmp_path / "b", "noa-server", files, "2026-03-02T10:10:00Z") == []


def test_noa_sev2_response_within_15_minutes(tmp_path):
    # "SEV2 ... Response Time: Within 15 minutes" -> acknowledged after 20 minutes is a past miss.
    files = {
        "A.md": incident(
            "A",
            "SEV2",
            acknowledged="2026-03-02T10:20:00Z",
            resolved="2026-03-02T10:25:00Z",
            roles=NOA_ROLES,
            updates=[("2026-03-02T10:10:00Z", "investigating"), ("2026-03-02T10:25:00Z", "resolved")],
        )
    }
    assert ("A", "warning", "ack-late") in replay(tmp_path, "noa-server", files, "2026-03-02T11:00:00Z")


def test_noa_sev4_needs_no_customer_communication(tmp_path):
    # "SEV4 ... no customer communication required": a public SEV4 without updates is fine.
    files = {
        "A.md": incident(
            "A", "SEV4", acknowledged="2026-03-02T11:00:00Z", resolved="2026-03-02T12:00:00Z", roles={"commander": "ic"}
        )
    }
    assert replay(tmp_path, "noa-server", files, "2026-03-10T00:00:00Z") == []


# -- pipeline-guard (seed 001) ------------------------------------------------------------------------


def test_pipeline_guard_next_business_day(tmp_path):
    # "SEV-4 ... Response Time: Next business day": Friday 18:00 UTC is not late on Saturday.
    files = {
        "A.md": incident(
            "A",
            "SEV-4",
            status="investigating",
            detected="2026-03-06T18:00:00Z",
            roles={"commander": "ic"},
            updates=[("2026-03-06T18:00:00Z", "investigating")],
            timeline=[("2026-03-06T18:00:00Z", "ticket filed")],
        )
    }
    assert replay(tmp_path, "pipeline-guard", files, "2026-03-07T12:00:00Z") == []
    assert replay(tmp_path / "b", "pipeline-guard", files, "2026-03-09T17:00:00Z") == []
    assert ("A", "error", "ack-overdue") in replay(tmp_path / "c", "pipeline-guard", files, "2026-03-09T17:00:01Z")


def test_pipeline_guard_observation_period(tmp_path):
    # "24-hour observation period after resolution" (SEV-1): closing 2 hours into monitoring is a miss.
    files = {
        "A.md": incident(
            "A",
            "SEV-1",
            acknowledged="2026-03-02T10:05:00Z",
            resolved="2026-03-02T12:00:00Z",
            roles={"commander": "a", "tech_lead": "b", "comms_lead": "c"},
            updates=[("2026-03-02T10:05:00Z", "investigating"), ("2026-03-02T10:10:00Z", "monitoring")]
            + [(f"2026-03-02T{10 + m // 60:02d}:{m % 60:02d}:00Z", "monitoring") for m in range(25, 120, 15)]
            + [("2026-03-02T12:00:00Z", "resolved")],
            timeline=[(f"2026-03-02T{10 + m // 60:02d}:{m % 60:02d}:00Z", "note") for m in range(0, 121, 15)],
            escalations=[
                ("2026-03-02T10:15:00Z", "Team Lead"),
                ("2026-03-02T10:30:00Z", "Engineering Manager"),
                ("2026-03-02T11:00:00Z", "CTO"),
            ],
        )
    }
    found = replay(tmp_path, "pipeline-guard", files, "2026-03-03T00:00:00Z")
    assert ("A", "warning", "monitor-short") in found


def test_pipeline_guard_postmortem_template_nests_what_went_well(tmp_path):
    # The plan's template has `### What Went Well` under `## Response Evaluation`.
    body = "\n".join(
        f"{h}\n\nText.\n"
        for h in (
            "## Summary",
            "## Timeline",
            "## Root Cause",
            "## Response Evaluation",
            "### What Went Well",
            "### Areas for Improvement",
            "## Action Items",
            "## Lessons Learned",
        )
    )
    pm = (
        "---\ntype: postmortem\nincident: A\nstatus: published\ndate: 2026-03-03\nauthors: [ic]\n"
        "action_items:\n  - {title: Add a rate-limit budget, owner: ic, due: 2026-03-20, priority: P1, "
        "status: open}\n---\n" + body
    )
    files = {
        "A.md": incident(
            "A",
            "SEV-3",
            acknowledged="2026-03-02T10:05:00Z",
            resolved="2026-03-02T11:00:00Z",
            roles={"commander": "ic"},
            updates=[("2026-03-02T10:05:00Z", "investigating"), ("2026-03-02T11:00:00Z", "resolved")],
            timeline=[("2026-03-02T10:05:00Z", "a"), ("2026-03-02T11:00:00Z", "b")],
        ),
        "A.postmortem.md": pm,
    }
    found = replay(tmp_path, "pipeline-guard", files, "2026-03-05T00:00:00Z")
    assert not [f for f in found if f[2].startswith("postmortem-section")], found


# -- smartbeak (seed 002) -------------------------------------------------------------------------------

SMART_ROLES = {"commander": "ic", "tech_lead": "tl", "comms_lead": "cl"}


def test_smartbeak_sev1_needs_a_scribe_and_an_immediate_status_page(tmp_path):
    # SEV-1: IC, Tech Lead, Comms Lead and Scribe; "status page updated immediately" (5 minutes).
    files = {
        "A.md": incident(
            "A",
            "SEV-1",
            acknowledged="2026-03-02T10:02:00Z",
            resolved="2026-03-02T10:20:00Z",
            roles=SMART_ROLES,
            updates=[("2026-03-02T10:10:00Z", "investigating"), ("2026-03-02T10:20:00Z", "resolved")],
            escalations=[("2026-03-02T10:15:00Z", "VP Engineering")],
            extra="postmortem_url: https://docs.example.com/pm/a",
        )
    }
    assert replay(tmp_path, "smartbeak", files, "2026-03-03T00:00:00Z") == [("A", "error", "missing-role")]
    files["A.md"] = files["A.md"].replace("  comms_lead: cl", "  comms_lead: cl\n  scribe: sc")
    assert replay(tmp_path / "b", "smartbeak", files, "2026-03-03T00:00:00Z") == [("A", "warning", "first-update-late")]


# -- subjunctive-practice (seed 004) -------------------------------------------------------------------

SUBJ_ROLES = {"commander": "ic", "tech_lead": "tl", "comms_lead": "cl", "scribe": "sc"}


def test_subjunctive_internal_updates_every_30_minutes(tmp_path):
    # "Internal Updates ... P1: Every 30 minutes"
    files = {
        "A.md": incident(
            "A",
            "P1",
            status="identified",
            acknowledged="2026-03-02T10:05:00Z",
            roles={"commander": "ic", "tech_lead": "tl", "comms_lead": "cl"},
            updates=[("2026-03-02T10:05:00Z", "identified")],
            timeline=[("2026-03-02T10:05:00Z", "paged")],
            escalations=[("2026-03-02T10:30:00Z", "Team Lead")],
        )
    }
    assert replay(tmp_path, "subjunctive-practice", files, "2026-03-02T10:35:00Z") == []
    assert ("A", "error", "timeline-overdue") in replay(
        tmp_path / "b", "subjunctive-practice", files, "2026-03-02T10:35:01Z"
    )


def test_subjunctive_action_items_need_no_priority(tmp_path):
    # The plan's template gives action items an owner and a due date; it defines no priority scale.
    pm = (
        "---\ntype: postmortem\nincident: A\nstatus: published\ndate: 2026-03-03\nauthors: [ic]\n"
        "action_items:\n  - {title: Add an index, owner: dba, due: 2026-03-20, status: open}\n---\n"
        + "\n".join(
            f"## {h}\n\nText.\n"
            for h in (
                "Incident Summary",
                "Impact",
                "Timeline",
                "Root Cause",
                "What Went Well",
                "What Could Be Improved",
                "Action Items",
                "Lessons Learned",
            )
        )
    )
    files = {
        "A.md": incident(
            "A",
            "P3",
            acknowledged="2026-03-02T10:05:00Z",
            resolved="2026-03-03T11:00:00Z",
            roles={"commander": "ic"},
            updates=[("2026-03-02T10:05:00Z", "investigating"), ("2026-03-03T11:00:00Z", "resolved")],
        ),
        "A.postmortem.md": pm,
    }
    assert replay(tmp_path, "subjunctive-practice", files, "2026-03-05T00:00:00Z") == []


def test_subjunctive_stability_confirmed_for_24_hours(tmp_path):
    # Closure checklist: "Monitoring confirms stability (24 hours)".
    def files(resolved):
        return {
            "A.md": incident(
                "A",
                "P0",
                acknowledged="2026-03-02T10:05:00Z",
                resolved=resolved,
                roles=SUBJ_ROLES,
                tags=(),
                updates=[
                    ("2026-03-02T10:05:00Z", "investigating"),
                    ("2026-03-02T10:10:00Z", "monitoring"),
                    (resolved, "resolved"),
                ],
                extra="postmortem_url: https://docs.example.com/pm/a",
            )
        }

    short = replay(tmp_path, "subjunctive-practice", files("2026-03-03T10:09:59Z"), "2026-03-10T00:00:00Z")
    enough = replay(tmp_path / "b", "subjunctive-practice", files("2026-03-03T10:10:00Z"), "2026-03-10T00:00:00Z")
    assert ("A", "warning", "monitor-short") in short
    assert ("A", "warning", "monitor-short") not in enough
