"""Rules for one incident file (contract section 2) -> an Incident record, or findings."""

from __future__ import annotations

from types import MappingProxyType

from incidents.findings import Finding, did_you_mean, one_of
from incidents.policy.policy_file import Policy, process_rules_apply
from incidents.records.fields import URL_PATTERN, Fields
from incidents.records.model import (
    IMPACTS,
    INCIDENT_STATUSES,
    LIFECYCLE,
    VISIBILITIES,
    Incident,
    Lines,
    Source,
    is_detected,
)
from incidents.records.source import SourceFile
from incidents.records.timestamps import iso_utc
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
    f = Fields(src.front_matter, src.path, findings, policy.assume_timezone)
    errors_before = _errors(findings)
    f.unknown_keys((), INCIDENT_KEYS, what="field")

    incident_id = f.identifier(("id",), what="incident id")
    title = f.text(("title",), max_len=200)
    check_title(f, title)
    severity = check_severity(f, policy)
    status = f.choice(("status",), INCIDENT_STATUSES, code="unknown-status", what="status")
    visibility = (
        f.choice(("visibility",), VISIBILITIES, code="invalid-value", what="visibility", required=False) or "public"
    )
    services = read_services(f, policy, policy_usable=policy_usable)
    impact = _read_impact(f, services, policy)
    tags = _read_tags(f, policy)
    source = _read_source(f)
    postmortem_url = _read_url(f, ("postmortem_url",))

    times = {}
    for name in LIFECYCLE:
        required = name in ("started_at", "detected_at")
        times[name] = f.timestamp((name,), required=required)
    _check_lifecycle_presence(f, status, times)
    _check_order(f, times)

    roles = _read_roles(f, policy, policy_usable=policy_usable)
    process = process_rules_apply(_Probe(source, times["started_at"], f.present(("source",))), policy)
    if severity is not None and process:
        # Detection opened it before anyone was on it: roles are not known until a responder acknowledges.
        unacknowledged_alert = is_detected(source) and times["acknowledged_at"] is None
        _check_required_roles(f, policy, severity, tags, roles, level="warning" if unacknowledged_alert else "error")

    updates, updates_ok = read_updates(f, INCIDENT_STATUSES)
    timeline, _ = read_timeline(f)
    escalations, _ = read_escalations(f)
    sev = policy.severity(severity) if severity is not None else None
    updates_needed = sev is None or sev.public_updates == "required"  # a SEV-4 "no customer communication"
    if visibility == "public" and updates_ok and not updates and updates_needed:
        where = ("updates",) if f.present(("updates",)) else ()
        f.error(
            where,
            "no-updates",
            "a public incident needs at least one entry in `updates:` (what the status page says), "
            "e.g. `- {at: ..., status: investigating, message: ...}`; or set `visibility: internal`",
            at_key=True,
        )
    check_chronology(
        f, "updates", updates, times["started_at"], times["resolved_at"], "started_at", "resolved_at", "update"
    )
    if updates_ok:
        check_last_status(f, updates, status)
    if visibility == "public" and process:  # an imported history was published as it is: structure only
        check_update_placeholders(f, updates, policy.placeholders)
    check_chronology(
        f,
        "timeline",
        timeline,
        times["started_at"],
        times["resolved_at"],
        "started_at",
        "resolved_at",
        "timeline entry",
    )
    check_chronology(
        f,
        "escalations",
        escalations,
        times["started_at"],
        times["resolved_at"],
        "started_at",
        "resolved_at",
        "escalation",
        order_code="escalation-order",
    )

    if _errors(findings) != errors_before:
        return None
    if None in (incident_id, title, severity, status, services, impact, times["started_at"], times["detected_at"]):
        # A value left unusable by an error in the policy (reported there, not repeated here):
        # no record, rather than one with holes.
        return None
    return Incident(
        id=incident_id,
        title=title,
        severity=severity,
        status=status,
        services=tuple(services),
        impact=MappingProxyType(impact),
        started_at=times["started_at"],
        detected_at=times["detected_at"],
        acknowledged_at=times["acknowledged_at"],
        identified_at=times["identified_at"],
        mitigated_at=times["mitigated_at"],
        resolved_at=times["resolved_at"],
        roles=MappingProxyType(roles),
        updates=tuple(updates),
        timeline=tuple(timeline),
        visibility=visibility,
        tags=tags,
        escalations=tuple(escalations),
        source=source,
        postmortem_url=postmortem_url,
        body=src.body,
        body_line=src.body_line,
        lines=Lines(src.path, src.front_matter.line, MappingProxyType(field_lines(f))),
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


def _check_lifecycle_presence(f: Fields, status: str | None, times: dict) -> None:
    if status is None:
        return
    # A missing key is reported at the opening `---` (FORMAT.md section 2); the message names the status line.
    status_line = f.doc.position(("status",))[0]
    if status != "investigating" and times["acknowledged_at"] is None and not f.has_value(("acknowledged_at",)):
        f.error(
            (),
            "lifecycle-missing",
            f"status is `{status}` (line {status_line}), so `acknowledged_at` is required: "
            "when did a responder acknowledge? Add `acknowledged_at: <timestamp>`",
        )
    if status == "resolved" and times["resolved_at"] is None and not f.has_value(("resolved_at",)):
        f.error(
            (),
            "lifecycle-missing",
            f"status is `resolved` (line {status_line}), so `resolved_at` is required: "
            "when was it resolved? Add `resolved_at: <timestamp>`",
        )
    if status != "resolved" and f.has_value(("resolved_at",)):
        f.error(
            ("resolved_at",),
            "lifecycle-unexpected",
            f"`resolved_at` is set but status is `{status}`; set `status: resolved` (with a final update) "
            "or remove `resolved_at`",
            at_key=True,
        )


def _check_order(f: Fields, times: dict) -> None:
    previous_name = None
    for name in LIFECYCLE:
        value = times[name]
        if value is None:
            continue
        if previous_name is not None and value < times[previous_name]:
            f.error(
                (name,),
                "timestamp-order",
                f"`{name}` ({iso_utc(value)}) is earlier than `{previous_name}` "
                f"({iso_utc(times[previous_name])}); the order is " + " <= ".join(LIFECYCLE),
            )
        if previous_name is None or value >= times[previous_name]:
            previous_name = name


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
