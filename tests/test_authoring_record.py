"""`new --started-at/--detected-at`, `ack`, `update --acknowledged-at/...`, `timeline`, `escalate`,
`maintenance new|update`, and `postmortem` with `postmortem.author_role`: what they write and refuse."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from incidents.cli import cli
from incidents.reading.validate import validate_root

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    required_roles: [commander, scribe]
roles: [commander, scribe]
postmortem:
  author_role: scribe
  required_sections: [Summary]
"""
SERVICES = "services:\n  - id: api\n    name: API\n"
ID = "INC-2026-0001"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--root", str(root)])


def make(tmp_path: Path) -> Path:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents").mkdir()
    result = run(
        tmp_path,
        "new",
        "-s",
        "SEV-1",
        "-t",
        "Checkout errors",
        "--service",
        "api",
        "--role",
        "commander=alice",
        "--role",
        "scribe=sam",
        "--at",
        "2026-02-10T03:31:00Z",
        "--started-at",
        "2026-02-10T03:02:00Z",
        "--detected-at",
        "2026-02-10T03:10:00Z",
    )
    assert result.exit_code == 0, result.output
    return tmp_path


def incident(root: Path):
    report = validate_root(root)
    assert report.ok, report.findings
    return report.repository.incident(ID)


def test_new_records_when_it_started_and_was_detected(tmp_path):
    inc = incident(make(tmp_path))
    assert (inc.started_at.minute, inc.detected_at.minute, inc.updates[0].at.minute) == (2, 10, 31)


def test_new_refuses_a_title_with_control_characters(tmp_path):
    root = make(tmp_path)
    result = run(
        root,
        "new",
        "-s",
        "SEV-1",
        "-t",
        "Bad\x0btitle",
        "--service",
        "api",
        "--role",
        "commander=a",
        "--role",
        "scribe=b",
    )
    assert result.exit_code == 1 and "\\x0b" in result.output and "nothing was written" in result.output
    assert len(list((root / "incidents").rglob("*.md"))) == 1


def test_ack_then_update_keeps_the_real_acknowledgement(tmp_path):
    root = make(tmp_path)
    assert run(root, "ack", ID, "--at", "2026-02-10T03:14:00Z").exit_code == 0
    again = run(root, "ack", ID, "--at", "2026-02-10T03:15:00Z")
    assert again.exit_code == 1 and "already acknowledged" in again.output
    assert (
        run(
            root,
            "update",
            ID,
            "--status",
            "identified",
            "-m",
            "A bad deploy.",
            "--at",
            "2026-02-10T03:45:00Z",
            "--identified-at",
            "2026-02-10T03:38:00Z",
        ).exit_code
        == 0
    )
    inc = incident(root)
    assert inc.acknowledged_at.minute == 14 and inc.identified_at.minute == 38


def test_update_flags_give_the_real_times_and_never_overwrite(tmp_path):
    root = make(tmp_path)
    result = run(
        root,
        "update",
        ID,
        "--status",
        "monitoring",
        "-m",
        "Rolled back.",
        "--at",
        "2026-02-10T04:00:00Z",
        "--acknowledged-at",
        "2026-02-10T03:12:00Z",
        "--mitigated-at",
        "2026-02-10T03:55:00Z",
    )
    assert result.exit_code == 0, result.output
    inc = incident(root)
    assert (inc.acknowledged_at.minute, inc.mitigated_at.minute, inc.identified_at) == (12, 55, None)
    path = root / "incidents" / "2026" / f"{ID}.md"
    before = path.read_bytes()
    refused = run(
        root,
        "update",
        ID,
        "--status",
        "monitoring",
        "-m",
        "Again.",
        "--at",
        "2026-02-10T04:10:00Z",
        "--mitigated-at",
        "2026-02-10T04:05:00Z",
    )
    assert refused.exit_code == 1 and "keeps its first value" in refused.output
    assert path.read_bytes() == before


def test_timeline_and_escalate_append_entries(tmp_path):
    root = make(tmp_path)
    assert run(root, "timeline", ID, "--event", "Paged the DBA", "--at", "2026-02-10T03:20:00Z").exit_code == 0
    assert run(root, "timeline", ID, "--event", "Rolled back: v41", "--at", "2026-02-10T03:40:00Z").exit_code == 0
    assert run(root, "escalate", ID, "--to", "VP Engineering", "--at", "2026-02-10T03:41:00Z").exit_code == 0
    early = run(root, "timeline", ID, "--event", "Before the start", "--at", "2026-02-10T02:00:00Z")
    assert early.exit_code == 1 and "before the last timeline entry (timeline entry 2" in early.output
    inc = incident(root)
    assert [t.event for t in inc.timeline] == ["Paged the DBA", "Rolled back: v41"]
    assert [(e.to, e.at.minute) for e in inc.escalations] == [("VP Engineering", 41)]


def test_maintenance_new_and_update(tmp_path):
    root = make(tmp_path)
    result = run(
        root,
        "maintenance",
        "new",
        "-t",
        "Database upgrade",
        "--service",
        "api",
        "--start",
        "2026-03-01T22:00:00Z",
        "--end",
        "2026-03-01T23:00:00Z",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "incidents/2026/MNT-2026-0001.md"
    result = run(
        root,
        "maintenance",
        "update",
        "MNT-2026-0001",
        "--status",
        "in_progress",
        "-m",
        "Started.",
        "--at",
        "2026-03-01T22:00:00Z",
    )
    assert result.exit_code == 0, result.output
    (mnt,) = validate_root(root).repository.maintenances
    assert mnt.status == "in_progress" and [u.message for u in mnt.updates] == ["Started."]
    bad = run(
        root,
        "maintenance",
        "new",
        "-t",
        "Backwards",
        "--service",
        "api",
        "--start",
        "2026-03-01T22:00:00Z",
        "--end",
        "2026-03-01T21:00:00Z",
    )
    assert bad.exit_code == 1 and "--end must be after --start" in bad.output


def test_postmortem_author_is_the_policys_author_role(tmp_path):
    root = make(tmp_path)
    assert run(root, "postmortem", ID).exit_code == 0
    (pm,) = validate_root(root).repository.postmortems
    assert pm.authors == ("sam",)


def test_close_sets_closed_at_once_resolved_keeping_every_other_byte(tmp_path):
    root = make(tmp_path)
    not_yet = run(root, "close", ID, "--at", "2026-02-10T05:00:00Z")
    assert not_yet.exit_code == 1 and "not resolved" in not_yet.output
    resolved = run(root, "update", ID, "--status", "resolved", "-m", "Fixed.", "--at", "2026-02-10T04:00:00Z")
    assert resolved.exit_code == 0, resolved.output
    path = next((root / "incidents").rglob(f"{ID}.md"))
    path.write_text(path.read_text().replace("title:", "# kept comment\ntitle:"))
    before = path.read_text()
    early = run(root, "close", ID, "--at", "2026-02-10T03:59:59Z")  # before resolved_at: would not validate
    assert early.exit_code == 1 and "timestamp-order" in early.output and path.read_text() == before
    assert run(root, "close", ID, "--at", "2026-02-11T04:00:00Z").exit_code == 0
    after = path.read_text()
    assert after.replace("closed_at: 2026-02-11T04:00:00Z\n", "") == before
    assert after.index("resolved_at:") < after.index("closed_at:")
    assert incident(root).closed_at.day == 11
    again = run(root, "close", ID, "--at", "2026-02-12T04:00:00Z")
    assert again.exit_code == 1 and "already closed" in again.output and path.read_text() == after
