"""Statuspage incidents and maintenances -> the values of records (contract section 9).

The values are plain Python (datetimes, strings, lists): `render` writes them
as a new file, and `writer` compares them with a file already imported. Where a
real payload would give a record that does not validate, the value is moved the
least that makes it valid, and the record's body says what was moved:

* `started_at` moves earlier to the first update when an update is earlier;
* `detected_at` is `created_at`, but not before `started_at` and not after the
  first update (a backfilled incident was created after it was over);
* updates displayed after `resolved_at` (a late note, a postmortem update) keep
  their text and order and are shown at `resolved_at`, their own time in the body;
  `resolved_at` stays as Statuspage recorded it, so MTTR is the payload's own;
* when the last update's status is not the incident's (a resolved incident whose
  only update says `investigating`), the last update takes the incident's status;
* an incident without updates gets one, `(no message)`, as the status page showed none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from incidents.importing.htmltext import NO_MESSAGE, body_to_markdown
from incidents.importing.payloads import SPComponent, SPIncident, SPUpdate
from incidents.importing.services import Catalogue
from incidents.records.model import IMPACTS
from incidents.rules.common import MESSAGE_MAX

SYSTEM = "statuspage"
STATUS_MAP = {"postmortem": "resolved"}
MAINTENANCE_STATUS_MAP = {
    "verifying": "in_progress",
    "investigating": "in_progress",
    "identified": "in_progress",
    "monitoring": "in_progress",
    "resolved": "completed",
    "postmortem": "completed",
}
INCIDENT_UPDATE_MAP = {
    "postmortem": "resolved",
    "verifying": "monitoring",
    "scheduled": "investigating",
    "in_progress": "identified",
    "completed": "resolved",
}
IMPACT_DEFAULT = {
    "critical": "major_outage",
    "major": "partial_outage",
    "minor": "degraded_performance",
    "none": "degraded_performance",
    "maintenance": "degraded_performance",
}
DEFAULT_ORDER = {"critical": 0, "major": 1, "minor": 2}
TITLE_MAX = 200


@dataclass(frozen=True, slots=True)
class Update:
    at: datetime
    status: str
    message: str


@dataclass(slots=True)
class RecordPlan:
    """One record to write: where, its front matter values in order, its body."""

    kind: str  # incident | maintenance | postmortem
    id: str
    rel: str
    values: dict
    body: str
    source_label: str = ""
    notes: list[str] = field(default_factory=list)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def default_severities(severity_ids: tuple[str, ...]) -> dict[str, str]:
    """critical -> the first severity, major -> the second, minor -> the third, none -> the last."""
    if not severity_ids:
        return {}
    last = len(severity_ids) - 1
    out = {impact: severity_ids[min(i, last)] for impact, i in DEFAULT_ORDER.items()}
    out["none"] = severity_ids[last]
    out["maintenance"] = severity_ids[last]
    return out


def _message(update: SPUpdate, notes: list[str]) -> str:
    text = body_to_markdown(update.body)
    if len(text) > MESSAGE_MAX:
        notes.append(f"The update of {_iso(update.at)} was {len(text)} characters long; its full text:\n\n{text}")
        text = text[: MESSAGE_MAX - 60].rstrip() + " … (shortened; the full text is in the incident's body)"
    return text


def _iso(value: datetime) -> str:
    from incidents.importing.render import ts

    return ts(value)


def _ordered(updates: tuple[SPUpdate, ...]) -> list[SPUpdate]:
    """Oldest first; updates at the same instant keep the payload's order (newest first there)."""
    return sorted(updates, key=lambda u: (utc(u.at), -u.order))


def _title(name: str, notes: list[str]) -> str:
    title = " ".join(name.split()) or "(untitled)"
    if len(title) > TITLE_MAX:
        notes.append(f"The full title on Statuspage: {name}")
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return title


