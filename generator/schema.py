"""JSON Schema (draft 2020-12) of record front matter under a policy, for editors.

The policy's severities, services, roles and priorities become enums, and the
conditional rules that a schema can say (resolved needs `resolved_at`, a
severity's required roles, roles a tag adds) become `if`/`then`. What a schema
cannot say (timestamp order, the last update's status) stays with `validate`.
"""

from __future__ import annotations

from .fields import ID_PATTERN
from .policy import Policy
from .records import (ACTION_ITEM_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES,
                      POSTMORTEM_STATUSES, VISIBILITIES)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# ISO 8601 with an offset, as YAML leaves it (date, `T` or space, time, offset).
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
NAIVE_TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _text(max_len: int | None = None, description: str | None = None) -> dict:
    # A plain number is taken as the text written (`title: 2024`), as validate does; booleans and
    # nulls are not text (validate says to quote them).
    out: dict = {"type": ["string", "number"], "minLength": 1}
    if max_len:
        out["maxLength"] = max_len
    if description:
        out["description"] = description
    return out


def _enum(values, description: str | None = None, descriptions: list[str] | None = None) -> dict:
    out: dict = {"enum": list(values)}
    if description:
        out["description"] = description
    if descriptions:
        out["markdownEnumDescriptions"] = descriptions
    return out


def _timestamp(policy: Policy, description: str) -> dict:
    pattern = NAIVE_TIMESTAMP_PATTERN if policy.assume_timezone is not None else TIMESTAMP_PATTERN
    return {"type": "string", "pattern": pattern, "description": description}


def _updates(policy: Policy, statuses) -> dict:
    return {
        "type": "array",
        "description": "Public status-page updates, oldest first.",
        "items": {
            "type": "object",
            "required": ["at", "status", "message"],
            "additionalProperties": False,
            "properties": {
                "at": _timestamp(policy, "When the update was posted."),
                "status": _enum(statuses),
                "message": _text(10_000, "What the status page says."),
            },
        },
    }


def _services(policy: Policy) -> dict:
    return {
        "type": "array", "minItems": 1, "uniqueItems": True,
        "description": "Affected services (status-page components) from policy/services.yml.",
        "items": _enum(policy.service_ids, descriptions=[s.name for s in policy.services]),
    }


def incident_schema(policy: Policy) -> dict:
    sev_descriptions = [f"**{s.name}**: {s.description}".strip() for s in policy.severities]
    role_handle = _text(100, "A person's handle.")
    conditions: list[dict] = [
        {"if": {"required": ["status"], "properties": {"status": {"const": "resolved"}}},
         "then": {"required": ["acknowledged_at", "resolved_at"]},
         "else": {"not": {"required": ["resolved_at"]}}},
        {"if": {"required": ["status"], "properties": {"status": {"enum": ["identified", "monitoring"]}}},
         "then": {"required": ["acknowledged_at"]}},
        {"if": {"required": ["visibility"], "properties": {"visibility": {"const": "internal"}}},
         "else": {"required": ["updates"], "properties": {"updates": {"minItems": 1}}}},
    ]
    for sev in policy.severities:
        if sev.required_roles:
            conditions.append({
                "if": {"required": ["severity"], "properties": {"severity": {"const": sev.id}}},
                "then": {"required": ["roles"], "properties": {"roles": {"required": list(sev.required_roles)}}},
            })
    for tag, roles in policy.roles_for_tags.items():
        if roles:
            conditions.append({
                "if": {"required": ["tags"], "properties": {"tags": {"contains": {"const": tag}}}},
                "then": {"required": ["roles"], "properties": {"roles": {"required": list(roles)}}},
            })
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/incident.json",
        "title": "Incident",
        "description": "Front matter of an incident file under incidents/ (see FORMAT.md section 2).",
        "type": "object",
        "required": ["id", "title", "severity", "status", "services", "impact", "started_at", "detected_at"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "incident"},
            "id": {"type": "string", "pattern": ID_PATTERN.pattern, "description": "Unique across the repository, e.g. INC-2026-0042."},
            "title": _text(200, "Public title."),
            "severity": _enum(policy.severity_ids, "A severity id from policy/policy.yml.", sev_descriptions),
            "status": _enum(INCIDENT_STATUSES, "The public lifecycle."),
            "services": _services(policy),
            "impact": {
                "description": "The worst impact, or a map service id -> impact.",
                "oneOf": [
                    _enum(IMPACTS),
                    {"type": "object", "minProperties": 1, "propertyNames": _enum(policy.service_ids),
                     "additionalProperties": _enum(IMPACTS)},
                ],
            },
            "started_at": _timestamp(policy, "Impact began."),
            "detected_at": _timestamp(policy, "The alert fired or the report came in."),
            "acknowledged_at": _timestamp(policy, "A responder acknowledged."),
            "identified_at": _timestamp(policy, "The cause was identified."),
            "mitigated_at": _timestamp(policy, "User impact stopped."),
            "resolved_at": _timestamp(policy, "Resolved; exactly when status is resolved."),
            "roles": {"type": "object", "propertyNames": _enum(policy.roles), "additionalProperties": role_handle,
                      "description": "Role id -> person handle."},
            "updates": _updates(policy, INCIDENT_STATUSES),
            "timeline": {
                "type": "array", "description": "The scribe's internal log.",
                "items": {"type": "object", "required": ["at", "event"], "additionalProperties": False,
                          "properties": {"at": _timestamp(policy, "When it happened."), "event": _text(10_000)}},
            },
            "visibility": {**_enum(VISIBILITIES, "internal incidents never reach the public pages or API."),
                           "default": "public"},
            "tags": {"type": "array", "items": _text(50)},
        },
        "allOf": conditions,
    }


