"""Run the foundation's rules on candidate bytes before they are written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from incidents.authoring import AuthoringError, atomic
from incidents.findings import ERROR, Finding, sort_findings
from incidents.policy.policy_file import LoadedPolicy, load_policy
from incidents.reading.discovery import check_root
from incidents.records.source import SourceFile, read_record
from incidents.records.timestamps import TimestampError, parse_timestamp
from incidents.rules.incident import read_incident
from incidents.rules.postmortem import read_postmortem


def load(root: Path) -> tuple[Path, LoadedPolicy]:
    """The root (checked) and its policy; a policy that cannot be used stops here."""
    root = check_root(Path(root))
    loaded = load_policy(root)
    if not loaded.usable or not loaded.policy.severities:
        errors = tuple(f for f in loaded.findings if f.level == ERROR)
        raise AuthoringError("the policy cannot be used (fix policy/ first; `incidents validate` lists why)", errors)
    return root, loaded


def parse_at(text: str | None, loaded: LoadedPolicy, now: datetime) -> datetime:
    """--at TIMESTAMP (or `now` to the second) as an aware datetime; TimestampError if unusable."""
    if text is None:
        return now.replace(microsecond=0)
    return parse_timestamp(text, loaded.policy.assume_timezone)


def errors_of(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sort_findings(f for f in findings if f.level == ERROR))


def check_incident_bytes(data: bytes, rel: str, loaded: LoadedPolicy) -> tuple[SourceFile | None, tuple[Finding, ...]]:
    """The source and the error findings the incident rules give for `data` as file `rel`."""
    src, findings = read_record(data, rel)
    if src is None:
        return None, errors_of(findings)
    findings = list(findings)
    if src.front_matter.data.get("type", "incident") != "incident":
        findings.append(Finding(rel, 1, 1, ERROR, "unknown-type", "this is not an incident record"))
        return src, errors_of(findings)
    read_incident(src, loaded.policy, findings, policy_usable=loaded.usable)
    return src, errors_of(findings)


def check_maintenance_bytes(
    data: bytes, rel: str, loaded: LoadedPolicy
) -> tuple[SourceFile | None, tuple[Finding, ...]]:
    """The source and the error findings the maintenance rules give for `data` as file `rel`."""
    from incidents.rules.maintenance import read_maintenance

    src, findings = read_record(data, rel)
    if src is None:
        return None, errors_of(findings)
    findings = list(findings)
    if src.front_matter.data.get("type") != "maintenance":
        findings.append(Finding(rel, 1, 1, ERROR, "unknown-type", "this is not a maintenance record"))
        return src, errors_of(findings)
    read_maintenance(src, loaded.policy, findings, policy_usable=loaded.usable)
    return src, errors_of(findings)


def check_postmortem_bytes(data: bytes, rel: str, loaded: LoadedPolicy) -> tuple[Finding, ...]:
    src, findings = read_record(data, rel)
    if src is None:
        return errors_of(findings)
    findings = list(findings)
    read_postmortem(src, loaded.policy, findings)
    return errors_of(findings)


__all__ = [
    "AuthoringError",
    "TimestampError",
    "check_incident_bytes",
    "check_maintenance_bytes",
    "check_postmortem_bytes",
    "errors_of",
    "load",
    "parse_at",
]


def create_checked(root: Path, rel: str, data: bytes, errors, what: str) -> str:
    """Write a new record file only when it validates (`errors` empty) and never over an existing file:
    the one way `new`, `maintenance new` and `postmortem` create files. Returns `rel`."""
    if errors:
        raise AuthoringError(f"{what} would not validate; nothing was written", errors)
    try:
        atomic.create(root / rel, data)
    except FileExistsError:
        raise AuthoringError(f"{rel} already exists; nothing was written (never overwritten)") from None
    return rel
