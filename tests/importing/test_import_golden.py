"""`incidents import statuspage` on real payloads: exact files per payload shape, idempotent, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import FIXTURES, assert_golden, run, snapshot, written

# One real payload per shape of section 9 (tests/fixtures/statuspage/README.md says where each came from).
CASES = {
    "github-incidents-2024": "public API v2 incidents.json (per-component impact, HTML, no components)",
    "github-summary-2020": "public API v2 summary.json (an open incident, components at the top)",
    "emma-incidents-2019": "incidents.json before started_at existed (DST offsets, backfills, placeholders)",
    "nyu-manage-v1": "Manage API v1 list, a bare array (maintenance mixed in, a postmortem body)",
    "index-2014": "the older index.json (incidents and scheduled maintenances in one document)",
    "scheduled-manage-v1-2013": "a bare array of scheduled maintenances",
}
SUMMARIES = {
    "github-incidents-2024": "imported 2 incidents (2 new, 0 updated), 0 maintenance windows; 2 services added",
    "github-summary-2020": "imported 1 incidents (1 new, 0 updated), 0 maintenance windows; 1 services added",
    "emma-incidents-2019": "imported 6 incidents (6 new, 0 updated), 0 maintenance windows; 4 services added",
    "nyu-manage-v1": "imported 5 incidents (5 new, 0 updated), 1 maintenance windows; 2 services added",
    "index-2014": "imported 2 incidents (2 new, 0 updated), 2 maintenance windows; 1 services added",
    "scheduled-manage-v1-2013": "imported 0 incidents (0 new, 0 updated), 1 maintenance windows; 1 services added",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_payload_to_exact_records_then_reimport_writes_nothing(root, case):
    result = run("import", "statuspage", "--root", root, FIXTURES / f"{case}.json")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == SUMMARIES[case]
    files = written(root)
    # One line per file written, each naming it.
    assert sorted(line.split(" ", 1)[1].split(" (added")[0] for line in lines[:-1]) == sorted(files)
    assert_golden(case, files)

    check = run("validate", "--root", root)
    assert check.exit_code == 0, check.output
    assert " 0 errors" in check.output.splitlines()[-1] or check.output.splitlines()[-1].startswith("0 errors")
    metrics = run("metrics", "--root", root, "--format", "json")
    assert metrics.exit_code == 0, metrics.output
    assert isinstance(json.loads(metrics.output)["groups"], list)

    before = snapshot(root)
    again = run("import", "statuspage", "--root", root, FIXTURES / f"{case}.json")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "imported 0 incidents (0 new, 0 updated), 0 maintenance windows; 0 services added"
    ]
    assert snapshot(root) == before  # not one byte, not one mtime


def test_newer_payload_adds_the_missing_updates_and_moves_status_on(root):
    # The same GitHub incident as the page showed it at 21:53 (three updates not yet posted), then as it ended.
    first = run("import", "statuspage", "--root", root, FIXTURES / "github-incidents-2024-earlier.json")
    assert first.exit_code == 0, first.output
    path = root / "incidents/2024/69sb0f8lydp4.md"
    earlier = path.read_bytes()
    assert b"status: investigating\n" in earlier and b"resolved_at" not in earlier
    second = run("import", "statuspage", "--root", root, FIXTURES / "github-incidents-2024.json")
    assert second.exit_code == 0, second.output
    assert "updated incidents/2024/69sb0f8lydp4.md" in second.output.splitlines()
    assert second.output.splitlines()[-1] == (
        "imported 2 incidents (1 new, 1 updated), 0 maintenance windows; 1 services added"
    )
    later = path.read_bytes()
    # update's editing rules: the earlier file's lines are all still there, in order; only additions.
    old_lines, new_lines = earlier.splitlines(), later.splitlines()
    it = iter(new_lines)
    assert all(any(line == n for n in it) for line in old_lines if line != b"status: investigating")
    assert_golden("github-update", {"incidents/2024/69sb0f8lydp4.md": later})
    assert run("validate", "--root", root).exit_code == 0
    before = snapshot(root)
    assert run("import", "statuspage", "--root", root, FIXTURES / "github-incidents-2024.json").exit_code == 0
    assert snapshot(root) == before


def test_several_sources_in_one_import_and_dry_run(root):
    sources = [FIXTURES / f"{case}.json" for case in sorted(CASES)]
    dry = run("import", "statuspage", "--root", root, "--dry-run", *sources)
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[-1] == (
        "imported 16 incidents (16 new, 0 updated), 4 maintenance windows; "
        "8 services added (dry run: nothing was written)"
    )
    assert all(line.startswith("would write: ") for line in dry.output.splitlines()[:-1])
    assert not list((root / "incidents").rglob("*.md"))
    real = run("import", "statuspage", "--root", root, *sources)
    assert real.output.splitlines()[-1] == (
        "imported 16 incidents (16 new, 0 updated), 4 maintenance windows; 8 services added"
    )
    assert [l for l in dry.output.splitlines()[:-1]] == ["would write: " + l for l in real.output.splitlines()[:-1]]
    assert run("validate", "--root", root).exit_code == 0


def test_severity_flags_and_default_order(root):
    result = run(
        "import",
        "statuspage",
        "--root",
        root,
        "--severity",
        "major=SEV-1",
        "--severity",
        "minor=SEV-2",
        FIXTURES / "github-incidents-2024.json",
    )
    assert result.exit_code == 0, result.output
    assert "severity: SEV-1\n" in (root / "incidents/2024/69sb0f8lydp4.md").read_text()  # major, mapped
    assert "severity: SEV-2\n" in (root / "incidents/2024/r3x7x31k7nn1.md").read_text()  # minor, mapped


@pytest.mark.parametrize(
    "flag, message",
    [
        ("major=SEV-9", "unknown severity `SEV-9` in --severity"),
        ("huge=SEV-1", "unknown Statuspage impact `huge`"),
        ("major", "is not IMPACT=SEVERITY"),
    ],
)
def test_bad_severity_flags(root, flag, message):
    before = snapshot(root)
    result = run("import", "statuspage", "--root", root, "--severity", flag, FIXTURES / "github-incidents-2024.json")
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert snapshot(root) == before


def test_default_service_flag(root):
    result = run(
        "import", "statuspage", "--root", root, "--default-service", "website", FIXTURES / "emma-incidents-2019.json"
    )
    assert result.exit_code == 0, result.output
    text = (root / "incidents/2019/x0ljvc9m1wxj.md").read_text()
    assert "services: [website]\n" in text
    assert "id: general" not in (root / "policy/services.yml").read_text()


def test_structure_only_under_a_policy_with_roles_cadences_and_postmortems(tmp_path):
    """The demo policy requires roles, acknowledgement targets, update cadences and postmortems; imported
    records (they carry `source`) are checked for structure only, so validate and check both pass."""
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(Path(__file__).resolve().parents[2] / "policy", root / "policy")
    (root / "incidents").mkdir()
    sources = [FIXTURES / f"{case}.json" for case in sorted(CASES)]
    result = run("import", "statuspage", "--root", root, "--severity", "critical=SEV-1", *sources)
    assert result.exit_code == 0, result.output
    for command in ("validate", "check"):
        args = [command, "--root", root] + (["--as-of", "2026-11-30T00:00:00Z"] if command == "check" else [])
        out = run(*args)
        assert out.exit_code == 0, out.output
        assert out.output.splitlines()[-1].startswith("0 errors, 0 warnings"), out.output
