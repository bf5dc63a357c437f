"""`incidents maintenance new`: announce a maintenance window as a new, valid record file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.authoring.checks import check_maintenance_bytes, create_checked
from incidents.authoring.repo import id_owner, scan
from incidents.authoring.yamltext import dq, scalar, timestamp
from incidents.findings import did_you_mean, one_of
from incidents.policy.policy_file import LoadedPolicy
from incidents.records.fields import ID_PATTERN
from incidents.rules.common import control_characters

MNT_ID = re.compile(r"^MNT-(\d{4})-(\d+)$")


@dataclass(frozen=True)
class NewMaintenance:
    title: str
    services: tuple[str, ...]
    start: datetime
    end: datetime
    at: datetime  # when it is announced (the first update)
    message: str | None = None
    maintenance_id: str | None = None


def next_free_maintenance_id(refs, year: int) -> str:
    highest = 0
    for ref in refs:
        for name in (ref.id or "", Path(ref.path).name.split(".", 1)[0]):
            m = MNT_ID.match(name)
            if m and int(m.group(1)) == year:
                highest = max(highest, int(m.group(2)))
    return f"MNT-{year}-{highest + 1:04d}"


def render(req: NewMaintenance, maintenance_id: str) -> bytes:
    lines = [
        "---",
        "type: maintenance",
        f"id: {scalar(maintenance_id)}",
        f"title: {dq(req.title)}",
        "services: [" + ", ".join(scalar(s) for s in req.services) + "]",
        f"scheduled_start: {timestamp(req.start)}",
        f"scheduled_end: {timestamp(req.end)}",
        "status: scheduled",
    ]
    if req.message is not None:
        lines += [
            "updates:",
            f"  - at: {timestamp(req.at)}",
            "    status: scheduled",
            f"    message: {dq(req.message)}",
        ]
    lines.append("---")
    return ("\n".join(lines) + "\n\n<!-- What changes, and what users may notice. -->\n").encode("utf-8")


def create_maintenance(root: Path, loaded: LoadedPolicy, req: NewMaintenance) -> str:
    """Write the maintenance window; return its path relative to the root. Raises AuthoringError."""
    policy = loaded.policy
    problems = []
    bad = control_characters(req.title)
    if bad:
        problems.append(
            f"the title holds the control character{'s' if len(bad) > 1 else ''} {', '.join(bad)}; write it without"
        )
    for svc in req.services:
        if policy.service(svc) is None:
            hint = did_you_mean(svc, policy.service_ids)
            problems.append(f"unknown service `{svc}`{hint}; policy/services.yml lists {one_of(policy.service_ids)}")
    if req.end <= req.start:
        problems.append("--end must be after --start")
    if problems:
        raise AuthoringError("; ".join(problems) + "; nothing was written")
    refs = scan(root)
    year = req.start.astimezone(UTC).year
    maintenance_id = req.maintenance_id
    if maintenance_id is not None:
        if not ID_PATTERN.match(maintenance_id):
            raise AuthoringError(f"`{maintenance_id}` is not a valid id; nothing was written")
        owner = id_owner(refs, maintenance_id)
        if owner is not None:
            raise AuthoringError(f"the id `{maintenance_id}` is already used by {owner.path}; nothing was written")
    else:
        maintenance_id = next_free_maintenance_id(refs, year)
    rel = f"incidents/{year}/{maintenance_id}.md"
    data = render(req, maintenance_id)
    _, errors = check_maintenance_bytes(data, rel, loaded)
    return create_checked(root, rel, data, errors, "the maintenance window")


__all__ = ["NewMaintenance", "create_maintenance", "next_free_maintenance_id", "render"]
