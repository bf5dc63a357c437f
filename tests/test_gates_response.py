"""The response gates of issue 9, each before, at and just after its boundary (plain and business time):
ack-overdue / ack-late, escalation-overdue / escalation-missed, the first gap counting toward update_every,
the internal timeline cadence, monitor_for, public_updates: optional, postmortems required by tag."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from incidents.gates import check_gates
from incidents.reading.validate import validate_root

SECOND = timedelta(seconds=1)
SERVICES = "services:\n  - id: api\n    name: API\n"
POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    acknowledge_within: 15m
    update_every: 30m
    internal_update_every: 15m
    monitor_for: 24h
    escalation:
      - {after: 0m, to: Incident commander}
      - {after: 30m, to: Engineering manager}
  - id: SEV-3
    name: Minor
    acknowledge_within: 1 business day
    update_every: 4 business hours
    postmortem: {required: false, due_within: 2bd}
  - id: SEV-4
    name: Low
    public_updates: optional
    acknowledge_within: 4bh
roles: [commander]
tags: [security, payments]
postmortem:
  required_sections: [Summary]
  required_for_tags: [security]
  due_within: 5d
calendar:
  timezone: Europe/Berlin
  working_hours: "09:00-17:00"
  working_days: [mon, tue, wed, thu, fri]
  holidays: [2026-12-25]
"""


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incident(
    inc_id="INC-1",
    severity="SEV-1",
    status="investigating",
    detected="2026-03-02T10:00:00Z",
    acknowledged=None,
    resolved=None,
    updates=(),
    timeline=(),
    escalations=(),
    visibility="public",
    tags=(),
    extra="",
):
    lines = [
        "---",
        f"id: {inc_id}",
        "title: Checkout errors",
        f"severity: {severity}",
        f"status: {status}",
        "services: [api]",
        "impact: major_outage",
        f"started_at: {detected}",
        f"detected_at: {detected}",
    ]
    if acknowledged:
        lines.append(f"acknowledged_at: {acknowledged}")
    if resolved:
        lines.append(f"resolved_at: {resolved}")
    lines.append(f"visibility: {visibility}")
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    for key, items, fields in (
        ("updates", updates, ("at", "status")),
        ("timeline", timeline, ("at", "event")),
        ("escalations", escalations, ("at", "to")),
    ):
        if items:
            lines.append(f"{key}:")
            for item in items:
                lines.append(
                    "  - {"
                    + ", ".join(f"{k}: {v}" for k, v in zip(fields, item))
                    + (", message: Working on it." if key == "updates" else "")
                    + "}"
                )
    lines += [extra.rstrip("\n")] if extra else []
    lines += ["---", ""]
    return "\n".join(lines)


def gates(
    tmp_path: Path, text: str, as_of: datetime, extra_files: dict | None = None, policy: str = POLICY
) -> list[tuple[str, str]]:
    (tmp_path / "policy").mkdir(exist_ok=True)
    (tmp_path / "policy" / "policy.yml").write_text(policy)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents").mkdir(exist_ok=True)
    (tmp_path / "incidents" / "INC-1.md").write_text(text)
    for name, body in (extra_files or {}).items():
        (tmp_path / "incidents" / name).write_text(body)
    report = validate_root(tmp_path)
    assert report.ok, report.findings
    return sorted((f.level, f.code) for f in check_gates(report.repository, as_of))


def codes(found, *names):
    return [c for c in found if c[1] in names]


# -- acknowledgement --------------------------------------------------------------------------------

OPEN_SEV1 = dict(
    updates=[("2026-03-02T10:00:00Z", "investigating")],
    timeline=[("2026-03-02T10:00:00Z", "paged")],
    escalations=[("2026-03-02T10:00:00Z", " incident  COMMANDER ")],
)


@pytest.mark.parametrize("offset,expected", [(-SECOND, []), (timedelta(0), []), (SECOND, [("error", "ack-overdue")])])
def test_ack_overdue_at_its_boundary(tmp_path, offset, expected):
    due = ts("2026-03-02T10:15:00Z")
    found = gates(tmp_path, incident(**OPEN_SEV1), due + offset)
    assert codes(found, "ack-overdue", "ack-late") == expected


