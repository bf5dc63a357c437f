"""The service catalogue, `policy/services.yml`: the status page's components.

Read with the same reader as records and checked field by field; `load_policy`
puts the services into the Policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidents.findings import Finding
from incidents.records.fields import Fields
from incidents.records.source import Document

SERVICES_FILE = "policy/services.yml"
SERVICE_KEYS = ("id", "name", "group", "description", "slo", "probe")
PROBE_KEYS = ("url", "expect_status", "contains", "timeout", "fail_after", "severity")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Probe:
    """An HTTP check of a service (`incidents probe`; manual: detection.md)."""

    url: str
    expect_status: int = 200
    contains: str | None = None
    timeout: float = 10.0  # seconds
    fail_after: int = 2
    severity: str | None = None  # the incident's severity (default: the policy's least severe)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    name: str
    position: int
    group: str | None = None
    description: str | None = None
    slo: float | None = None  # availability objective in percent (0 < slo < 100), e.g. 99.9
    probe: Probe | None = None


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
        probe = read_probe(f, path + ("probe",))
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
        services.append(Service(svc_id, name or svc_id, len(services), group, description, slo, probe))
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


def read_probe(f: Fields, path) -> Probe | None:
    """A service's `probe: {url, expect_status, contains, timeout, fail_after}`, each value checked at its line."""
    if f.mapping(path, required=False) is None:
        return None
    f.unknown_keys(path, PROBE_KEYS, what="probe key")
    url = f.text(path + ("url",), max_len=2000)
    if url is not None and not _HTTP_URL.match(url):
        f.error(
            path + ("url",),
            "invalid-url",
            f"`{url}` is not an http(s) URL; write e.g. `https://api.example.com/health`",
        )
        url = None
    status = _integer(f, path + ("expect_status",), 100, 599, "an HTTP status such as 200")
    contains = f.text(path + ("contains",), required=False, max_len=1000)
    timeout = f.duration(path + ("timeout",))
    if timeout is not None and not 0 < timeout.total_seconds() <= 120:
        f.error(path + ("timeout",), "invalid-value", "a probe's `timeout` is more than 0s and at most 2m, e.g. `10s`")
        timeout = None
    fail_after = _integer(f, path + ("fail_after",), 1, 100, "a number of consecutive failures such as 2")
    severity = f.text(path + ("severity",), required=False)
    if url is None:
        return None
    return Probe(
        url,
        status or 200,
        contains,
        timeout.total_seconds() if timeout is not None else 10.0,
        fail_after or 2,
        severity,
    )


def _integer(f: Fields, path, low: int, high: int, example: str) -> int | None:
    value = f.get(path)
    if not f.has_value(path):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        f.error(path, "invalid-value", f"`{path[-1]}` is {example} (from {low} to {high}), not `{value}`")
        return None
    return value
