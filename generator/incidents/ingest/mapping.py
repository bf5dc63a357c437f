"""From alerts to groups: which mapping of policy/ingest.yml takes each alert, and which record it joins."""

from __future__ import annotations

from dataclasses import dataclass

from incidents.ingest import IngestError
from incidents.ingest.payloads import Alert, Payload, clean, stable_id
from incidents.policy.ingest_file import IngestConfig, IngestSource


@dataclass
class Group:
    """The alerts of one payload that belong to one record (`source.id` = `source_id`)."""

    source_id: str
    mapping: IngestSource
    alerts: list[Alert]

    @property
    def firing(self) -> list[Alert]:
        return [a for a in self.alerts if a.status == "firing"]


def _value(alert: Alert, where: tuple[str, str] | None) -> str | None:
    if where is None:
        return None
    kind, name = where
    return (alert.labels if kind == "label" else alert.annotations).get(name)


def service_of(alert: Alert, mapping: IngestSource, known: tuple[str, ...]) -> str:
    """The service id an alert names (through `service_from`, else `service`); IngestError when none is known."""
    value = _value(alert, mapping.service_from)
    if value is not None and value in known:
        return value
    if mapping.service is not None:
        return mapping.service
    where = f"the {mapping.service_from[0]} `{mapping.service_from[1]}`" if mapping.service_from else "no label"
    got = f"`{clean(value, 60)}`" if value is not None else "nothing"
    raise IngestError(
        f"alert `{alert.name}`: {where} gives {got}, which is not a service of policy/services.yml, and the "
        f"mapping (policy/ingest.yml{f' line {mapping.line}' if mapping.line else ''}) has no fixed `service:`; "
        "nothing was written"
    )


def severity_of(alert: Alert, mapping: IngestSource, severities: tuple[str, ...]) -> str:
    value = _value(alert, mapping.severity_from)
    if value is not None:
        if value in mapping.severity_map:
            return mapping.severity_map[value]
        if value in severities:
            return value
    return mapping.default_severity or severities[-1]


def groups_of(payload: Payload, config: IngestConfig) -> list[Group]:
    """The payload's alerts by record: each alert taken by the first mapping of its type that matches it."""
    out: dict[tuple[int, str], Group] = {}
    candidates = config.candidates(payload.system)
    for alert in payload.alerts:
        for index, mapping in enumerate(candidates):
            if not mapping.matches(alert.labels):
                continue
            gid = (
                alert.fingerprint
                if mapping.group_by == "fingerprint"
                else stable_id(payload.group_key or alert.fingerprint)
            )
            group = out.setdefault((index, gid), Group(gid, mapping, []))
            group.alerts.append(alert)
            break
    return list(out.values())
