"""Rules for one incident file (contract section 2) -> an Incident record, or findings."""

from __future__ import annotations

from types import MappingProxyType

from incidents.findings import Finding, did_you_mean, one_of
from incidents.policy.policy_file import Policy, process_rules_apply
from incidents.records.fields import URL_PATTERN, Fields
from incidents.records.model import IMPACTS, INCIDENT_STATUSES, VISIBILITIES, Incident, Lines, Source, is_detected
from incidents.records.source import SourceFile
from incidents.rules.common import (
    check_chronology,
    check_last_status,
    check_severity,
    check_title,
    check_update_placeholders,
    field_lines,
    read_escalations,
    read_services,
    read_timeline,
    read_updates,
)
from incidents.rules.lifecycle import read_times

INCIDENT_KEYS = (
    "type",
    "id",
    "title",
    "severity",
    "status",
    "services",
    "impact",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "identified_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "roles",
    "updates",
    "timeline",
    "visibility",
    "tags",
    "escalations",
    "source",
    "postmortem_url",
)
SOURCE_KEYS = ("system", "id", "url")
HANDLE_MAX = 100
TAG_MAX = 50


def read_incident(
    src: SourceFile, policy: Policy, findings: list[Finding], *, policy_usable: bool = True
) -> Incident | None:
    """The incident of `src`, or None when it has an error (the findings say which)."""
    errors_before = _errors(findings)
    v = _read_values(src, policy, findings, policy_usable)
    if _errors(findings) != errors_before:
        return None
    if None in (v["id"], v["title"], v["severity"], v["status"], v["services"], v["impact"]) or None in (
        v["times"]["started_at"],
        v["times"]["detected_at"],
    ):
        # A value left unusable by an error in the policy (reported there, not repeated here):
        # no record, rather than one with holes.
        return None
    return _build(src, v)


def read_partial_incident(src: SourceFile, policy: Policy) -> Incident | None:
    """What could be read of an incident file that has `validate` errors, for the time gates of `check`.

    The same reading as `read_incident` (its findings are dropped: `validate` reported them); a value
    that could not be read is left out (`title`, `services`, `impact`, `roles` empty, `started_at` taken
    from `detected_at`). None when the gates could not use it: no id, severity, status or `detected_at`.
    Never a record of the Repository: metrics, the site and the API see valid records only.
    """
    v = _read_values(src, policy, [], True)
    times = v["times"]
    if None in (v["id"], v["severity"], v["status"], times["detected_at"]):
        return None
    if times["started_at"] is None or times["started_at"] > times["detected_at"]:
        times["started_at"] = times["detected_at"]
    v.update(
        title=v["title"] or v["id"],
        services=v["services"] or [],
        impact=v["impact"] or {},
    )
    return _build(src, v)


def _read_values(src: SourceFile, policy: Policy, findings: list[Finding], policy_usable: bool) -> dict:
    """Every field of the incident as far as it could be read (None where not), reporting to `findings`."""
    f = Fields(src.front_matter, src.path, findings, policy.assume_timezone)
    f.unknown_keys((), INCIDENT_KEYS, what="field")
    v: dict = {
        "f": f,
        "id": f.identifier(("id",), what="incident id"),
        "title": f.text(("title",), max_len=200),
        "severity": None,
        "status": None,
    }
    check_title(f, v["title"])
    v["severity"] = check_severity(f, policy)
    v["status"] = f.choice(("status",), INCIDENT_STATUSES, code="unknown-status", what="status")
    v["visibility"] = (
        f.choice(("visibility",), VISIBILITIES, code="invalid-value", what="visibility", required=False) or "public"
    )
    v["services"] = read_services(f, policy, policy_usable=policy_usable)
    v["impact"] = _read_impact(f, v["services"], policy)
    v["tags"] = _read_tags(f, policy)
    v["source"] = _read_source(f)
    v["postmortem_url"] = _read_url(f, ("postmortem_url",))
    v["times"] = times = read_times(f, v["status"])
    v["roles"] = _read_roles(f, policy, policy_usable=policy_usable)
    v["process"] = process = process_rules_apply(
        _Probe(v["source"], times["started_at"], f.present(("source",))), policy
    )
    if v["severity"] is not None and process:
        # Detection opened it before anyone was on it: roles are not known until a responder acknowledges.
        unacknowledged_alert = is_detected(v["source"]) and times["acknowledged_at"] is None
        level = "warning" if unacknowledged_alert else "error"
        _check_required_roles(f, policy, v["severity"], v["tags"], v["roles"], level=level)
    _read_entries(f, policy, v)
    return v