def _services(
    inc: SPIncident,
    catalogue: Catalogue,
    groups: dict[str, str],
    default_service: str,
    components: dict[str, SPComponent],
) -> list[tuple[str, SPComponent | None]]:
    """(service id, component) for the incident's components, else its affected components with a code."""
    found: list[SPComponent] = [c for c in inc.components if not c.is_group]
    if not found:
        seen: set[str] = set()
        for u in inc.updates:
            for a in u.affected:
                if a.code and a.name and a.code not in seen:
                    seen.add(a.code)
                    found.append(components.get(a.code) or SPComponent(a.code, a.name))
    out: list[tuple[str, SPComponent | None]] = []
    for comp in found:
        group = groups.get(comp.group_id) if comp.group_id else None
        svc = catalogue.for_name(comp.name, group)
        if svc not in [s for s, _ in out]:
            out.append((svc, comp))
    if not out:
        out.append((catalogue.ensure_id(default_service), None))
    return out


def _impacts(inc: SPIncident, services: list[tuple[str, SPComponent | None]]) -> str | dict[str, str]:
    fallback = IMPACT_DEFAULT.get(inc.impact, "degraded_performance")
    worst: dict[str, str] = {}
    for svc, comp in services:
        if comp is None:
            continue
        for u in inc.updates:
            for a in u.affected:
                if (a.code and a.code == comp.id) or (a.name and a.name.strip().lower() == comp.name.strip().lower()):
                    for status in (a.old_status, a.new_status):
                        if status in IMPACTS and IMPACTS.index(status) >= IMPACTS.index(worst.get(svc, status)):
                            worst[svc] = status
    levels = {svc: worst.get(svc, fallback) for svc, _ in services}
    if len(set(levels.values())) == 1:
        return next(iter(levels.values()))
    return levels


def map_incident(
    inc: SPIncident,
    catalogue: Catalogue,
    severity_map: dict[str, str],
    default_service: str,
    groups: dict[str, str],
    components: dict[str, SPComponent],
) -> list[RecordPlan]:
    """The incident record (and its postmortem record when the payload has a postmortem body)."""
    notes: list[str] = []
    status = STATUS_MAP.get(inc.status, inc.status)
    updates, started, resolved = _incident_updates(inc, status, notes)
    times = _lifecycle(inc, updates, started, resolved)
    services = _services(inc, catalogue, groups, default_service, components)
    severity = severity_map.get(inc.impact) or severity_map.get("none")
    values = {
        "id": inc.id,
        "title": _title(inc.name, notes),
        "severity": severity,
        "status": status,
        "services": [s for s, _ in services],
        "impact": _impacts(inc, services),
        **times,
        "source": {"system": SYSTEM, "id": inc.id, **({"url": inc.shortlink} if _is_url(inc.shortlink) else {})},
        "updates": updates,
    }
    year = utc(started).year
    rel = f"incidents/{year}/{inc.id}.md"
    plans = [RecordPlan("incident", inc.id, rel, values, _body(inc, notes), inc.source)]
    pm = (inc.postmortem_body or "").strip()
    if pm:
        published = inc.postmortem_published_at or resolved or updates[-1].at
        plans.append(_postmortem_plan(inc, year, pm, published))
    return plans


def _incident_updates(inc: SPIncident, status: str, notes: list[str]) -> tuple[list[Update], datetime, datetime | None]:
    """The record's updates (oldest first, none after `resolved_at`, the last one carrying the incident's
    status), its `started_at` and its `resolved_at`; each adjustment explained in `notes`."""
    updates = [
        Update(u.at, INCIDENT_UPDATE_MAP.get(u.status, u.status), _message(u, notes)) for u in _ordered(inc.updates)
    ]
    started = inc.started_at or inc.created_at
    if updates and updates[0].at < started:
        notes.append(f"`started_at` is the first update's time; Statuspage's start was {_iso(started)}.")
        started = updates[0].at
    resolved = None
    if status == "resolved":
        resolved = inc.resolved_at
        if resolved is None:
            done = [u.at for u in updates if u.status == "resolved"]
            resolved = done[0] if done else (updates[-1].at if updates else (inc.updated_at or started))
        if resolved < started:
            started = resolved
    if not updates:
        updates = [Update(resolved or started, status, NO_MESSAGE)]
        notes.append("Statuspage showed no update for this incident; one `(no message)` update stands for it.")
    if resolved is not None:
        for u in updates:
            if u.at > resolved:
                notes.append(
                    f"The update displayed at {_iso(u.at)} (after `resolved_at`) is shown at "
                    f"`resolved_at`, {_iso(resolved)}."
                )
        updates = [u if u.at <= resolved else Update(resolved, u.status, u.message) for u in updates]
    if updates[-1].status != status:
        notes.append(f"The last update said `{updates[-1].status}`; it carries the incident's status, `{status}`.")
        updates[-1] = Update(updates[-1].at, status, updates[-1].message)
    return updates, started, resolved


