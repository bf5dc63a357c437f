"""The service catalogue, `policy/services.yml`: the status page's components.

Read with the same reader as records and checked field by field; `load_policy`
puts the services into the Policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidents.findings import Finding
from incidents.records.fields import Fields
from incidents.records.source import Document

SERVICES_FILE = "policy/services.yml"
SERVICE_KEYS = ("id", "name", "group", "description", "slo")


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    position: int
    group: str | None = None
    description: str | None = None
    slo: float | None = None  # availability objective in percent (0 < slo < 100), e.g. 99.9


def read_services(doc: Document, findings: list[Finding]) -> tuple[tuple[Service, ...], frozenset[str]]:
    f = Fields(doc, SERVICES_FILE, findings)
    f.unknown_keys((), ("services",), what="key")
    services: list[Service] = []
    declared: set[str] = set()
    seen: dict[str, int] = {}
    for i, _item in enumerate(f.sequence(("services",), required=True, non_empty=True) or []):
        path = ("services", i)
        if f.mapping(path) is None:
            continue
        f.unknown_keys(path, SERVICE_KEYS, what="service key")
        svc_id = f.identifier(path + ("id",), what="service id")
        name = f.text(path + ("name",), max_len=200)
        group = f.text(path + ("group",), required=False, max_len=100)
        description = f.text(path + ("description",), required=False)
        slo = _slo(f, path + ("slo",))
        if svc_id is None:
            raw = f.get(path + ("id",))
            if isinstance(raw, str):
                declared.add(raw)
            continue
        declared.add(svc_id)
        if svc_id in seen:
            f.error(
                path + ("id",),
                "duplicate-id",
                f"service `{svc_id}` is defined twice (first at line {seen[svc_id]}); give each service its own id",
            )
            continue
        seen[svc_id] = doc.position(path + ("id",))[0]
        services.append(Service(svc_id, name or svc_id, len(services), group, description, slo))
    return tuple(services), frozenset(declared)


def _slo(f: Fields, path) -> float | None:
    """A service's `slo`: a percentage above 0 and below 100 (100 would leave no error budget)."""
    value = f.get(path)
    if not f.has_value(path):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 100:
        f.error(
            path,
            "invalid-value",
            f"`slo` is an availability objective in percent above 0 and below 100, e.g. `slo: 99.9`; not `{value}`",
        )
        return None
    return float(value)
