"""incidents.gates: each gate at, just before and just after its boundary (contract sections 3 and 7)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from incidents.codes import CODES
from incidents.gates import check_gates, placeholder_pattern, sections
from incidents.reading.validate import validate_root

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    update_every: 30m
    first_update_within: 15m
    postmortem: {required: true, due_within: 48h}
  - id: SEV-2
    name: Major
    update_every: 1h
roles: [commander]
priorities: [P1, P2]
postmortem:
  required_sections: [Summary, Root Cause]
  placeholders: ["TBD", "TODO", "[INCIDENT-ID]"]
"""

SERVICES = "services:\n  - id: api\n    name: API\n"

SECOND = timedelta(seconds=1)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(
    inc_id="INC-1",
    severity="SEV-1",
    status="resolved",
    detected="2026-03-01T10:00:00Z",
    acknowledged="2026-03-01T10:05:00Z",
    resolved="2026-03-01T12:00:00Z",
    updates=None,
    visibility="public",
):
    """An incident started at 10:00Z; updates are (at, status) pairs."""
    if updates is None:
        updates = [
            ("2026-03-01T10:10:00Z", "investigating"),
            ("2026-03-01T10:35:00Z", "identified"),
            ("2026-03-01T11:00:00Z", "monitoring"),
            ("2026-03-01T11:25:00Z", "monitoring"),
            ("2026-03-01T11:50:00Z", "monitoring"),
            (resolved, "resolved"),
        ]
    lines = [
        "---",
        f"id: {inc_id}",
        "title: Checkout errors",
        f"severity: {severity}",
        f"status: {status}",
        "services: [api]",
        "impact: major_outage",
        "started_at: 2026-03-01T10:00:00Z",
        f"detected_at: {detected}",
    ]
    if acknowledged and status != "investigating":
        lines.append(f"acknowledged_at: {acknowledged}")
    if status == "resolved":
        lines.append(f"resolved_at: {resolved}")
    lines.append(f"visibility: {visibility}")
    if updates:
        lines.append("updates:")
        for at, st in updates:
            lines += [f"  - at: {at}", f"    status: {st}", "    message: Working on it."]
    lines += ["---", "", "Narrative.", ""]
    return "\n".join(lines)


COMPLETE_BODY = """
## Summary

Checkout failed for 2 hours.

## Root Cause

A bad deploy.
"""


def postmortem(inc_id="INC-1", status="published", body=COMPLETE_BODY, items=None, extra=""):
    if items is None:
        items = [dict(title="Add a canary", owner="alice", due="2026-03-20", priority="P1", status="open")]
    lines = ["---", "type: postmortem", f"incident: {inc_id}", f"status: {status}", "authors: [alice]"]
    if status == "published":
        lines.append("date: 2026-03-02")
    if extra:
        lines.append(extra)
    lines.append("action_items:" if items else "action_items: []")
    for item in items:
        first = True
        for key, value in item.items():
            lines.append(("  - " if first else "    ") + f"{key}: {value}")
            first = False
    lines += ["---", body.lstrip("\n")]
    return "\n".join(lines)


def make_root(tmp: Path, records: dict[str, str]) -> Path:
    (tmp / "policy").mkdir(parents=True, exist_ok=True)
    (tmp / "incidents").mkdir(exist_ok=True)
    (tmp / "policy" / "policy.yml").write_text(POLICY)
    (tmp / "policy" / "services.yml").write_text(SERVICES)
    for rel, text in records.items():
        (tmp / rel).write_text(text)
    return tmp


def gates(tmp: Path, records: dict[str, str], as_of: str | datetime, with_sources=True):
    report = validate_root(make_root(tmp, records), keep_sources=True)
    assert report.errors == 0, report.findings
    instant = ts(as_of) if isinstance(as_of, str) else as_of
    return sorted(check_gates(report.repository, instant, report.sources if with_sources else None))


