"""`incidents update`: golden round trips on hand-written files, and refusals that leave the file untouched."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from incidents.cli import cli
from incidents.reading.validate import validate_root

FIXTURES = Path(__file__).parent / "fixtures" / "roundtrip"
CASES = yaml.safe_load((FIXTURES / "cases.yml").read_text(encoding="utf-8"))


def make_root(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "policy", root / "policy")
    (root / "incidents" / "2026").mkdir(parents=True)
    shutil.copyfile(FIXTURES / f"{name}.before.md", root / "incidents" / "2026" / f"{name}.md")
    return root


def run_update(root: Path, incident_id: str, status: str, message: str, at: str | None):
    args = ["update", incident_id, "--status", status, "-m", message, "--root", str(root)]
    if at is not None:
        args += ["--at", at]
    return CliRunner().invoke(cli, args)


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(removed, added) lines of a line diff, line ends kept."""
    a = before.decode("utf-8").splitlines(keepends=True)
    b = after.decode("utf-8").splitlines(keepends=True)
    removed, added = [], []
    for line in difflib.ndiff(a, b):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_there_are_at_least_ten_hand_written_styles():
    assert len(CASES) >= 10
    for name in CASES:
        assert (FIXTURES / f"{name}.before.md").is_file()
        assert (FIXTURES / f"{name}.after.md").is_file()


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_before_validates(tmp_path, name):
    report = validate_root(make_root(tmp_path, name))
    assert report.errors == 0, [str(f) for f in report.findings]


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_round_trip(tmp_path, name):
    case = CASES[name]
    root = make_root(tmp_path, name)
    path = root / "incidents" / "2026" / f"{name}.md"
    before = path.read_bytes()

    result = run_update(root, case["id"], case["status"], case["message"], case["at"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"incidents/2026/{name}.md"

    after = path.read_bytes()
    assert after == (FIXTURES / f"{name}.after.md").read_bytes()

    # Only the status line may change (plus the line of a flow list that gets `, {...}`); the rest is added lines.
    removed, added = changed_lines(before, after)
    flow = name.startswith(("flow_updates", "internal_empty"))
    assert len(removed) == (2 if flow else 1), removed
    assert any(line.lstrip().lstrip("'\"").startswith("status:") for line in removed)
    assert added
    # A BOM and the line-end style survive.
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in before:
        assert after.count(b"\n") == after.count(b"\r\n")

    # The result validates and says what was asked.
    report = validate_root(root)
    assert report.errors == 0, [str(f) for f in report.findings]
    incident = report.repository.incident(case["id"])
    assert incident.status == case["status"]
    assert incident.updates[-1].message == case["message"]
    assert incident.updates[-1].status == case["status"]
    if case["status"] != "investigating":
        assert incident.acknowledged_at is not None
    if case["status"] == "resolved":
        assert incident.resolved_at == incident.updates[-1].at


def test_body_trailing_spaces_and_missing_final_newline_are_kept(tmp_path):
    after = (FIXTURES / "trailing_spaces_body.after.md").read_bytes()
    assert after.endswith(b"No final newline.   ")
    assert b"hard break.   \n" in after


def test_existing_timestamps_are_not_overwritten(tmp_path):
    root = make_root(tmp_path, "updates_in_middle")
    result = run_update(root, "INC-2026-0109", "resolved", "All good.", "2026-03-10T16:00:00Z")
    assert result.exit_code == 0, result.output
    incident = validate_root(root).repository.incident("INC-2026-0109")
    assert incident.acknowledged_at.isoformat() == "2026-03-10T14:03:00+00:00"
    assert incident.identified_at.isoformat() == "2026-03-10T14:30:00+00:00"
    assert incident.mitigated_at is None  # never invented
    assert incident.resolved_at.isoformat() == "2026-03-10T16:00:00+00:00"


def test_two_updates_in_a_row_keep_appending(tmp_path):
    root = make_root(tmp_path, "comments_everywhere")
    assert run_update(root, "INC-2026-0101", "monitoring", "Rolled back.", "2026-03-02T10:00:00Z").exit_code == 0
    assert run_update(root, "INC-2026-0101", "resolved", "Resolved.", "2026-03-02T10:30:00Z").exit_code == 0
    incident = validate_root(root).repository.incident("INC-2026-0101")
    assert [u.status for u in incident.updates] == ["investigating", "monitoring", "resolved"]
    text = (root / "incidents/2026/comments_everywhere.md").read_text(encoding="utf-8")
    assert "# end of updates" in text and "commander: alice # IC" in text


def test_status_may_go_back_and_timestamps_keep_their_first_value(tmp_path):
    root = make_root(tmp_path, "trailing_spaces_body")
    before = validate_root(root).repository.incident("INC-2026-0108")
    assert before.status == "monitoring"
    result = run_update(root, "INC-2026-0108", "investigating", "Back again.", "2026-03-09T12:00:00Z")
    assert result.exit_code == 0, result.output
    after = validate_root(root).repository.incident("INC-2026-0108")
    assert after.status == "investigating"
    assert after.updates[-1].status == "investigating"
    for name in ("acknowledged_at", "identified_at", "mitigated_at"):
        assert after.timestamp(name) == before.timestamp(name)
    result = run_update(root, "INC-2026-0108", "monitoring", "Fixed again.", "2026-03-09T13:00:00Z")
    assert result.exit_code == 0, result.output
    assert validate_root(root).repository.incident("INC-2026-0108").mitigated_at == before.mitigated_at


def test_a_resolved_incident_is_not_reopened(tmp_path):
    root = make_root(tmp_path, "trailing_spaces_body")
    assert run_update(root, "INC-2026-0108", "resolved", "Done.", "2026-03-09T12:00:00Z").exit_code == 0
    path = root / "incidents" / "2026" / "trailing_spaces_body.md"
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0108", "investigating", "Back.", "2026-03-09T13:00:00Z")
    assert result.exit_code == 1
    assert "reopening it" in result.output and "incidents new" in result.output
    assert path.read_bytes() == before


REFUSALS = [
    # (fixture, id, status, message, at, exit code, text expected in the output)
    ("updates_in_middle", "INC-2026-0109", "monitoring", "Too early.", "2026-03-10T14:10:00Z", 1, "before the last"),
    ("updates_in_middle", "INC-2026-0109", "identified", "Before the start.", "2026-03-10T13:00:00Z", 1, "update 2"),
    ("crlf_bom", "INC-2026-0102", "resolved", "No offset.", "2026-03-03T11:00:00", 2, "no UTC offset"),
    ("crlf_bom", "INC-2026-0102", "fixed", "Unknown status.", "2026-03-03T11:00:00Z", 2, "fixed"),
    ("crlf_bom", "INC-2026-0999", "resolved", "Unknown id.", "2026-03-03T11:00:00Z", 1, "no incident with id"),
    ("crlf_bom", "INC-2026-0102", "resolved", "", "2026-03-03T11:00:00Z", 1, "empty"),
]


@pytest.mark.parametrize("name,incident_id,status,message,at,code,expect", REFUSALS)
def test_refusals_leave_the_file_untouched(tmp_path, name, incident_id, status, message, at, code, expect):
    root = make_root(tmp_path, name)
    path = root / "incidents" / "2026" / f"{name}.md"
    before = path.read_bytes()
    result = run_update(root, incident_id, status, message, at)
    assert result.exit_code == code, result.output
    assert expect in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left behind


def test_refusal_prints_findings_with_path_and_line(tmp_path):
    root = make_root(tmp_path, "updates_in_middle")
    args = ["update", "INC-2026-0109", "--status", "monitoring", "-m", "Rolled back.", "--root", str(root)]
    result = CliRunner().invoke(cli, [*args, "--at", "2026-03-10T14:40:00Z", "--mitigated-at", "2026-03-10T14:10:00Z"])
    assert result.exit_code == 1
    assert "incidents/2026/updates_in_middle.md:" in result.output
    assert "error timestamp-order" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: the update would leave")


def test_unsafe_layout_is_refused_not_mangled(tmp_path):
    root = make_root(tmp_path, "crlf_bom")
    path = root / "incidents" / "2026" / "crlf_bom.md"
    path.write_text(
        "---\n{id: INC-2026-0200, title: T, severity: SEV-3, status: investigating, services: [api], "
        "impact: degraded_performance, started_at: 2026-03-01T00:00:00Z, "
        "detected_at: 2026-03-01T00:00:00Z, updates: [{at: 2026-03-01T00:00:00Z, "
        "status: investigating, message: m}]}\n---\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0200", "identified", "Found it.", "2026-03-01T01:00:00Z")
    assert result.exit_code == 1
    assert "flow mapping" in result.output
    assert path.read_bytes() == before


def test_default_at_is_now_in_utc(tmp_path):
    root = make_root(tmp_path, "internal_empty_updates")
    result = run_update(root, "INC-2026-0110", "identified", "Found it.", None)
    assert result.exit_code == 0, result.output
    incident = validate_root(root).repository.incident("INC-2026-0110")
    assert incident.updates[-1].at.utcoffset().total_seconds() == 0
    assert incident.updates[-1].at.microsecond == 0


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Any text a responder might type (no surrogates, which UTF-8 cannot hold).
MESSAGES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80).filter(
    lambda s: s.strip() != ""
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(CASES)), message=MESSAGES)
def test_any_message_reads_back_exactly(tmp_path_factory, name, message):
    root = make_root(tmp_path_factory.mktemp("prop"), name)
    case = CASES[name]
    path = root / "incidents" / "2026" / f"{name}.md"
    before = path.read_bytes()
    result = run_update(root, case["id"], case["status"], message, case["at"])
    if result.exit_code != 0:
        # Only the rules may refuse (e.g. text the format does not allow), never a traceback or a half-write.
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert path.read_bytes() == before
        return
    incident = validate_root(root).repository.incident(case["id"])
    assert incident.updates[-1].message == message
    removed, _ = changed_lines(before, path.read_bytes())
    assert len(removed) <= 2


