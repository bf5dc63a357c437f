"""Statuspage payloads: recognise the shape, read every field with its JSON path.

A payload is one JSON document from a file or a URL. Every shape section 9
names is one of three at the top: an object holding `incidents` (incidents.json,
incidents/unresolved.json, summary.json, the older index.json), an object
holding `scheduled_maintenances` (scheduled-maintenances.json and its
/upcoming.json, /active.json; summary.json and index.json hold both), or a
bare array of incidents (the Manage API v1 list, or any exported array).

Nothing here trusts the payload: each field is checked for its type where it
is read, and a wrong one is a PayloadError naming the source and the JSON path
(`incidents[3].incident_updates[0].display_at`). Fields that real payloads
leave out or set to null (`started_at` and `components` before about 2020,
`affected_components`, `shortlink`, `page`) are optional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
IMPACTS = ("none", "minor", "major", "critical", "maintenance")


class PayloadError(Exception):
    """A payload that cannot be imported: where (source, JSON path) and why."""

    def __init__(self, source: str, path: str, message: str):
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")
        self.source = source
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """One entry of an update's `affected_components` (placeholders have no `code`)."""

    code: str | None
    name: str | None
    old_status: str | None
    new_status: str | None


@dataclass(frozen=True, slots=True)
class SPUpdate:
    status: str
    body: str
    at: datetime  # display_at, else created_at
    affected: tuple[ComponentStatus, ...] = ()
    order: int = 0  # position in the payload (newest first there)


@dataclass(frozen=True, slots=True)
class SPComponent:
    id: str | None
    name: str
    group_id: str | None = None
    is_group: bool = False


@dataclass(frozen=True, slots=True)
class SPIncident:
    """An incident or a scheduled maintenance as the payload holds it."""

    id: str
    name: str
    status: str
    impact: str
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    shortlink: str | None
    updates: tuple[SPUpdate, ...]
    components: tuple[SPComponent, ...]
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    postmortem_body: str | None = None
    postmortem_published_at: datetime | None = None
    source: str = ""
    path: str = ""

    @property
    def is_maintenance(self) -> bool:
        return self.impact == "maintenance" or self.scheduled_for is not None or self.status in MAINTENANCE_STATUSES


