"""What changed: events from two snapshots of the records, and from time (maintenance windows).

One message per transition: each new update is one event, and its kind says
what the update did — the first update of a record is `incident.created` /
`maintenance.scheduled`, an update that resolves an incident is
`incident.resolved` (never also an `incident.updated`), one that starts or
completes a window is `maintenance.started` / `maintenance.completed`; any
other is `*.updated`. Each event carries the record AS IT WAS when it happened
(its updates up to that one, their status) and the snapshot of the commit that
made the change, so its payload never shows what came later.

Each event has a stable id, `<record id>:<kind>:<update index>`; a window's
start and end happen once, so theirs are `<record id>:maintenance.started` and
`<record id>:maintenance.completed`, whether an update or the clock said so.
Events are computed for two views: `public` sees public records only (an
incident made public "appears" then), `internal` sees every record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
STARTED, COMPLETED = "maintenance.started", "maintenance.completed"


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # incident.created ...
    record: Incident | Maintenance  # as it was when the event happened (updates up to it)
    at: datetime  # when it happened (the update's time, the window's start...)
    index: int | None = None  # the update it is about
    repo: Any = field(default=None, compare=False, repr=False)  # the records of the commit that made it
    commit: str | None = None  # that commit (None: the clock made it)
    order: int = 0  # that commit's place in the run: ties in time go in commit order

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

    def as_update(self) -> Event | None:
        """A window's start or end that an update announced, as the plain update it also is (when the
        start or end was already announced by the clock)."""
        if self.kind not in (STARTED, COMPLETED) or self.index is None:
            return None
        return dataclasses.replace(
            self, id=f"{self.record_id}:maintenance.updated:{self.index}", kind="maintenance.updated"
        )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def incident_as_of(inc: Incident, index: int) -> Incident:
    """The incident as it stood when its update `index` was posted."""
    upd = inc.updates[index]
    changes: dict[str, Any] = {"updates": inc.updates[: index + 1], "status": upd.status}
    for key in ("acknowledged_at", "identified_at", "mitigated_at", "resolved_at"):
        value = getattr(inc, key)
        if value is not None and _utc(value) > _utc(upd.at):
            changes[key] = None
    if upd.status != "resolved":
        changes["resolved_at"] = None
    return dataclasses.replace(inc, **changes)


def maintenance_as_of(m: Maintenance, index: int) -> Maintenance:
    upd = m.updates[index]
    return dataclasses.replace(m, updates=m.updates[: index + 1], status=upd.status)


def _records(repo, view: str, kind: str) -> dict:
    if repo is None:
        return {}
    items = repo.incidents if kind == "incident" else repo.maintenances
    return {r.id: r for r in items if view == "internal" or r.is_public}


def _incident_kind(created: bool, status: str, before: str | None) -> str:
    if created:
        return "incident.created"
    if status == "resolved" and before != "resolved":
        return "incident.resolved"
    return "incident.updated"


def incident_events(old: Incident | None, new: Incident, **where) -> list[Event]:
    events: list[Event] = []
    rid = new.id
    if not new.updates and old is None:  # a record without public updates: it appears, as it is
        return [Event(f"{rid}:incident.created:0", "incident.created", new, _utc(new.detected_at), None, **where)]
    first = len(old.updates) if old is not None else 0
    before = old.status if old is not None else None
    for i in range(first, len(new.updates)):
        status = new.updates[i].status
        kind = _incident_kind(old is None and i == 0, status, before)
        events.append(Event(f"{rid}:{kind}:{i}", kind, incident_as_of(new, i), _utc(new.updates[i].at), i, **where))
        before = status
    if new.status == "resolved" and before != "resolved" and (old is None or old.status != "resolved"):
        # Resolved without a resolving update (an incident without public updates): the status is the news.
        index = len(new.updates) - 1 if new.updates else None
        at = new.resolved_at or (new.updates[-1].at if new.updates else new.detected_at)
        events.append(
            Event(f"{rid}:incident.resolved:{index or 0}", "incident.resolved", new, _utc(at), index, **where)
        )
    return events


def _maintenance_kind(created: bool, status: str, before: str | None) -> str:
    if created:
        return "maintenance.scheduled"
    if status == "in_progress" and before == "scheduled":
        return STARTED
    if status == "completed" and before != "completed":
        return COMPLETED
    return "maintenance.updated"


def _maintenance_id(rid: str, kind: str, i: int) -> str:
    return f"{rid}:{kind}" if kind in (STARTED, COMPLETED) else f"{rid}:{kind}:{i}"


def maintenance_events(old: Maintenance | None, new: Maintenance, now: datetime, **where) -> list[Event]:
    events: list[Event] = []
    rid = new.id
    if old is None and not new.updates:
        at = min(_utc(new.scheduled_start), _utc(now))
        events.append(Event(f"{rid}:maintenance.scheduled:0", "maintenance.scheduled", new, at, None, **where))
    first = len(old.updates) if old is not None else 0
    before = old.status if old is not None else None
    for i in range(first, len(new.updates)):
        status = new.updates[i].status
        kind = _maintenance_kind(old is None and i == 0, status, before)
        record = maintenance_as_of(new, i)
        events.append(Event(_maintenance_id(rid, kind, i), kind, record, _utc(new.updates[i].at), i, **where))
        before = status
    # The record's status moved without an update saying so: the status is the news.
    said = {e.kind for e in events}
    old_status = old.status if old is not None else "scheduled"
    moved = new.status in ("in_progress", "completed") and old_status == "scheduled"
    if moved and STARTED not in said and before in (None, "scheduled"):
        record = dataclasses.replace(new, status="in_progress")
        events.append(Event(f"{rid}:{STARTED}", STARTED, record, _utc(new.scheduled_start), None, **where))
    if new.status == "completed" and old_status != "completed" and COMPLETED not in said and before != "completed":
        events.append(Event(f"{rid}:{COMPLETED}", COMPLETED, new, _utc(new.scheduled_end), None, **where))
    return events


def _window_as_of(m: Maintenance, at: datetime, status: str) -> Maintenance:
    updates = tuple(u for u in m.updates if _utc(u.at) <= at)
    return dataclasses.replace(m, updates=updates, status=status)


def time_events(repo, view: str, since: datetime, now: datetime) -> list[Event]:
    """Windows that started or ended in (since, now] by the clock while their record did not say so."""
    events: list[Event] = []
    lo, hi = _utc(since), _utc(now)
    for m in _records(repo, view, "maintenance").values():
        if m.status == "completed":
            continue  # the record says so: the diff has its events
        start, end = _utc(m.scheduled_start), _utc(m.scheduled_end)
        if m.status == "scheduled" and lo < start <= hi:
            record = _window_as_of(m, start, "in_progress")
            events.append(Event(f"{m.id}:{STARTED}", STARTED, record, start, repo=repo))
        if lo < end <= hi:
            record = _window_as_of(m, end, "completed")
            events.append(Event(f"{m.id}:{COMPLETED}", COMPLETED, record, end, repo=repo))
    return events


def diff_events(
    old_repo, new_repo, view: str, now: datetime, *, commit: str | None = None, order: int = 0
) -> list[Event]:
    """Every event between two snapshots of the records (`new_repo` is the commit that made them)."""
    where = {"repo": new_repo, "commit": commit, "order": order}
    events: list[Event] = []
    old_inc = _records(old_repo, view, "incident")
    for rid, inc in _records(new_repo, view, "incident").items():
        events.extend(incident_events(old_inc.get(rid), inc, **where))
    old_m = _records(old_repo, view, "maintenance")
    for rid, m in _records(new_repo, view, "maintenance").items():
        events.extend(maintenance_events(old_m.get(rid), m, now, **where))
    return events


def in_order(events: list[Event]) -> list[Event]:
    """Each id once (the first commit that made it wins; an update's start or end wins over the clock's),
    in the order things happened."""
    unique: dict[str, Event] = {}
    for ev in events:
        kept = unique.get(ev.id)
        if kept is None or (kept.commit is None and ev.commit is not None):
            unique[ev.id] = ev
    return sorted(unique.values(), key=lambda e: (_utc(e.at), e.order, e.record_id, KIND_ORDER[e.kind], e.index or 0))