def test_lifecycle_keys_stay_before_a_new_updates_block_at_the_end(tmp_path):
    root = make_root(tmp_path, "internal_no_updates")
    path = root / "incidents" / "2026" / "internal_no_updates.md"
    text = path.read_text(encoding="utf-8").replace("# no updates: internal incidents need none\n", "")
    path.write_text(text, encoding="utf-8")
    result = run_update(root, "INC-2026-0111", "resolved", "Done.", "2026-03-12T10:00:00Z")
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    assert (
        "identified_at: 2026-03-12T09:20:00Z\nresolved_at: 2026-03-12T10:00:00Z\nupdates:\n"
        '  - at: 2026-03-12T10:00:00Z\n    status: resolved\n    message: "Done."\n---\n'
    ) in after


def test_same_status_again_adds_an_update_and_fills_nothing(tmp_path):
    root = make_root(tmp_path, "updates_in_middle")
    path = root / "incidents" / "2026" / "updates_in_middle.md"
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0109", "identified", "Still rolling back.", "2026-03-10T14:45:00Z")
    assert result.exit_code == 0, result.output
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == []  # the status token is rewritten with the same bytes
    assert added == [
        "  - at: 2026-03-10T14:45:00Z\n",
        "    status: identified\n",
        '    message: "Still rolling back."\n',
    ]


