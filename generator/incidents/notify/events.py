"""What changed: events from two snapshots of the records, and from time (maintenance windows).

Each event has a stable id, `<record id>:<kind>:<update index>` (or
`<record id>:<kind>` for the window starting and ending, which happen once),
so a state file can say which were delivered. Events are computed for two
views: `public` sees public records only (an incident made public "appears"
then), `internal` sees every record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from incidents.records.model import Incident, Maintenance

KIND_ORDER = {
    "incident.created": 0,
    "maintenance.scheduled": 0,
    "incident.updated": 1,
    "maintenance.updated": 1,
    "maintenance.started": 2,
    "incident.resolved": 3,
    "maintenance.completed": 3,
}


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # incident.created ...
    record: Incident | Maintenance  # as it was when the event happened (updates up to it)
    at: datetime  # when it happened (the update's time, the window's start...)
    index: int | None = None  # the update it is about

    @property
    def record_id(self) -> str:
        return self.record.id

    @property
    def internal(self) -> bool:
        return not self.record.is_public

    @property
    def update(self):
        if self.index is None or self.index >= len(self.record.updates):
            return None
        return self.record.updates[self.index]

    @property
    def is_incident(self) -> bool:
        return self.kind.startswith("incident.")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _as_of_update(inc: Incident, index: int) -> Incident:
    """The incident as it stood when its update `index` was posted."""
    upd = inc.updates[index]
    changes = {"updates": inc.updates[: index + 1], "status": upd.status}
    for key in ("acknowledged_at", "identified_at", "mitigated_at", "resolved_at"):
        value = getattr(inc, key)
        if value is not None and _utc(value) > _utc(upd.at):
            changes[key] = None
    if upd.status != "resolved":
        changes["resolved_at"] = None
    return dataclasses.replace(inc, **changes)


def _maintenance_as_of(m: Maintenance, index: int) -> Maintenance:
    upd = m.updates[index]
    status = upd.status if upd.status in ("scheduled", "in_progress", "completed") else m.status
    return dataclasses.replace(m, updates=m.updates[: index + 1], status=status)


def _records(repo, view: str, kind: str) -> dict:
    if repo is None:
        return {}
    items = repo.incidents if kind == "incident" else repo.maintenances
    return {r.id: r for r in items if view == "internal" or r.is_public}


def incident_events(old: Incident | None, new: Incident) -> list[Event]:
    events: list[Event] = []
    first = 0
    if old is None:
        at = new.updates[0].at if new.updates else new.detected_at
        record = _as_of_update(new, 0) if new.updates else new
        events.append(Event(f"{new.id}:incident.created:0", "incident.created", record, at, 0))
        first = 1
    else:
        first = len(old.updates)
    for i in range(first, len(new.updates)):
        events.append(
            Event(f"{new.id}:incident.updated:{i}", "incident.updated", _as_of_update(new, i), new.updates[i].at, i)
        )
    was_resolved = old is not None and old.status == "resolved"
    if new.status == "resolved" and not was_resolved:
        index = max(len(new.updates) - 1, 0)
        at = new.resolved_at or (new.updates[-1].at if new.updates else new.detected_at)
        events.append(Event(f"{new.id}:incident.resolved:{index}", "incident.resolved", new, at, index))
    return events


def maintenance_events(old: Maintenance | None, new: Maintenance, now: datetime) -> list[Event]:
    events: list[Event] = []
    if old is None:
        at = new.updates[0].at if new.updates else min(_utc(new.scheduled_start), _utc(now))
        record = _maintenance_as_of(new, 0) if new.updates else new
        events.append(Event(f"{new.id}:maintenance.scheduled:0", "maintenance.scheduled", record, at, 0))
        first = 1
    else:
        first = len(old.updates)
    for i in range(first, len(new.updates)):
        events.append(
            Event(
                f"{new.id}:maintenance.updated:{i}",
                "maintenance.updated",
                _maintenance_as_of(new, i),
                new.updates[i].at,
                i,
            )
        )
    old_status = old.status if old is not None else "scheduled"
    if new.status in ("in_progress", "completed") and old_status == "scheduled":
        at = next((u.at for u in new.updates if u.status == "in_progress"), new.scheduled_start)
        events.append(
            Event(
                f"{new.id}:maintenance.started",
                "maintenance.started",
                dataclasses.replace(new, status="in_progress"),
                at,
            )
        )
    if new.status == "completed" and old_status != "completed":
        at = next((u.at for u in new.updates if u.status == "completed"), new.scheduled_end)
        events.append(Event(f"{new.id}:maintenance.completed", "maintenance.completed", new, at))
    return events


def time_events(repo, view: str, since: datetime, now: datetime) -> list[Event]:
    """Windows that started or ended in (since, now] by the clock, whatever their record's status says."""
    events: list[Event] = []
    lo, hi = _utc(since), _utc(now)
    for m in _records(repo, view, "maintenance").values():
        if m.status == "completed":
            continue  # the record says so: the diff has its events
        start, end = _utc(m.scheduled_start), _utc(m.scheduled_end)
        if lo < start <= hi:
            events.append(
                Event(
                    f"{m.id}:maintenance.started",
                    "maintenance.started",
                    dataclasses.replace(m, status="in_progress"),
                    m.scheduled_start,
                )
            )
        if lo < end <= hi:
            events.append(
                Event(
                    f"{m.id}:maintenance.completed",
                    "maintenance.completed",
                    dataclasses.replace(m, status="completed"),
                    m.scheduled_end,
                )
            )
    return events


def diff_events(old_repo, new_repo, view: str, now: datetime, since: datetime | None = None) -> list[Event]:
    """Every event between two snapshots (and, with `since`, from time), in the order they happened."""
    events: list[Event] = []
    old_inc, new_inc = _records(old_repo, view, "incident"), _records(new_repo, view, "incident")
    for rid, inc in new_inc.items():
        events.extend(incident_events(old_inc.get(rid), inc))
    old_m, new_m = _records(old_repo, view, "maintenance"), _records(new_repo, view, "maintenance")
    for rid, m in new_m.items():
        events.extend(maintenance_events(old_m.get(rid), m, now))
    if since is not None:
        events.extend(time_events(new_repo, view, since, now))
    unique: dict[str, Event] = {}
    for ev in events:
        unique.setdefault(ev.id, ev)
    return sorted(unique.values(), key=lambda e: (_utc(e.at), e.record_id, KIND_ORDER[e.kind], e.index or 0))