@dataclass(slots=True)
class Payload:
    source: str
    incidents: list[SPIncident] = field(default_factory=list)
    components: list[SPComponent] = field(default_factory=list)
    page_url: str | None = None


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {json.dumps(value[:40])}"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, message: str) -> PayloadError:
        return PayloadError(self.source, path, message)

    def obj(self, value, path: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, got {_describe(value)}")
        return value

    def text(self, d: dict, key: str, path: str, *, required: bool = False, choices=None) -> str | None:
        value = d.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                raise self.fail(where, "is missing" if key not in d else "is null; expected text")
            return None
        if not isinstance(value, str):
            raise self.fail(where, f"expected text, got {_describe(value)}")
        if choices is not None and value not in choices:
            raise self.fail(where, f"unknown value {json.dumps(value)}; expected one of {', '.join(choices)}")
        return value

    def need_text(self, d: dict, key: str, path: str, *, choices=None) -> str:
        """`text` of a key that must be there (a missing one fails with its JSON path)."""
        value = self.text(d, key, path, required=True, choices=choices)
        assert value is not None  # required: `text` failed otherwise
        return value

    def need_time(self, d: dict, key: str, path: str) -> datetime:
        """`time` of a key that must be there."""
        value = self.time(d, key, path, required=True)
        assert value is not None  # required: `time` failed otherwise
        return value

    def time(self, d: dict, key: str, path: str, *, required: bool = False) -> datetime | None:
        text = self.text(d, key, path, required=required)
        if text is None:
            return None
        where = f"{path}.{key}" if path else key
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(where, f"{json.dumps(text)} is not an ISO 8601 timestamp") from None
        if value.tzinfo is None:
            raise self.fail(where, f"{json.dumps(text)} has no UTC offset")
        return value

    def array(self, d: dict, key: str, path: str) -> list:
        value = d.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            where = f"{path}.{key}" if path else key
            raise self.fail(where, f"expected an array, got {_describe(value)}")
        return value


def parse_payload(data: bytes | str, source: str) -> Payload:
    """The incidents and maintenances of one payload; PayloadError for anything unusable."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(source, "", f"not JSON ({exc})") from None
    except RecursionError:
        raise PayloadError(source, "", "not a Statuspage payload: arrays or objects nested too deeply") from None
    r = _Reader(source)
    out = Payload(source)
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            out.incidents.append(_incident(r, item, f"[{i}]"))
        return out
    if not isinstance(doc, dict) or not ({"incidents", "scheduled_maintenances"} & doc.keys()):
        raise PayloadError(
            source,
            "",
            "not a Statuspage payload: expected an object with `incidents` or "
            "`scheduled_maintenances`, or an array of incidents",
        )
    page = doc.get("page")
    if page is not None:
        page = r.obj(page, "page")
        out.page_url = r.text(page, "url", "page")
    for i, item in enumerate(r.array(doc, "components", "")):
        out.components.append(_component(r, item, f"components[{i}]"))
    for key in ("incidents", "scheduled_maintenances"):
        for i, item in enumerate(r.array(doc, key, "")):
            incident = _incident(r, item, f"{key}[{i}]")
            if key == "scheduled_maintenances" and not incident.is_maintenance:
                incident = _as_maintenance(incident)
            out.incidents.append(incident)
    return out


def _as_maintenance(incident: SPIncident) -> SPIncident:
    from dataclasses import replace

    return replace(incident, impact="maintenance")


def _component(r: _Reader, value, path: str) -> SPComponent:
    d = r.obj(value, path)
    name = r.need_text(d, "name", path)
    group = d.get("group")
    if group is not None and not isinstance(group, bool):
        raise r.fail(f"{path}.group", f"expected true or false, got {_describe(group)}")
    return SPComponent(r.text(d, "id", path), name, r.text(d, "group_id", path), bool(group))


def _incident(r: _Reader, value, path: str) -> SPIncident:
    d = r.obj(value, path)
    impact = r.text(d, "impact", path, choices=IMPACTS) or "none"
    scheduled_for = r.time(d, "scheduled_for", path)
    is_maintenance = impact == "maintenance" or scheduled_for is not None
    status = r.need_text(d, "status", path, choices=INCIDENT_STATUSES + MAINTENANCE_STATUSES)
    if not is_maintenance and status in MAINTENANCE_STATUSES:
        is_maintenance = True
    update_statuses = INCIDENT_STATUSES + MAINTENANCE_STATUSES
    updates = []
    for i, item in enumerate(r.array(d, "incident_updates", path)):
        updates.append(_update(r, item, f"{path}.incident_updates[{i}]", update_statuses, i))
    components = tuple(
        _component(r, item, f"{path}.components[{i}]") for i, item in enumerate(r.array(d, "components", path))
    )
    return SPIncident(
        id=r.need_text(d, "id", path),
        name=r.need_text(d, "name", path),
        status=status,
        impact=impact,
        created_at=r.need_time(d, "created_at", path),
        started_at=r.time(d, "started_at", path),
        updated_at=r.time(d, "updated_at", path),
        monitoring_at=r.time(d, "monitoring_at", path),
        resolved_at=r.time(d, "resolved_at", path),
        shortlink=r.text(d, "shortlink", path),
        updates=tuple(updates),
        components=components,
        scheduled_for=scheduled_for,
        scheduled_until=r.time(d, "scheduled_until", path),
        postmortem_body=r.text(d, "postmortem_body", path),
        postmortem_published_at=r.time(d, "postmortem_published_at", path),
        source=r.source,
        path=path,
    )


def _update(r: _Reader, value, path: str, statuses, order: int) -> SPUpdate:
    d = r.obj(value, path)
    status = r.need_text(d, "status", path, choices=statuses)
    body = r.text(d, "body", path) or ""
    created = r.time(d, "created_at", path)
    display = r.time(d, "display_at", path)
    at = display or created
    if at is None:
        raise r.fail(f"{path}.display_at", "is missing, and so is `created_at`: the update has no time")
    affected = []
    for i, item in enumerate(r.array(d, "affected_components", path)):
        where = f"{path}.affected_components[{i}]"
        c = r.obj(item, where)
        affected.append(
            ComponentStatus(
                r.text(c, "code", where),
                r.text(c, "name", where),
                r.text(c, "old_status", where),
                r.text(c, "new_status", where),
            )
        )
    return SPUpdate(status, body, at, tuple(affected), order)


__all__ = ["ComponentStatus", "Payload", "PayloadError", "SPComponent", "SPIncident", "SPUpdate", "parse_payload"]