def test_unicode_line_separators_inside_values_do_not_shift_the_edit(tmp_path):
    """libyaml counts NEL, LS and PS as line breaks; the file's lines end at LF only."""
    root = make_root(tmp_path, "updates_in_middle")
    path = root / "incidents" / "2026" / "updates_in_middle.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: Billing page errors", 'title: "Billing\u2028page\x85errors"')
    text = text.replace("message: A bad configuration push.", 'message: "A bad\u2029configuration push."')
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0109", "monitoring", "Reverted.", "2026-03-10T15:00:00Z")
    assert result.exit_code == 0, result.output
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == ["status: identified\n"]
    assert added == [
        "status: monitoring\n",
        "mitigated_at: 2026-03-10T15:00:00Z\n",
        "  - at: 2026-03-10T15:00:00Z\n",
        "    status: monitoring\n",
        '    message: "Reverted."\n',
    ]


def test_a_bug_becomes_one_line_and_the_file_is_untouched(tmp_path, monkeypatch):
    import incidents.authoring.record_edit as edit_module

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(edit_module, "plan_edit", broken)
    root = make_root(tmp_path, "crlf_bom")
    path = root / "incidents" / "2026" / "crlf_bom.md"
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0102", "monitoring", "x", "2026-03-03T10:50:00Z")
    assert result.exit_code == 1
    assert result.output.startswith("Error: internal error (IndexError")
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