@pytest.mark.parametrize(
    "ack,expected",
    [("2026-03-02T10:14:59Z", []), ("2026-03-02T10:15:00Z", []), ("2026-03-02T10:15:01Z", [("warning", "ack-late")])],
)
def test_ack_late_at_its_boundary(tmp_path, ack, expected):
    text = incident(
        status="identified",
        acknowledged=ack,
        **{**OPEN_SEV1, "updates": [("2026-03-02T10:00:00Z", "investigating"), ("2026-03-02T10:16:00Z", "identified")]},
    )
    found = gates(tmp_path, text, ts("2026-03-02T10:20:00Z"))
    assert codes(found, "ack-overdue", "ack-late") == expected


# -- escalation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset,expected", [(timedelta(0), []), (SECOND, [("error", "escalation-overdue")])])
def test_escalation_overdue_while_open(tmp_path, offset, expected):
    found = gates(tmp_path, incident(acknowledged=None, **OPEN_SEV1), ts("2026-03-02T10:30:00Z") + offset)
    assert codes(found, "escalation-overdue", "escalation-missed") == expected


def test_escalation_entry_naming_the_step_satisfies_it(tmp_path):
    text = incident(
        **{
            **OPEN_SEV1,
            "escalations": [
                ("2026-03-02T10:00:00Z", "Incident Commander"),
                ("2026-03-02T10:30:00Z", "engineering MANAGER"),
            ],
        }
    )
    found = gates(tmp_path, text, ts("2026-03-02T11:00:00Z"))
    assert codes(found, "escalation-overdue", "escalation-missed", "escalation-late") == []


@pytest.mark.parametrize(
    "to", ["e", "Engineering", "engineering manager (bob)", "Incident commander and Engineering manager"]
)
def test_a_part_of_a_name_never_reaches_a_step(tmp_path, to):
    text = incident(
        **{**OPEN_SEV1, "escalations": [("2026-03-02T10:00:00Z", "Incident commander"), ("2026-03-02T10:10:00Z", to)]}
    )
    found = gates(tmp_path, text, ts("2026-03-02T10:31:00Z"))
    assert codes(found, "escalation-overdue", "escalation-late") == [("error", "escalation-overdue")]


def test_an_escalation_after_the_step_time_is_late(tmp_path):
    # reached at minute 40 for the 30-minute step: a past miss, even while the incident is open
    text = incident(
        **{
            **OPEN_SEV1,
            "escalations": [
                ("2026-03-02T10:00:00Z", "Incident commander"),
                ("2026-03-02T10:40:00Z", "Engineering manager"),
            ],
        }
    )
    found = gates(tmp_path, text, ts("2026-03-02T11:00:00Z"))
    assert codes(found, "escalation-overdue", "escalation-late") == [("warning", "escalation-late")]


def test_an_early_entry_does_not_reach_a_later_step_it_does_not_name(tmp_path):
    # one entry to a list of names reaches each of them; a name of the step left out is still missing
    policy = POLICY.replace(
        "{after: 30m, to: Engineering manager}", "{after: 30m, to: [Engineering manager, CTO, CEO]}"
    )
    text = incident(
        **{
            **OPEN_SEV1,
            "escalations": [
                ("2026-03-02T10:00:00Z", "Incident commander"),
                ("2026-03-02T10:05:00Z", "[Engineering manager, cto]"),
            ],
        }
    )
    found = gates(tmp_path, text, ts("2026-03-02T10:31:00Z"), policy=policy)
    assert codes(found, "escalation-overdue") == [("error", "escalation-overdue")]
    text = text.replace("[Engineering manager, cto]", "[Engineering manager, cto, ceo]")
    found = gates(tmp_path, text, ts("2026-03-02T10:31:00Z"), policy=policy)
    assert codes(found, "escalation-overdue", "escalation-late") == []


def test_an_immediate_step_is_due_at_once(tmp_path):
    text = incident(**{**OPEN_SEV1, "escalations": []})
    found = gates(tmp_path, text, ts("2026-03-02T10:00:01Z"))
    assert codes(found, "escalation-overdue") == [("error", "escalation-overdue")]