def postmortem_schema(policy: Policy) -> dict:
    priority = _enum(policy.priorities) if policy.priorities else _text(64)
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/postmortem.json",
        "title": "Postmortem",
        "description": "Front matter of a postmortem file (see FORMAT.md section 3).",
        "type": "object",
        "required": ["type", "incident", "status", "authors"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "postmortem"},
            "incident": {"type": "string", "pattern": ID_PATTERN.pattern},
            "title": _text(200),
            "status": _enum(POSTMORTEM_STATUSES),
            "authors": {"type": "array", "minItems": 1, "items": _text(100)},
            "date": {"type": "string", "pattern": DATE_PATTERN, "description": "Date the postmortem was published."},
            "action_items": {
                "type": "array",
                "items": {
                    "type": "object", "required": ["title"], "additionalProperties": False,
                    "properties": {
                        "title": _text(500), "owner": _text(100),
                        "due": {"type": "string", "pattern": DATE_PATTERN},
                        "priority": priority, "status": _enum(ACTION_ITEM_STATUSES),
                        "link": {"type": "string", "format": "uri"},
                    },
                },
            },
        },
        "allOf": [{"if": {"required": ["status"], "properties": {"status": {"const": "published"}}},
                   "then": {"required": ["date"]}}],
    }


def maintenance_schema(policy: Policy) -> dict:
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/maintenance.json",
        "title": "Maintenance window",
        "description": "Front matter of a maintenance file (see FORMAT.md section 4).",
        "type": "object",
        "required": ["type", "id", "title", "services", "scheduled_start", "scheduled_end", "status"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "maintenance"},
            "id": {"type": "string", "pattern": ID_PATTERN.pattern},
            "title": _text(200),
            "services": _services(policy),
            "scheduled_start": _timestamp(policy, "Start of the window."),
            "scheduled_end": _timestamp(policy, "End of the window."),
            "status": _enum(MAINTENANCE_STATUSES),
            "updates": _updates(policy, MAINTENANCE_STATUSES),
            "visibility": {**_enum(VISIBILITIES), "default": "public"},
        },
    }


def front_matter_schema(policy: Policy, kind: str = "incident") -> dict:
    return {"incident": incident_schema, "postmortem": postmortem_schema,
            "maintenance": maintenance_schema}[kind](policy)
