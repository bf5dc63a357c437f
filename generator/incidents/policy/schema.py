"""JSON Schema (draft 2020-12) of record front matter under a policy, for editors.

The policy's severities, services, roles and priorities become enums, and the
conditional rules that a schema can say (resolved needs `resolved_at`, a
severity's required roles, roles a tag adds) become `if`/`then`. What a schema
cannot say (timestamp order, the last update's status) stays with `validate`.
"""

from __future__ import annotations

from incidents.policy.policy_file import Policy
from incidents.records.fields import ID_PATTERN
from incidents.records.model import (
    ACTION_ITEM_STATUSES,
    IMPACTS,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    POSTMORTEM_STATUSES,
    VISIBILITIES,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The same real-date rule as `validate`: months of 28/29/30/31 days (29 February in leap years
# only: divisible by 4, centuries only when divisible by 400), hours 00-23, minutes and seconds
# 00-59, offsets up to 23:59. A regex, so that every JSON Schema tool and editor applies it;
# `format: date-time` says the same to tools that check formats.
_LEAP_YEAR = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_REAL_DATE = (
    r"(?:(?!0000)\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))|" + _LEAP_YEAR + r"-02-29)"
)
_REAL_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
_OFFSET = r"(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)"
# ISO 8601 with an offset, as YAML leaves it (date, `T` or space, time, offset).
TIMESTAMP_PATTERN = rf"^{_REAL_DATE}[Tt ]{_REAL_TIME}\s*{_OFFSET}$"
NAIVE_TIMESTAMP_PATTERN = rf"^{_REAL_DATE}[Tt ]{_REAL_TIME}\s*{_OFFSET}?$"
DATE_PATTERN = rf"^{_REAL_DATE}$"


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
    if policy.assume_timezone is not None:  # offset-less timestamps are allowed: not RFC 3339 date-times
        return {"type": "string", "pattern": NAIVE_TIMESTAMP_PATTERN, "description": description}
    return {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN, "description": description}


def _any_case(text: str) -> str:
    """A pattern matching `text` in any case (tags match case-insensitively; JSON Schema has no flag)."""
    import re

    return "^" + "".join(f"[{c.upper()}{c.lower()}]" if c.upper() != c.lower() else re.escape(c) for c in text) + "$"


def _http_url() -> dict:
    return {"type": "string", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$"}


def _date(description: str | None = None) -> dict:
    out = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if description:
        out["description"] = description
    return out


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
                "translations": {
                    "type": "object",
                    "description": "The message in other languages: language code -> text (the policy's `languages`).",
                    "propertyNames": {"pattern": "^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$"},
                    "additionalProperties": _text(10_000, "The message in this language."),
                },
            },
        },
    }


def _services(policy: Policy) -> dict:
    return {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "description": "Affected services (status-page components) from policy/services.yml.",
        "items": _enum(policy.service_ids, descriptions=[s.name for s in policy.services]),
    }


def incident_schema(policy: Policy) -> dict:
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/incident.json",
        "title": "Incident",
        "description": "Front matter of an incident file under incidents/ (see the manual's record reference).",
        "type": "object",
        "required": ["id", "title", "severity", "status", "services", "impact", "started_at", "detected_at"],
        "additionalProperties": False,
        "properties": _incident_properties(policy),
        "allOf": _incident_conditions(policy),
    }


def _incident_conditions(policy: Policy) -> list[dict]:
    """What `if`/`then` can say: the lifecycle a status needs, updates when public, required roles."""
    optional = [s.id for s in policy.severities if s.public_updates == "optional"]
    needs_no_updates: list[dict] = [{"required": ["visibility"], "properties": {"visibility": {"const": "internal"}}}]
    if optional:
        needs_no_updates.append({"required": ["severity"], "properties": {"severity": {"enum": optional}}})
    conditions: list[dict] = [
        {
            "if": {"required": ["status"], "properties": {"status": {"const": "resolved"}}},
            "then": {"required": ["acknowledged_at", "resolved_at"]},
            "else": {"not": {"anyOf": [{"required": ["resolved_at"]}, {"required": ["closed_at"]}]}},
        },
        {
            "if": {"required": ["status"], "properties": {"status": {"enum": ["identified", "monitoring"]}}},
            "then": {"required": ["acknowledged_at"]},
        },
        {
            "if": {"anyOf": needs_no_updates},
            "else": {"required": ["updates"], "properties": {"updates": {"minItems": 1}}},
        },
    ]
    for sev in policy.severities:
        if sev.required_roles:
            conditions.append(
                {
                    "if": {
                        "required": ["severity"],
                        "properties": {"severity": {"const": sev.id}},
                        "not": {"required": ["source"]},
                    },
                    "then": {"required": ["roles"], "properties": {"roles": {"required": list(sev.required_roles)}}},
                }
            )
    for tag, roles in policy.roles_for_tags.items():
        if roles:
            conditions.append(
                {
                    "if": {
                        "required": ["tags"],
                        "properties": {"tags": {"contains": {"type": "string", "pattern": _any_case(tag)}}},
                        "not": {"required": ["source"]},
                    },
                    "then": {"required": ["roles"], "properties": {"roles": {"required": list(roles)}}},
                }
            )
    return conditions