@pytest.mark.parametrize(
    "resolved,expected", [("2026-03-02T10:30:00Z", []), ("2026-03-02T10:30:01Z", [("warning", "escalation-missed")])]
)
def test_escalation_missed_once_resolved(tmp_path, resolved, expected):
    text = incident(
        status="resolved",
        acknowledged="2026-03-02T10:05:00Z",
        resolved=resolved,
        **{**OPEN_SEV1, "updates": [("2026-03-02T10:00:00Z", "investigating"), (resolved, "resolved")]},
    )
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"))
    assert codes(found, "escalation-overdue", "escalation-missed") == expected


# -- cadences -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,expected", [("2026-03-02T10:30:00Z", []), ("2026-03-02T10:30:01Z", [("warning", "update-gap")])]
)
def test_the_gap_before_the_first_update_counts(tmp_path, first, expected):
    text = incident(**{**OPEN_SEV1, "updates": [(first, "investigating")]})
    found = gates(tmp_path, text, ts("2026-03-02T10:31:00Z"))
    assert codes(found, "update-gap") == expected


@pytest.mark.parametrize("offset,expected", [(timedelta(0), []), (SECOND, [("error", "timeline-overdue")])])
def test_internal_cadence_overdue(tmp_path, offset, expected):
    text = incident(
        visibility="internal", **{**OPEN_SEV1, "updates": (), "timeline": [("2026-03-02T10:05:00Z", "paged the DBA")]}
    )
    found = gates(tmp_path, text, ts("2026-03-02T10:20:00Z") + offset)
    assert codes(found, "timeline-overdue", "timeline-gap", "update-overdue") == expected


@pytest.mark.parametrize(
    "second,expected", [("2026-03-02T10:20:00Z", []), ("2026-03-02T10:20:01Z", [("warning", "timeline-gap")])]
)
def test_internal_cadence_gap(tmp_path, second, expected):
    text = incident(**{**OPEN_SEV1, "timeline": [("2026-03-02T10:05:00Z", "paged"), (second, "rolled back")]})
    found = gates(tmp_path, text, ts("2026-03-02T10:21:00Z"))
    assert codes(found, "timeline-gap") == expected


def test_public_incidents_are_held_to_both_cadences(tmp_path):
    text = incident(**{**OPEN_SEV1, "timeline": [("2026-03-02T10:00:00Z", "paged")]})
    found = gates(tmp_path, text, ts("2026-03-02T10:31:00Z"))
    assert codes(found, "timeline-overdue", "update-overdue") == [
        ("error", "timeline-overdue"),
        ("error", "update-overdue"),
    ]


def test_optional_public_updates_need_none(tmp_path):
    text = incident(
        severity="SEV-4", status="resolved", acknowledged="2026-03-02T10:05:00Z", resolved="2026-03-02T12:00:00Z"
    )
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"))
    assert found == []


# -- monitor_for ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resolved,expected", [("2026-03-03T10:59:59Z", [("warning", "monitor-short")]), ("2026-03-03T11:00:00Z", [])]
)
def test_monitor_for_at_its_boundary(tmp_path, resolved, expected):
    text = incident(
        status="resolved",
        acknowledged="2026-03-02T10:05:00Z",
        resolved=resolved,
        updates=[
            ("2026-03-02T10:00:00Z", "investigating"),
            ("2026-03-02T10:25:00Z", "monitoring"),
            ("2026-03-02T10:50:00Z", "investigating"),
            ("2026-03-02T11:00:00Z", "monitoring"),
            (resolved, "resolved"),
        ],
        escalations=[("2026-03-02T10:00:00Z", "incident commander"), ("2026-03-02T10:10:00Z", "engineering manager")],
    )
    found = gates(tmp_path, text, ts("2026-03-10T00:00:00Z"))
    # The stretch of monitoring that counts is the last one (the fix at 10:25 did not hold).
    assert codes(found, "monitor-short") == expected


# -- business time --------------------------------------------------------------------------------------

# Friday 2026-03-06 18:00 in Berlin (17:00Z): one business day ends Monday 17:00 Berlin (16:00Z).
FRIDAY_EVENING = "2026-03-06T17:00:00Z"