# -- generated hand-written styles ---------------------------------------------------------

from incidents.records.source import read_record  # noqa: E402


@st.composite
def hand_written(draw):
    """A valid incident written in a random mix of the styles people use."""

    def q(text, kinds=("plain", "single", "double")):
        kind = draw(st.sampled_from(kinds))
        return {"plain": text, "single": f"'{text}'", "double": f'"{text}"'}[kind]

    def comment():
        return draw(st.sampled_from(["", "", "  # note", " #x", "   # TODO: tidy"]))

    status = draw(st.sampled_from(["investigating", "identified"]))
    top = {
        "id": f"id: {q('INC-2026-0500')}",
        "title": f"title: {q('Queue backlog')}",
        "severity": f"severity: {q('SEV-3')}",
        "status": f"status: {q(status)}",
        "impact": f"impact: {q('partial_outage')}",
        "started_at": f"started_at: {q('2026-05-01T10:00:00Z')}",
        "detected_at": f"detected_at: {q('2026-05-01T10:05:00+02:00'.replace('+02:00', 'Z'))}",
        "services": draw(st.sampled_from(["services: [api]", "services:\n  - api", "services:\n- 'api'"])),
    }
    if status == "identified":
        top["acknowledged_at"] = f"acknowledged_at: {q('2026-05-01T10:06:00Z')}"
        top["identified_at"] = f"identified_at: {q('2026-05-01T10:20:00Z')}"
    messages = ["Jobs are delayed.", "A stuck worker; restarting it."]
    statuses = ["investigating", "identified"] if status == "identified" else ["investigating"]
    ats = ["2026-05-01T10:10:00Z", "2026-05-01T10:25:00Z"]
    layout = draw(st.sampled_from(["block", "block-flow-items", "flow", "flow-multiline"]))
    dash = draw(st.sampled_from([0, 2, 4]))
    gap = draw(st.sampled_from([1, 3]))
    order = draw(st.permutations(["at", "status", "message"]))
    items = []
    for at, st_, msg in zip(ats, statuses, messages):
        vals = {"at": q(at), "status": q(st_), "message": q(msg, ("plain", "single", "double"))}
        if layout.startswith("flow") or layout == "block-flow-items":
            items.append("{" + ", ".join(f"{k}: {vals[k]}" for k in order) + "}")
            continue
        style = draw(st.sampled_from(["inline", "literal", "folded"]))
        key_col = dash + 1 + gap
        lines = []
        for i, k in enumerate(order):
            lead = " " * dash + "-" + " " * gap if i == 0 else " " * key_col
            if k == "message" and style != "inline":
                ind = " " * (key_col + 2)
                lines.append(f"{lead}message: {'|' if style == 'literal' else '>-'}{comment()}")
                lines.append(f"{ind}{msg}")
                lines += [""] * draw(st.integers(0, 2))
            else:
                lines.append(f"{lead}{k}: {vals[k]}{comment()}")
        items.append("\n".join(lines))
    if layout == "block":
        top["updates"] = "updates:" + comment() + "\n" + "\n".join(items)
    elif layout == "block-flow-items":
        top["updates"] = "updates:\n" + "\n".join(" " * dash + "-" + " " * gap + i for i in items)
    elif layout == "flow":
        top["updates"] = "updates: [" + ", ".join(items) + "]"
    else:
        top["updates"] = "updates: [\n  " + ",\n  ".join(items) + "\n]"
    keys = draw(st.permutations(list(top)))
    lines = ["---"]
    for key in keys:
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append("# a comment line")
        block = top[key]
        if "\n" not in block and key != "updates":
            block += comment()
        lines.append(block)
    lines.append("---")
    body = draw(st.sampled_from(["", "\nNarrative.  \n", "Body with trailing spaces   \n\n", "No newline  "]))
    text = "\n".join(lines) + "\n" + body
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data, status


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=hand_written(), new_status=st.sampled_from(["identified", "monitoring", "resolved"]))
def test_generated_styles_round_trip(tmp_path_factory, case, new_status):
    data, old_status = case
    root = tmp_path_factory.mktemp("gen")
    shutil.copytree(FIXTURES / "policy", root / "policy")
    (root / "incidents").mkdir()
    path = root / "incidents" / "INC-2026-0500.md"
    path.write_bytes(data)
    src, findings = read_record(data, "x.md")
    assert src is not None and not [f for f in findings if f.level == "error"], (data, findings)
    assert validate_root(root).errors == 0, [str(f) for f in validate_root(root).findings]

    result = run_update(root, "INC-2026-0500", new_status, "Moving on: step 2.", "2026-05-01T11:00:00Z")
    assert result.exit_code == 0, (data.decode(), result.output)
    after = path.read_bytes()
    new_src, _ = read_record(after, "x.md")
    old, new = src.front_matter.data, new_src.front_matter.data
    assert new_src.body == src.body
    assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in data:
        assert after.count(b"\n") == after.count(b"\r\n")
    assert new["status"] == new_status
    assert new["updates"] == old["updates"] + [
        {"at": "2026-05-01T11:00:00Z", "status": new_status, "message": "Moving on: step 2."}
    ]
    for key, value in old.items():
        if key not in ("status", "updates"):
            assert new[key] == value, key
    added_keys = set(new) - set(old)
    assert added_keys <= {"acknowledged_at", "identified_at", "mitigated_at", "resolved_at"}
    removed, _ = changed_lines(data, after)
    flow = b"updates: [" in data
    assert len(removed) <= (2 if flow else 1) and (old_status != new_status or len(removed) <= (1 if flow else 0))
    assert validate_root(root).errors == 0


