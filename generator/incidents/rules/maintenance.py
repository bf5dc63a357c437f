"""Rules for one maintenance file (contract section 4) -> a Maintenance record, or findings."""

from __future__ import annotations

from incidents.findings import Finding
from incidents.policy.policy_file import Policy
from incidents.records.fields import Fields
from incidents.records.model import MAINTENANCE_STATUSES, VISIBILITIES, Lines, Maintenance
from incidents.records.source import SourceFile
from incidents.records.timestamps import iso_utc
from incidents.rules.common import (
    check_chronology,
    check_last_status,
    check_title,
    check_update_placeholders,
    field_lines,
    read_services,
    read_updates,
)

MAINTENANCE_KEYS = (
    "type",
    "id",
    "title",
    "services",
    "scheduled_start",
    "scheduled_end",
    "status",
    "updates",
    "visibility",
)


def read_maintenance(
    src: SourceFile, policy: Policy, findings: list[Finding], *, policy_usable: bool = True
) -> Maintenance | None:
    f = Fields(src.front_matter, src.path, findings, policy.assume_timezone)
    errors_before = sum(1 for x in findings if x.level == "error")
    f.unknown_keys((), MAINTENANCE_KEYS, what="maintenance field")

    maintenance_id = f.identifier(("id",), what="maintenance id")
    title = f.text(("title",), max_len=200)
    check_title(f, title)
    services = read_services(f, policy, policy_usable=policy_usable)
    start = f.timestamp(("scheduled_start",))
    end = f.timestamp(("scheduled_end",))
    status = f.choice(("status",), MAINTENANCE_STATUSES, code="unknown-status", what="maintenance status")
    visibility = (
        f.choice(("visibility",), VISIBILITIES, code="invalid-value", what="visibility", required=False) or "public"
    )
    if start is not None and end is not None and end <= start:
        f.error(
            ("scheduled_end",),
            "timestamp-order",
            f"`scheduled_end` ({iso_utc(end)}) must be after `scheduled_start` ({iso_utc(start)})",
        )
    updates, updates_ok = read_updates(f, MAINTENANCE_STATUSES)
    check_chronology(f, "updates", updates, None, None, "", "", "update")
    if updates_ok:
        check_last_status(f, updates, status)
    if visibility == "public":
        check_update_placeholders(f, updates, policy.placeholders, policy.placeholder_patterns)

    if sum(1 for x in findings if x.level == "error") != errors_before:
        return None
    if maintenance_id is None or title is None or services is None or start is None or end is None or status is None:
        return None  # left unusable by an error in the policy (reported there)
    return Maintenance(
        id=maintenance_id,
        title=title,
        services=tuple(services),
        scheduled_start=start,
        scheduled_end=end,
        status=status,
        updates=tuple(updates),
        visibility=visibility,
        body=src.body,
        body_line=src.body_line,
        lines=Lines(src.path, src.front_matter.line, field_lines(f)),
    )