@pytest.mark.parametrize(
    "as_of,expected",
    [
        ("2026-03-07T12:00:00Z", []),  # Saturday: no working time has passed
        ("2026-03-09T16:00:00Z", []),  # Monday 17:00 Berlin: exactly one business day
        ("2026-03-09T16:00:01Z", [("error", "ack-overdue")]),
    ],
)
def test_friday_evening_sev3_is_due_next_business_day(tmp_path, as_of, expected):
    text = incident(severity="SEV-3", detected=FRIDAY_EVENING, updates=[(FRIDAY_EVENING, "investigating")])
    assert codes(gates(tmp_path, text, ts(as_of)), "ack-overdue") == expected


@pytest.mark.parametrize(
    "as_of,expected", [("2026-12-28T11:00:00Z", []), ("2026-12-28T11:00:01Z", [("error", "update-overdue")])]
)
def test_a_holiday_counts_no_working_time(tmp_path, as_of, expected):
    # Thursday 2026-12-24 16:00 Berlin: 1h that day, Friday 25 a holiday, then the weekend: 3h more on
    # Monday -> due 2026-12-28 12:00 Berlin (11:00Z).
    at = "2026-12-24T15:00:00Z"
    text = incident(severity="SEV-3", status="identified", detected=at, acknowledged=at, updates=[(at, "identified")])
    assert codes(gates(tmp_path, text, ts(as_of)), "update-overdue") == expected


def test_country_holidays_from_the_holidays_package(tmp_path):
    # Ascension Day (Thursday 2026-05-14) is a public holiday in Germany: 4bh from Wednesday 16:00 Berlin
    # is 1h that day and 3h on Friday -> Friday 12:00 Berlin (10:00Z).
    policy = POLICY.replace("  holidays: [2026-12-25]", "  holidays: {country: DE, subdivision: BY}")
    at = "2026-05-13T14:00:00Z"
    text = incident(severity="SEV-4", detected=at)
    for as_of, expected in (("2026-05-15T10:00:00Z", []), ("2026-05-15T10:00:01Z", [("error", "ack-overdue")])):
        root = tmp_path / as_of[:19].replace(":", "")
        root.mkdir()
        (root / "policy").mkdir()
        (root / "policy" / "policy.yml").write_text(policy)
        (root / "policy" / "services.yml").write_text(SERVICES)
        (root / "incidents").mkdir()
        (root / "incidents" / "INC-1.md").write_text(text)
        report = validate_root(root)
        assert report.ok, report.findings
        found = sorted((f.level, f.code) for f in check_gates(report.repository, ts(as_of)))
        assert codes(found, "ack-overdue") == expected


# -- postmortems required by tag ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of,level",
    [("2026-03-07T10:00:00Z", "warning"), ("2026-03-10T09:59:59Z", "warning"), ("2026-03-10T10:00:00Z", "error")],
)
def test_postmortem_required_by_tag_case_insensitively(tmp_path, as_of, level):
    # The tag's postmortem is due after the severity's due_within (2bd): resolved Friday 2026-03-06 11:00 Berlin,
    # + 6h that Friday, 8h on Monday, 2h on Tuesday -> Tuesday 2026-03-10 11:00 Berlin (10:00Z).
    at = "2026-03-02T10:00:00Z"
    text = incident(
        severity="SEV-3",
        status="resolved",
        detected=at,
        acknowledged=at,
        resolved="2026-03-06T10:00:00Z",
        tags=["Security"],
        updates=[
            (at, "investigating"),
            ("2026-03-02T11:00:00Z", "identified"),
            ("2026-03-02T13:00:00Z", "monitoring"),
            ("2026-03-06T10:00:00Z", "resolved"),
        ],
    )
    found = check_gates_messages(tmp_path, text, ts(as_of))
    (pm,) = [f for f in found if f.code == "postmortem-missing"]
    assert pm.level == level and "tag `Security` requires a postmortem" in pm.message


def check_gates_messages(tmp_path, text, as_of):
    gates(tmp_path, text, as_of)
    return check_gates(validate_root(tmp_path).repository, as_of)