def test_back_dating_before_the_last_update_is_one_clear_line(tmp_path):
    """Issue 22: `--at` before the last update printed every order check it broke (up to ten); one line
    now says what is wrong and what to do, and the file is untouched."""
    root = make_root(tmp_path, "comments_everywhere")
    assert run_update(root, "INC-2026-0101", "monitoring", "Rolled back.", "2026-03-02T10:00:00Z").exit_code == 0
    path = root / "incidents/2026/comments_everywhere.md"
    before = path.read_bytes()
    result = run_update(root, "INC-2026-0101", "resolved", "Resolved.", "2026-03-02T09:59:00Z")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "Error: --at 2026-03-02T09:59:00Z is before the last update (update 2, at 2026-03-02T10:00:00Z); "
        "`updates:` is listed oldest first: give a later --at, or add the earlier entry to the file by hand "
        "in its place; the file was not changed"
    ]
    assert path.read_bytes() == before
    timeline = CliRunner().invoke(
        cli, ["timeline", "INC-2026-0101", "-e", "x", "--at", "2026-03-02T10:05:00Z", "--root", str(root)]
    )
    assert timeline.exit_code == 0, timeline.output
    early = CliRunner().invoke(
        cli, ["timeline", "INC-2026-0101", "-e", "y", "--at", "2026-03-02T10:04:00Z", "--root", str(root)]
    )
    assert early.exit_code == 1 and "before the last timeline entry" in early.output