def line_of(text: str, needle: str, nth: int = 1) -> int:
    seen = 0
    for n, line in enumerate(text.split("\n"), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return n
    raise AssertionError(f"{needle!r} not in text")


def codes(findings):
    return [(f.code, f.level) for f in findings]


# -- postmortems --------------------------------------------------------------

DUE = ts("2026-03-03T12:00:00Z")  # resolved 2026-03-01T12:00Z + 48h


@pytest.mark.parametrize("as_of, level", [(DUE - SECOND, "warning"), (DUE, "error"), (DUE + SECOND, "error")])
def test_missing_postmortem_at_its_due_boundary(tmp_path, as_of, level):
    inc = incident()
    found = gates(tmp_path, {"incidents/INC-1.md": inc}, as_of)
    assert codes(found) == [("postmortem-missing", level)]
    f = found[0]
    assert (f.path, f.line) == ("incidents/INC-1.md", line_of(inc, "resolved_at:"))
    assert "INC-1" in f.message and "2026-03-03T12:00:00Z" in f.message


def test_open_incident_needs_no_postmortem_yet(tmp_path):
    inc = incident(status="identified", updates=[("2026-03-01T10:10:00Z", "identified")])
    assert gates(tmp_path, {"incidents/INC-1.md": inc}, "2026-03-01T10:20:00Z") == []


def test_complete_postmortem_passes(tmp_path):
    found = gates(
        tmp_path,
        {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": postmortem()},
        "2026-03-10T00:00:00Z",
    )
    assert found == []


def test_severity_without_required_postmortem_is_not_gated(tmp_path):
    pm = postmortem(status="draft", body="## Summary\nTBD\n")
    found = gates(
        tmp_path,
        {"incidents/INC-1.md": incident(severity="SEV-2"), "incidents/INC-1.postmortem.md": pm},
        "2027-01-01T00:00:00Z",
    )
    # Only the overdue action item: completeness is not gated for SEV-2.
    assert codes(found) == [("action-item-overdue", "error")]


@pytest.mark.parametrize("as_of, level", [(DUE - SECOND, "warning"), (DUE, "error"), (DUE + SECOND, "error")])
def test_draft_postmortem_at_its_due_boundary(tmp_path, as_of, level):
    pm = postmortem(status="draft")
    found = gates(tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, as_of)
    assert codes(found) == [("postmortem-unpublished", level)]
    f = found[0]
    assert (f.path, f.line) == ("incidents/INC-1.postmortem.md", line_of(pm, "status: draft"))
    assert "INC-1" in f.message and "`draft`" in f.message


def test_placeholders_in_body_and_front_matter_at_their_lines(tmp_path):
    body = COMPLETE_BODY + "\nFollow-up: TODO, see [INCIDENT-ID].\nTBDs and TODOist and tbd are words.\n"
    items = [dict(title="Add a canary", owner="TBD", due="2026-03-20", priority="P1", status="open")]
    pm = postmortem(body=body, items=items)
    found = gates(tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, DUE + SECOND)
    got = [(f.code, f.line, f.column) for f in found]
    follow = line_of(pm, "Follow-up:")
    assert got == [
        ("postmortem-placeholder", line_of(pm, "owner: TBD"), 12),
        ("postmortem-placeholder", follow, 12),
        ("postmortem-placeholder", follow, 22),
    ]
    assert all(f.level == "error" and "INC-1" in f.message for f in found)
    assert "`[INCIDENT-ID]`" in found[2].message


def test_placeholder_in_front_matter_without_sources(tmp_path):
    items = [dict(title="Add a canary", owner="TBD", due="2026-03-20", priority="P1", status="open")]
    pm = postmortem(items=items)
    found = gates(
        tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, DUE, with_sources=False
    )  # the file is read again to place it
    assert [(f.code, f.line) for f in found] == [("postmortem-placeholder", line_of(pm, "owner: TBD"))]


def test_placeholder_in_a_front_matter_comment(tmp_path):
    pm = postmortem(extra="# reviewer: TODO check the numbers")
    found = gates(tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, DUE)
    assert [(f.code, f.line, f.column) for f in found] == [("postmortem-placeholder", line_of(pm, "# reviewer"), 13)]


def test_placeholder_pattern_whole_word_or_bracketed():
    pattern = placeholder_pattern(["TBD", "TODO", "[INCIDENT-ID]"])
    hits = lambda text: [m.group(0) for m in pattern.finditer(text)]  # noqa: E731
    assert hits("TBD") == ["TBD"]
    assert hits("Owner: TBD.") == ["TBD"]
    assert hits("(TODO)") == ["TODO"]
    assert hits("TBDs TODOist xTBD tbd Todo") == []
    assert hits("see[INCIDENT-ID]here") == ["[INCIDENT-ID]"]
    assert hits("INCIDENT-ID") == []
    assert placeholder_pattern([]) is None


def test_sections_missing_empty_and_case_insensitive(tmp_path):
    body = """# Postmortem

## summary

It broke.

```
## Root Cause
(inside a code block: not a heading)
```

## Impact
<!-- comment only -->
"""
    pol = POLICY.replace("[Summary, Root Cause]", "[Summary, Root Cause, Impact]")
    make_root(tmp_path, {})
    (tmp_path / "policy" / "policy.yml").write_text(pol)
    pm = postmortem(body=body)
    (tmp_path / "incidents" / "INC-1.md").write_text(incident())
    (tmp_path / "incidents" / "INC-1.postmortem.md").write_text(pm)
    report = validate_root(tmp_path, keep_sources=True)
    assert report.errors == 0
    found = sorted(check_gates(report.repository, DUE, report.sources))
    body_start = line_of(pm, "# Postmortem")
    assert [(f.code, f.line) for f in found] == [
        ("postmortem-section-missing", body_start),  # Root Cause only inside a fence
        ("postmortem-section-empty", line_of(pm, "## Impact")),  # an HTML comment is not text
    ]
    assert "`## Root Cause`" in found[0].message


def test_sections_parser():
    body = "## A ##\ntext\n### sub\nmore\n## B\n\n# C\n"
    got = [(line, level, title, text.strip()) for line, level, title, text in sections(body)]
    assert got == [(0, 2, "A", "text\n### sub\nmore"), (2, 3, "sub", "more"), (4, 2, "B", ""), (6, 1, "C", "")]


def test_action_item_without_owner_due_or_priority(tmp_path):
    items = [
        dict(title="Add a canary", status="done"),
        dict(title="Write a runbook", owner="bob", due="2026-03-20", priority="P2", status="open"),
    ]
    pm = postmortem(items=items)
    found = gates(tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, DUE - SECOND)
    assert [(f.code, f.level, f.line) for f in found] == [
        ("action-item-incomplete", "warning", line_of(pm, "title: Add a canary"))
    ]
    assert "`owner`, `due`, `priority`" in found[0].message


# -- action items -------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, overdue",
    [
        ("2026-03-20T23:59:59Z", False),  # the due date itself: not yet late
        ("2026-03-21T00:00:00Z", True),  # the next day (UTC)
        ("2026-03-21T01:00:00+02:00", False),  # = 2026-03-20T23:00Z: still the due date in UTC
        ("2026-04-30T00:00:00Z", True),
    ],
)
def test_action_item_overdue_boundary(tmp_path, as_of, overdue):
    pm = postmortem()
    found = gates(tmp_path, {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": pm}, as_of)
    if overdue:
        assert [(f.code, f.level, f.line) for f in found] == [
            ("action-item-overdue", "error", line_of(pm, "title: Add a canary"))
        ]
        assert "INC-1" in found[0].message and "2026-03-20" in found[0].message
    else:
        assert found == []


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_action_items_are_never_overdue(tmp_path, status):
    items = [dict(title="Add a canary", owner="alice", due="2026-03-20", priority="P1", status=status)]
    found = gates(
        tmp_path,
        {"incidents/INC-1.md": incident(), "incidents/INC-1.postmortem.md": postmortem(items=items)},
        "2027-01-01T00:00:00Z",
    )
    assert found == []


# -- update cadence -------------------------------------------------------------

OPEN_UPDATES = [("2026-03-01T10:10:00Z", "investigating"), ("2026-03-01T10:30:00Z", "identified")]
LAST = ts("2026-03-01T10:30:00Z")  # update_every 30m -> overdue after 11:00:00Z


@pytest.mark.parametrize(
    "as_of, overdue",
    [
        (LAST + timedelta(minutes=30) - SECOND, False),
        (LAST + timedelta(minutes=30), False),
        (LAST + timedelta(minutes=30) + SECOND, True),
    ],
)
def test_update_overdue_boundary(tmp_path, as_of, overdue):
    inc = incident(status="identified", updates=OPEN_UPDATES)
    found = gates(tmp_path, {"incidents/INC-1.md": inc}, as_of)
    if overdue:
        assert [(f.code, f.level, f.line) for f in found] == [
            ("update-overdue", "error", line_of(inc, "- at: 2026-03-01T10:30:00Z"))
        ]
        assert "INC-1" in found[0].message and "30m" in found[0].message
    else:
        assert found == []


def test_internal_incident_has_no_cadence(tmp_path):
    inc = incident(status="identified", updates=[], visibility="internal", detected="2026-03-01T10:00:00Z")
    assert gates(tmp_path, {"incidents/INC-1.md": inc}, "2026-03-05T00:00:00Z") == []


@pytest.mark.parametrize(
    "first, late", [("2026-03-01T10:14:59Z", False), ("2026-03-01T10:15:00Z", False), ("2026-03-01T10:15:01Z", True)]
)
@pytest.mark.parametrize("status", ["identified", "resolved"])
def test_first_update_late_boundary(tmp_path, first, late, status):
    # detected 10:00Z, first_update_within 15m
    if status == "resolved":
        updates = [(first, "investigating"), ("2026-03-01T10:40:00Z", "resolved")]
        inc = incident(status=status, updates=updates, resolved="2026-03-01T10:40:00Z")
        records = {"incidents/INC-1.md": inc, "incidents/INC-1.postmortem.md": postmortem()}
    else:
        inc = incident(status=status, updates=[(first, status)])
        records = {"incidents/INC-1.md": inc}
    found = gates(tmp_path, records, "2026-03-01T10:20:00Z")
    if late:
        level = "error" if status == "identified" else "warning"
        assert [(f.code, f.level, f.line) for f in found] == [
            ("first-update-late", level, line_of(inc, f"- at: {first}"))
        ]
        assert "INC-1" in found[0].message
    else:
        assert found == []


@pytest.mark.parametrize("second, gap", [("2026-03-01T11:10:00Z", False), ("2026-03-01T11:10:01Z", True)])
def test_resolved_update_gap_is_a_warning(tmp_path, second, gap):
    # SEV-2: update_every 1h; updates at 10:10 and `second`
    inc = incident(
        severity="SEV-2", updates=[("2026-03-01T10:10:00Z", "investigating"), (second, "resolved")], resolved=second
    )
    found = gates(tmp_path, {"incidents/INC-1.md": inc}, "2026-06-01T00:00:00Z")
    if gap:
        assert [(f.code, f.level, f.line) for f in found] == [
            ("update-gap", "warning", line_of(inc, f"- at: {second}"))
        ]
        assert "INC-1" in found[0].message and "1h" in found[0].message
    else:
        assert found == []


def test_open_incident_past_gap_warns_and_current_gap_errs(tmp_path):
    updates = [("2026-03-01T10:10:00Z", "investigating"), ("2026-03-01T11:00:00Z", "identified")]
    inc = incident(status="identified", updates=updates)
    found = gates(tmp_path, {"incidents/INC-1.md": inc}, "2026-03-01T12:00:00Z")
    second = line_of(inc, "- at: 2026-03-01T11:00:00Z")
    # 10:10 -> 11:00 is 50m > 30m: a past miss; 11:00 -> as-of 12:00 is 1h > 30m: overdue now.
    assert sorted((f.code, f.level, f.line) for f in found) == [
        ("update-gap", "warning", second),
        ("update-overdue", "error", second),
    ]


def test_as_of_must_be_aware(tmp_path):
    report = validate_root(make_root(tmp_path, {}))
    with pytest.raises(ValueError):
        check_gates(report.repository, datetime(2026, 3, 1))


def test_every_gate_code_is_registered():
    for code in (
        "postmortem-missing",
        "postmortem-unpublished",
        "postmortem-section-missing",
        "postmortem-section-empty",
        "postmortem-placeholder",
        "action-item-incomplete",
        "action-item-overdue",
        "update-overdue",
        "first-update-late",
        "update-gap",
    ):
        assert code in CODES
    for module in (Path(__file__).parents[1] / "generator" / "gates").glob("*.py"):
        source = module.read_text()
        assert "datetime.now" not in source and "time.time" not in source


def test_as_of_with_offset_is_the_same_instant(tmp_path):
    inc = incident()
    utc = gates(tmp_path, {"incidents/INC-1.md": inc}, DUE)
    shifted = sorted(check_gates(validate_root(tmp_path).repository, DUE.astimezone(timezone(timedelta(hours=5)))))
    assert utc == shifted and utc[0].level == "error"
