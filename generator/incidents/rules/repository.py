"""Rules across files: unique ids, postmortems that point at real incidents."""

from __future__ import annotations

from dataclasses import dataclass

from incidents.findings import ERROR, Finding, did_you_mean
from incidents.policy.policy_file import Policy, process_rules_apply
from incidents.records.timestamps import TimestampError, parse_timestamp

# Ids that would publish a record page over one of the site's own pages
# (`incidents/index.md`, `postmortems/index.md`, `maintenance/index.md` are the index pages' sources).
RESERVED_IDS = frozenset({"index"})


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
    source: tuple[str, str] | None = None  # incidents: (system, id) of an imported record
    started_at: str | None = None  # incidents: as written
    opening_line: int = 1  # the line of the front matter's opening `---` (where a missing key is reported)


class _Probe:
    def __init__(self, source, started_at):
        self.source, self.started_at = source, started_at


def _probe(d: Declared, policy: Policy) -> _Probe:
    started = None
    if d.started_at is not None:
        try:
            started = parse_timestamp(d.started_at, policy.assume_timezone)
        except TimestampError:
            pass
    return _Probe(d.source, started)


def check_repository(declared: list[Declared], policy: Policy) -> tuple[list[Finding], set[str]]:
    """Findings across files, and the paths whose records must be dropped because of them."""
    findings: list[Finding] = []
    drop: set[str] = set()
    first = _unique_ids(declared, findings, drop)
    _unique_sources(declared, findings, drop)
    _postmortem_targets(declared, first, policy, findings, drop)
    return findings, drop


def _error(d: Declared, code: str, message: str) -> Finding:
    return Finding(d.path, d.line, d.column, ERROR, code, message)


def _unique_ids(declared: list[Declared], findings: list[Finding], drop: set[str]) -> dict[str, Declared]:
    """Incident and maintenance ids: unique, and none of the site's own pages. The first of each id."""
    first: dict[str, Declared] = {}
    for d in declared:
        if d.kind == "postmortem":
            continue
        if d.id.casefold() in RESERVED_IDS:
            findings.append(
                _error(
                    d,
                    "reserved-id",
                    f"id `{d.id}` names one of the site's own pages (`incidents/{d.id}/` "
                    "would replace an index page); choose another id",
                )
            )
            drop.add(d.path)
        if d.id in first:
            other = first[d.id]
            findings.append(
                _error(
                    d,
                    "duplicate-id",
                    f"id `{d.id}` is already used by {other.path}:{other.line}; ids are unique across the repository",
                )
            )
            drop.add(d.path)
        else:
            first[d.id] = d
    return first


def _unique_sources(declared: list[Declared], findings: list[Finding], drop: set[str]) -> None:
    """One record per source incident (`source: {system, id}`)."""
    sources: dict[tuple[str, str], Declared] = {}
    for d in declared:
        if d.source is None:
            continue
        if d.source in sources:
            other = sources[d.source]
            findings.append(
                _error(
                    d,
                    "duplicate-source",
                    f"`source` {d.source[0]} `{d.source[1]}` is already imported as `{other.id}` "
                    f"({other.path}:{other.line}); one record per source incident",
                )
            )
            drop.add(d.path)
        else:
            sources[d.source] = d


def _postmortem_targets(
    declared: list[Declared], first: dict[str, Declared], policy: Policy, findings: list[Finding], drop: set[str]
) -> None:
    """Each postmortem names a real incident, at most one per incident; `action_items` written when the
    incident's severity requires a postmortem (omitted is an error at the postmortem; the postmortem still
    exists for `check`, as one with `action_items: []` does)."""
    incident_ids = {d.id: d for d in declared if d.kind == "incident"}
    seen_pm: dict[str, Declared] = {}
    for d in declared:
        if d.kind != "postmortem":
            continue
        target = incident_ids.get(d.id)
        if target is None:
            hint = did_you_mean(d.id, incident_ids)
            what = " (that is a maintenance window)" if d.id in first else ""
            findings.append(_error(d, "unknown-incident", f"postmortem for unknown incident `{d.id}`{what}{hint}"))
            drop.add(d.path)
            continue
        if d.id in seen_pm:
            other = seen_pm[d.id]
            findings.append(
                _error(
                    d,
                    "duplicate-postmortem",
                    f"incident `{d.id}` already has a postmortem in {other.path}; keep one postmortem per incident",
                )
            )
            drop.add(d.path)
            continue
        seen_pm[d.id] = d
        sev = policy.severity(target.severity) if target.severity else None
        if (
            sev is not None
            and sev.postmortem_required
            and not d.has_action_items
            and process_rules_apply(_probe(target, policy), policy)
        ):
            findings.append(
                Finding(
                    d.path,
                    d.opening_line,
                    1,
                    ERROR,
                    "missing-field",
                    f"`action_items` is required: severity `{sev.id}` requires a postmortem "
                    "with action items (write `action_items: []` if there are none)",
                )
            )