def _incident_properties(policy: Policy) -> dict:
    sev_descriptions = [f"**{s.name}**: {s.description}".strip() for s in policy.severities]
    return {
        "type": {"const": "incident"},
        "id": {
            "type": "string",
            "pattern": ID_PATTERN.pattern,
            "description": "Unique across the repository, e.g. INC-2026-0042.",
        },
        "title": _text(200, "Public title."),
        "severity": _enum(policy.severity_ids, "A severity id from policy/policy.yml.", sev_descriptions),
        "status": _enum(INCIDENT_STATUSES, "The public lifecycle."),
        "services": _services(policy),
        "impact": {
            "description": "The worst impact, or a map service id -> impact.",
            "oneOf": [
                _enum(IMPACTS),
                {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": _enum(policy.service_ids),
                    "additionalProperties": _enum(IMPACTS),
                },
            ],
        },
        **_lifecycle_properties(policy),
        "roles": {
            "type": "object",
            "propertyNames": _enum(policy.roles),
            "additionalProperties": _text(100, "A person's handle."),
            "description": "Role id -> person handle.",
        },
        "updates": _updates(policy, INCIDENT_STATUSES),
        "timeline": _dated_list(policy, "event", _text(10_000), "The scribe's internal log (until closed_at)."),
        "visibility": {
            **_enum(VISIBILITIES, "internal incidents never reach the public pages or API."),
            "default": "public",
        },
        "tags": {"type": "array", "items": _text(50)},
        "escalations": _dated_list(
            policy,
            "to",
            {
                "description": "Who was pulled in: a name, or a list of names (each compared whole).",
                "oneOf": [_text(200), {"type": "array", "minItems": 1, "items": _text(200)}],
            },
            "Who was pulled in, and when, oldest first.",
        ),
        "source": {
            "type": "object",
            "required": ["system", "id"],
            "additionalProperties": False,
            "description": "Where an imported record came from; such records are checked for structure only.",
            "properties": {"system": _text(64), "id": _text(200), "url": _http_url()},
        },
        "postmortem_url": {**_http_url(), "description": "A postmortem kept elsewhere."},
    }


def _lifecycle_properties(policy: Policy) -> dict:
    return {
        "started_at": _timestamp(policy, "Impact began."),
        "detected_at": _timestamp(policy, "The alert fired or the report came in."),
        "acknowledged_at": _timestamp(policy, "A responder acknowledged."),
        "identified_at": _timestamp(policy, "The cause was identified."),
        "mitigated_at": _timestamp(policy, "User impact stopped."),
        "resolved_at": _timestamp(policy, "Resolved; exactly when status is resolved."),
        "closed_at": _timestamp(
            policy, "The observation after resolution ended and the incident was closed (not before resolved_at)."
        ),
    }


def _dated_list(policy: Policy, key: str, value: dict, description: str) -> dict:
    """A list of `{at, <key>}` entries."""
    return {
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "required": ["at", key],
            "additionalProperties": False,
            "properties": {"at": _timestamp(policy, "When it happened."), key: value},
        },
    }


def postmortem_schema(policy: Policy) -> dict:
    priority = _enum(policy.priorities) if policy.priorities else _text(64)
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/postmortem.json",
        "title": "Postmortem",
        "description": "Front matter of a postmortem file (see the manual's record reference).",
        "type": "object",
        "required": ["type", "incident", "status", "authors"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "postmortem"},
            "incident": {"type": "string", "pattern": ID_PATTERN.pattern},
            "title": _text(200),
            "status": _enum(POSTMORTEM_STATUSES),
            "authors": {"type": "array", "minItems": 1, "items": _text(100)},
            "date": _date("Date the postmortem was published."),
            "visibility": {
                **_enum(("internal", "public"), "public: also published on the public site."),
                "default": "internal",
            },
            "action_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title"],
                    "additionalProperties": False,
                    "properties": {
                        "title": _text(500),
                        "owner": _text(100),
                        "due": _date("When the action item is due."),
                        "priority": priority,
                        "status": _enum(ACTION_ITEM_STATUSES),
                        "link": {"type": "string", "format": "uri"},
                    },
                },
            },
        },
        "allOf": [
            {
                "if": {"required": ["status"], "properties": {"status": {"const": "published"}}},
                "then": {"required": ["date"]},
            }
        ],
    }


def maintenance_schema(policy: Policy) -> dict:
    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/maintenance.json",
        "title": "Maintenance window",
        "description": "Front matter of a maintenance file (see the manual's record reference).",
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


def _embedded(schema: dict) -> dict:
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def record_schema(policy: Policy) -> dict:
    """Any record, by its `type`: what an editor associates with every file under incidents/.

    An editor that opens a record as YAML reads the Markdown body as a second YAML document. This
    schema checks a document only when it is a mapping holding some record key; the body (prose,
    headings, lists: a text, a comment or a list in YAML) is left alone.
    """
    kinds = {
        "incident": incident_schema(policy),
        "postmortem": postmortem_schema(policy),
        "maintenance": maintenance_schema(policy),
    }
    keys = sorted({k for schema in kinds.values() for k in schema["properties"]})

    def is_type(kind: str) -> dict:
        return {"required": ["type"], "properties": {"type": {"const": kind}}}

    return {
        "$schema": DRAFT,
        "$id": "https://incident-as-code.dev/schema/record.json",
        "title": "Record",
        "description": "Front matter of a record under incidents/: an incident, a postmortem or a maintenance window.",
        "$defs": {kind: _embedded(schema) for kind, schema in kinds.items()},
        "if": {"type": "object", "anyOf": [{"required": [k]} for k in keys]},
        "then": {
            "properties": {"type": {"enum": list(kinds)}},
            "allOf": [
                {"if": is_type("postmortem"), "then": {"$ref": "#/$defs/postmortem"}},
                {"if": is_type("maintenance"), "then": {"$ref": "#/$defs/maintenance"}},
                {"if": {"properties": {"type": {"const": "incident"}}}, "then": {"$ref": "#/$defs/incident"}},
            ],
        },
    }


def front_matter_schema(policy: Policy, kind: str = "incident") -> dict:
    return {
        "incident": incident_schema,
        "postmortem": postmortem_schema,
        "maintenance": maintenance_schema,
        "record": record_schema,
    }[kind](policy)
