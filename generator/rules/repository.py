"""Rules across files: unique ids, postmortems that point at real incidents."""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import ERROR, Finding, did_you_mean
from ..policy import Policy


@dataclass(frozen=True, slots=True)
class Declared:
    """An id as written in a file (valid or not), with where it was written."""

    id: str
    path: str
    line: int
    column: int
    kind: str  # incident | maintenance | postmortem (for postmortems: the incident it names)
    severity: str | None = None
    has_action_items: bool = True


def check_repository(declared: list[Declared], policy: Policy) -> tuple[list[Finding], set[str]]:
    """Findings across files, and the paths whose records must be dropped because of them."""
    findings: list[Finding] = []
    drop: set[str] = set()
    first: dict[str, Declared] = {}
    for d in declared:
        if d.kind == "postmortem":
            continue
        if d.id in first:
            other = first[d.id]
            findings.append(Finding(d.path, d.line, d.column, ERROR, "duplicate-id",
                                    f"id `{d.id}` is already used by {other.path}:{other.line}; ids are unique "
                                    "across the repository"))
            drop.add(d.path)
        else:
            first[d.id] = d

    incident_ids = {d.id: d for d in declared if d.kind == "incident"}
    seen_pm: dict[str, Declared] = {}
    for d in declared:
        if d.kind != "postmortem":
            continue
        target = incident_ids.get(d.id)
        if target is None:
            hint = did_you_mean(d.id, incident_ids)
            what = " (that is a maintenance window)" if d.id in first else ""
            findings.append(Finding(d.path, d.line, d.column, ERROR, "unknown-incident",
                                    f"postmortem for unknown incident `{d.id}`{what}{hint}"))
            drop.add(d.path)
            continue
        if d.id in seen_pm:
            other = seen_pm[d.id]
            findings.append(Finding(d.path, d.line, d.column, ERROR, "duplicate-postmortem",
                                    f"incident `{d.id}` already has a postmortem in {other.path}; "
                                    "keep one postmortem per incident"))
            drop.add(d.path)
            continue
        seen_pm[d.id] = d
        sev = policy.severity(target.severity) if target.severity else None
        if sev is not None and sev.postmortem_required and not d.has_action_items:
            findings.append(Finding(d.path, 1, 1, ERROR, "missing-field",
                                    f"`action_items` is required: severity `{sev.id}` requires a postmortem "
                                    "with action items (write `action_items: []` if there are none)"))
            drop.add(d.path)
    return findings, drop