def _lifecycle(inc: SPIncident, updates: list[Update], started: datetime, resolved: datetime | None) -> dict:
    """The lifecycle timestamps, in order: Statuspage records no detection or acknowledgement, so those are
    bounds from its first update (metrics never take MTTD or MTTA from an imported record)."""
    first = updates[0].at
    detected = max(started, min(inc.created_at, first))
    acknowledged = first
    identified = next((u.at for u in updates if u.status == "identified"), None)
    mitigated = inc.monitoring_at or next((u.at for u in updates if u.status == "monitoring"), None)
    times = {"started_at": started, "detected_at": detected, "acknowledged_at": acknowledged}
    floor = acknowledged
    for key, value in (("identified_at", identified), ("mitigated_at", mitigated)):
        if value is None:
            continue
        value = max(value, floor)
        if resolved is not None:
            value = min(value, resolved)
        times[key] = value
        floor = value
    if resolved is not None:
        times["resolved_at"] = max(resolved, floor)
    return times


def _postmortem_plan(inc: SPIncident, year: int, body: str, published: datetime) -> RecordPlan:
    """A published, public postmortem record holding the Manage API's postmortem text."""
    values = {
        "type": "postmortem",
        "incident": inc.id,
        "status": "published",
        "authors": ["statuspage"],
        "date": utc(published).date(),
        "visibility": "public",
        "action_items": [],
    }
    rel = f"incidents/{year}/{inc.id}.postmortem.md"
    return RecordPlan("postmortem", inc.id, rel, values, body_to_markdown(body) + "\n", inc.source)


def map_maintenance(
    inc: SPIncident,
    catalogue: Catalogue,
    default_service: str,
    groups: dict[str, str],
    components: dict[str, SPComponent],
) -> RecordPlan:
    notes: list[str] = []
    status = MAINTENANCE_STATUS_MAP.get(inc.status, inc.status)
    if status not in ("scheduled", "in_progress", "completed"):
        status = "completed" if inc.resolved_at else "scheduled"
    ordered = _ordered(inc.updates)
    updates = [Update(u.at, MAINTENANCE_STATUS_MAP.get(u.status, u.status), _message(u, notes)) for u in ordered]
    start = inc.scheduled_for or inc.started_at or inc.created_at
    end = inc.scheduled_until or inc.resolved_at or (updates[-1].at if updates else None)
    if end is None or end <= start:
        notes.append("Statuspage gave no end after the start; the window is shown as one minute long.")
        from datetime import timedelta

        end = start + timedelta(minutes=1)
    if updates and updates[-1].status != status:
        notes.append(f"The last update said `{updates[-1].status}`; it carries the window's status, `{status}`.")
        updates[-1] = Update(updates[-1].at, status, updates[-1].message)
    services = _services(inc, catalogue, groups, default_service, components)
    values = {
        "type": "maintenance",
        "id": inc.id,
        "title": _title(inc.name, notes),
        "services": [s for s, _ in services],
        "scheduled_start": start,
        "scheduled_end": end,
        "status": status,
        "updates": updates,
    }
    rel = f"incidents/{utc(start).year}/{inc.id}.md"
    return RecordPlan("maintenance", inc.id, rel, values, _body(inc, notes), inc.source)


def _is_url(text: str | None) -> bool:
    return text is not None and text.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in text)


def _body(inc: SPIncident, notes: list[str]) -> str:
    where = inc.shortlink or f"id {inc.id}"
    lines = [f"Imported from Statuspage ({where})."]
    if notes:
        lines += ["", "What the import adjusted to keep this record valid:", ""]
        lines += [f"- {n}" for n in notes if "\n" not in n]
        lines += [f"\n{n}" for n in notes if "\n" in n]
    return "\n".join(lines) + "\n"


__all__ = ["RecordPlan", "Update", "default_severities", "map_incident", "map_maintenance"]
