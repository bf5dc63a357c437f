"""`incidents new`: declare an incident as a new, valid record file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.authoring.checks import check_incident_bytes, create_checked
from incidents.authoring.repo import id_owner, next_free_id, scan
from incidents.authoring.yamltext import dq, scalar, timestamp
from incidents.findings import did_you_mean, one_of
from incidents.policy.policy_file import LoadedPolicy
from incidents.records.durations import format_duration
from incidents.records.fields import ID_PATTERN
from incidents.records.model import IMPACTS
from incidents.rules.common import control_characters

IMPACT_WORDS = {
    "degraded_performance": "degraded performance",
    "partial_outage": "a partial outage",
    "major_outage": "a major outage",
}
DEFAULT_IMPACT = "degraded_performance"

BODY = (
    "\n<!-- The narrative, shown on the incident's page: what happened, who was affected,\n"
    "     what we did. Public status-page text goes in `updates:` (use `incidents update`). -->\n"
)


@dataclass(frozen=True)
class NewIncident:
    severity: str
    title: str
    services: tuple[str, ...]
    at: datetime
    impact: str | dict[str, str] = DEFAULT_IMPACT
    roles: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    incident_id: str | None = None
    tags: tuple[str, ...] = ()
    visibility: str = "public"
    started_at: datetime | None = None  # default: `at`
    detected_at: datetime | None = None  # default: `at`


def default_message(req: NewIncident, loaded: LoadedPolicy) -> str:
    policy = loaded.policy
    names = [svc.name if (svc := policy.service(s)) is not None else s for s in req.services]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    impacts = req.impact.values() if isinstance(req.impact, dict) else [req.impact]
    worst = max(impacts, key=lambda i: IMPACTS.index(i) if i in IMPACTS else -1)
    text = f"We are investigating {IMPACT_WORDS.get(worst, worst)} affecting {listed}."
    sev = policy.severity(req.severity)
    if sev is not None and sev.update_every is not None:
        text += f" We will post an update within {format_duration(sev.update_every)}."
    else:
        text += " We will post an update as soon as we know more."
    return text


def render(req: NewIncident, incident_id: str, message: str) -> bytes:
    """The new record's text: readable YAML, free text double-quoted, ids and enums plain."""
    at = timestamp(req.at)
    lines = [
        "---",
        f"id: {scalar(incident_id)}",
        f"title: {dq(req.title)}",
        f"severity: {scalar(req.severity)}",
        "status: investigating",
        "services: [" + ", ".join(scalar(s) for s in req.services) + "]",
    ]
    if isinstance(req.impact, dict):
        lines.append("impact:")
        lines += [f"  {scalar(svc)}: {level}" for svc, level in req.impact.items()]
    else:
        lines.append(f"impact: {req.impact}")
    started = timestamp(req.started_at) if req.started_at is not None else at
    detected = timestamp(req.detected_at) if req.detected_at is not None else at
    lines += [f"started_at: {started}", f"detected_at: {detected}"]
    if req.visibility != "public":
        lines.append(f"visibility: {req.visibility}")
    if req.roles:
        lines.append("roles:")
        lines += [f"  {scalar(role)}: {dq(handle)}" for role, handle in req.roles.items()]
    if req.tags:
        lines.append("tags: [" + ", ".join(dq(t) for t in req.tags) + "]")
    lines += [
        "updates:",
        f"  - at: {at}",
        "    status: investigating",
        f"    message: {dq(message)}",
        "---",
    ]
    return ("\n".join(lines) + "\n" + BODY).encode("utf-8")


def _precheck(req: NewIncident, loaded: LoadedPolicy) -> list[str]:
    """Problems with the flags themselves, phrased as flags (the rules run afterwards too)."""
    policy = loaded.policy
    problems: list[str] = []
    bad = control_characters(req.title)
    if bad:
        problems.append(
            f"the title holds the control character{'s' if len(bad) > 1 else ''} {', '.join(bad)}, "
            "which no page can show; write it without"
        )
    if policy.severity(req.severity) is None:
        hint = did_you_mean(req.severity, policy.severity_ids)
        problems.append(f"unknown severity `{req.severity}`{hint}; the policy defines {one_of(policy.severity_ids)}")
    for svc in req.services:
        if policy.service(svc) is None:
            hint = did_you_mean(svc, policy.service_ids)
            problems.append(f"unknown service `{svc}`{hint}; policy/services.yml lists {one_of(policy.service_ids)}")
    for role in req.roles:
        if role not in policy.roles:
            hint = did_you_mean(role, policy.roles)
            problems.append(f"unknown role `{role}`{hint}; the policy's roles are {one_of(policy.roles)}")
    if policy.severity(req.severity) is not None:
        for role, why in policy.required_roles(req.severity, req.tags):
            if role not in req.roles:
                problems.append(f"{why} requires the role `{role}`: pass --role {role}=HANDLE")
    return problems


def create_incident(root: Path, loaded: LoadedPolicy, req: NewIncident) -> str:
    """Write the incident; return its path relative to the root. Raises AuthoringError."""
    problems = _precheck(req, loaded)
    if problems:
        raise AuthoringError("; ".join(problems) + "; nothing was written")
    refs = scan(root)
    year = req.at.astimezone(UTC).year
    if req.incident_id is not None:
        incident_id = req.incident_id
        if not ID_PATTERN.match(incident_id):
            raise AuthoringError(
                f"`{incident_id}` is not a valid id (letters, digits, `.`, `_`, `-`; "
                "at most 64 characters); nothing was written"
            )
        owner = id_owner(refs, incident_id)
        if owner is not None:
            raise AuthoringError(
                f"the id `{incident_id}` is already used by {owner.path}; "
                "pick another --id or leave it out; nothing was written"
            )
    else:
        incident_id = next_free_id(refs, year)
    rel = f"incidents/{year}/{incident_id}.md"
    message = req.message if req.message is not None else default_message(req, loaded)
    data = render(req, incident_id, message)
    _, errors = check_incident_bytes(data, rel, loaded)
    create_checked(root, rel, data, errors, "the new incident")
    return rel


__all__ = ["NewIncident", "create_incident", "default_message", "render"]