def _read_entries(f: Fields, policy: Policy, v: dict) -> None:
    """`updates`, `timeline` and `escalations`, each in order and inside its window."""
    times = v["times"]
    updates, updates_ok = read_updates(f, INCIDENT_STATUSES)
    timeline, _ = read_timeline(f)
    escalations, _ = read_escalations(f)
    sev = policy.severity(v["severity"]) if v["severity"] is not None else None
    updates_needed = sev is None or sev.public_updates == "required"  # a SEV-4 "no customer communication"
    if v["visibility"] == "public" and updates_ok and not updates and updates_needed:
        where = ("updates",) if f.present(("updates",)) else ()
        f.error(
            where,
            "no-updates",
            "a public incident needs at least one entry in `updates:` (what the status page says), "
            "e.g. `- {at: ..., status: investigating, message: ...}`; or set `visibility: internal`",
            at_key=True,
        )
    start, end = times["started_at"], times["resolved_at"]
    check_chronology(f, "updates", updates, start, end, "started_at", "resolved_at", "update")
    if updates_ok:
        check_last_status(f, updates, v["status"])
    if v["visibility"] == "public" and v["process"]:  # an imported history was published as it is
        check_update_placeholders(f, updates, policy.placeholders, policy.placeholder_patterns)
    # The observation after resolution is logged in the timeline: it may run until `closed_at`.
    log_end, log_end_name = (times["closed_at"], "closed_at") if times["closed_at"] else (end, "resolved_at")
    check_chronology(f, "timeline", timeline, start, log_end, "started_at", log_end_name, "timeline entry")
    check_chronology(
        f,
        "escalations",
        escalations,
        start,
        end,
        "started_at",
        "resolved_at",
        "escalation",
        order_code="escalation-order",
    )
    v.update(updates=updates, timeline=timeline, escalations=escalations)


def _build(src: SourceFile, v: dict) -> Incident:
    times = v["times"]
    return Incident(
        id=v["id"],
        title=v["title"],
        severity=v["severity"],
        status=v["status"],
        services=tuple(v["services"]),
        impact=MappingProxyType(v["impact"]),
        started_at=times["started_at"],
        detected_at=times["detected_at"],
        acknowledged_at=times["acknowledged_at"],
        identified_at=times["identified_at"],
        mitigated_at=times["mitigated_at"],
        resolved_at=times["resolved_at"],
        closed_at=times["closed_at"],
        roles=MappingProxyType(v["roles"]),
        updates=tuple(v["updates"]),
        timeline=tuple(v["timeline"]),
        visibility=v["visibility"],
        tags=v["tags"],
        escalations=tuple(v["escalations"]),
        source=v["source"],
        postmortem_url=v["postmortem_url"],
        body=src.body,
        body_line=src.body_line,
        lines=Lines(src.path, src.front_matter.line, MappingProxyType(field_lines(v["f"]))),
    )


class _Probe:
    """What `process_rules_apply` looks at, before the record exists."""

    def __init__(self, source, started_at, source_written: bool):
        self.source = source if source is not None or not source_written else True
        self.started_at = started_at


def _read_tags(f: Fields, policy: Policy) -> tuple[str, ...]:
    """The tags; a tag listed twice (case-insensitively) is an error, one the policy does not know a warning."""
    out: list[str] = []
    seen: set[str] = set()
    items = f.sequence(("tags",), required=False) or []
    known = {t.casefold(): t for t in policy.tags}
    for i, item in enumerate(items):
        tag = f.as_text(("tags", i), item, max_len=TAG_MAX)
        if tag is None:
            continue
        if tag.casefold() in seen:
            f.error(
                ("tags", i),
                "duplicate-tag",
                f"tag `{tag}` is listed twice (tags match case-insensitively); list it once",
            )
            continue
        seen.add(tag.casefold())
        out.append(tag)
        if known and tag.casefold() not in known:
            hint = did_you_mean(tag, policy.tags)
            f.warning(
                ("tags", i),
                "unknown-tag",
                f"unknown tag `{tag}`{hint}" + ("" if hint else f"; the policy's tags are {one_of(policy.tags)}"),
            )
    return tuple(out)


def _read_url(f: Fields, path: tuple) -> str | None:
    url = f.text(path, required=False, max_len=2000)
    if url is not None and not (URL_PATTERN.match(url) and url.lower().startswith(("http://", "https://"))):
        f.error(path, "invalid-url", f"`{url}` is not an http(s) URL; write e.g. `https://docs.example.com/pm/42`")
        return None
    return url


