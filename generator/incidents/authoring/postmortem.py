"""`incidents postmortem`: a draft postmortem beside its incident.

The skeleton has every heading the policy requires, each followed by one of
the policy's placeholders, and one action item to copy: it is a draft, and
`incidents check` flags the placeholders once the postmortem is due.
"""

from __future__ import annotations

from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.authoring.checks import check_postmortem_bytes, create_checked
from incidents.authoring.repo import find_incident, scan
from incidents.authoring.yamltext import dq, scalar
from incidents.policy.policy_file import LoadedPolicy
from incidents.records.source import read_record

DEFAULT_SECTIONS = ("Summary", "Impact", "Timeline", "Root Cause", "Action Items")
DEFAULT_PLACEHOLDER = "TODO"


def postmortem_path(incident_path: str) -> str:
    stem = incident_path[:-3] if incident_path.endswith(".md") else incident_path
    return f"{stem}.postmortem.md"


def _timeline_lines(fm: dict) -> list[str]:
    """What the incident file already says happened when (a start for the Timeline section)."""
    out = []
    for key in ("started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"):
        value = fm.get(key)
        if isinstance(value, str) and value:
            out.append(f"- {value} {key.removesuffix('_at').replace('_', ' ')}")
    return out


def render(incident_id: str, fm: dict, authors: list[str], loaded: LoadedPolicy) -> bytes:
    policy = loaded.policy
    placeholder = policy.placeholders[0] if policy.placeholders else DEFAULT_PLACEHOLDER
    sections = policy.required_sections or DEFAULT_SECTIONS
    written = fm.get("title")
    title = written if isinstance(written, str) else incident_id
    lines = [
        "---",
        "type: postmortem",
        f"incident: {scalar(incident_id)}",
        "status: draft            # draft -> in_review -> published (then add `date: YYYY-MM-DD`)",
        f"title: {dq('Postmortem: ' + title)}",
        "authors: [" + ", ".join(dq(a) for a in authors) + "]",
        "action_items:",
        f"  - title: {dq(placeholder + ': what will we change?')}",
        f"    owner: {dq(placeholder)}",
        "    # due: YYYY-MM-DD     (every action item needs an owner, a due date and a priority)",
    ]
    if policy.priorities:
        lines.append(
            f"    priority: {scalar(policy.priorities[0])}"
            + (f"          # one of {', '.join(policy.priorities)}" if len(policy.priorities) > 1 else "")
        )
    lines += ["    status: open         # open, done or cancelled", "---", ""]
    for name in sections:
        lines += [f"## {name}", ""]
        if name.strip().lower() == "timeline":
            known = _timeline_lines(fm)
            if known:
                lines += ["From the incident record (times as written there):", ""] + known + [""]
        lines += [placeholder, ""]
    return "\n".join(lines).encode("utf-8")


def create_postmortem(root: Path, loaded: LoadedPolicy, incident_id: str, authors: list[str]) -> str:
    refs = scan(root)
    ref = find_incident(refs, incident_id)
    if ref is None:
        raise AuthoringError(f"no incident with id `{incident_id}` under incidents/")
    for other in refs:
        if other.kind == "postmortem" and other.id == incident_id:
            raise AuthoringError(f"{incident_id} already has a postmortem: {other.path}; nothing was written")
    rel = postmortem_path(ref.path)
    if (root / rel).exists():
        raise AuthoringError(f"{rel} already exists; nothing was written (never overwritten)")
    src, findings = read_record((root / ref.path).read_bytes(), ref.path)
    if src is None:
        raise AuthoringError(f"{ref.path} cannot be read; fix it first (nothing was written)", tuple(findings))
    fm = src.front_matter.data
    if not authors:
        roles = fm.get("roles") if isinstance(fm.get("roles"), dict) else {}
        role = loaded.policy.author_role or "commander"  # policy `postmortem.author_role`, else the first role
        handle = roles.get(role)
        authors = [str(handle)] if isinstance(handle, (str, int, float)) and str(handle).strip() else []
    if not authors:
        raise AuthoringError(
            f"who writes it? pass --author HANDLE (the incident names no `{role}`, the role "
            "that writes postmortems: policy `postmortem.author_role`)"
        )
    data = render(incident_id, fm, authors, loaded)
    errors = check_postmortem_bytes(data, rel, loaded)
    return create_checked(root, rel, data, errors, "the postmortem skeleton")


__all__ = ["create_postmortem", "postmortem_path", "render"]