def _read_source(f: Fields) -> Source | None:
    """`source: {system, id, url}`: where an imported record came from."""
    if f.mapping(("source",), required=False) is None:
        return None
    f.unknown_keys(("source",), SOURCE_KEYS, what="source key")
    system = f.text(("source", "system"), max_len=64)
    ident = f.text(("source", "id"), max_len=200)
    url = _read_url(f, ("source", "url"))
    if system is None or ident is None:
        return None
    return Source(system, ident, url)


def _errors(findings: list[Finding]) -> int:
    return sum(1 for x in findings if x.level == "error")


def _read_impact(f: Fields, services: list[str] | None, policy: Policy) -> dict[str, str] | None:
    value = f.get(("impact",))
    if isinstance(value, dict):
        mapping = f.mapping(("impact",))
        if mapping is None:
            return None
        if not mapping:
            f.error(("impact",), "empty-value", "`impact` names no service; give one impact or a map of them")
            return None
        out: dict[str, str] = {}
        ok = True
        for svc in mapping:
            level = f.choice(("impact", svc), IMPACTS, code="unknown-impact", what="impact")
            if level is None:
                ok = False
                continue
            listed = _listed_services(f)
            if svc not in listed:
                if svc not in policy.service_ids and svc not in policy.declared_service_ids:
                    hint = did_you_mean(svc, policy.service_ids)
                    f.error(("impact", svc), "unknown-service", f"unknown service `{svc}`{hint}", at_key=True)
                    ok = False
                    continue
                hint = did_you_mean(svc, listed)
                f.error(
                    ("impact", svc),
                    "impact-service-not-listed",
                    f"`impact` names `{svc}`, which is not in this incident's `services`{hint}"
                    + ("" if hint else "; add it to `services` or remove it here"),
                    at_key=True,
                )
                ok = False
                continue
            out[svc] = level
        if not ok or services is None:
            return None if not ok else out
        missing = [s for s in services if s not in out]
        if missing:
            f.warning(
                ("impact",),
                "impact-incomplete",
                f"`impact` gives no level for {one_of(missing)}; they count as `degraded_performance` "
                "(add them to the map to say so)",
            )
            for svc in missing:
                out[svc] = "degraded_performance"
        return {s: out[s] for s in services}
    level = f.choice(("impact",), IMPACTS, code="unknown-impact", what="impact")
    if level is None or services is None:
        return None
    return dict.fromkeys(services, level)


def _listed_services(f: Fields) -> list[str]:
    """The `services` items as written (a plain number such as `2024` as its text)."""
    items = f.get(("services",))
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            scalar = f.doc.scalars.get(("services", i))
            out.append(scalar.text if scalar is not None else str(item))
    return out


def _read_roles(f: Fields, policy: Policy, *, policy_usable: bool = True) -> dict[str, str]:
    """The valid `role: handle` entries (the others are findings)."""
    out: dict[str, str] = {}
    mapping = f.mapping(("roles",), required=False)
    for role in mapping or ():
        handle = f.text(("roles", role), max_len=HANDLE_MAX)
        if role not in policy.roles:
            if not policy.roles and not policy_usable:
                continue  # policy/policy.yml is missing or unreadable: that finding says so
            hint = did_you_mean(role, policy.roles)
            if hint:
                advice = hint
            elif policy.roles:
                advice = f"; the policy's roles are {one_of(policy.roles)}"
            else:
                advice = "; the policy lists no roles: add it to `roles:` in policy/policy.yml"
            f.error(("roles", role), "unknown-role", f"unknown role `{role}`{advice}", at_key=True)
        elif handle is not None:
            out[role] = handle
    return out


def _check_required_roles(
    f: Fields, policy: Policy, severity: str, tags: tuple[str, ...], roles: dict[str, str], level: str = "error"
) -> None:
    for role, why in policy.required_roles(severity, tags):
        if role not in roles and not f.present(("roles", role)):  # a bad handle has its own finding
            # A missing key: at the opening `---` (FORMAT.md section 2), naming the `roles:` line if any.
            where = f" (line {f.doc.key_position(('roles',))[0]})" if f.present(("roles",)) else ""
            f.findings.append(
                Finding(
                    f.rel,
                    f.doc.line,
                    1,
                    level,
                    "missing-role",
                    f"{why} requires the role `{role}`; add `{role}: <handle>` under `roles:`{where}"
                    + (
                        " (an error once `acknowledged_at` is set: detection opened this incident)"
                        if level == "warning"
                        else ""
                    ),
                )
            )
