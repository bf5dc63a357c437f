"""The records of a commit as they stood at one moment: what the status page said when an event happened.

A commit may carry several updates at once (a catch-up, a late push): at the
time of each, the other records show only the updates posted by then, and a
record with none yet does not exist. The event's own record replaces its
version in the commit, so the page status and the components' statuses in a
payload are those of that moment, never of HEAD or the clock.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from incidents.notify.events import incident_as_of, maintenance_as_of
from incidents.records.model import Incident, Maintenance


def _posted_by(updates, at: datetime) -> int:
    """How many of `updates` were posted at or before `at`."""
    return sum(1 for u in updates if u.at.astimezone(UTC) <= at)


def _incident_then(inc: Incident, at: datetime) -> Incident | None:
    if not inc.updates:
        return inc if inc.detected_at.astimezone(UTC) <= at else None
    count = _posted_by(inc.updates, at)
    return incident_as_of(inc, count - 1) if count else None


def _maintenance_then(m: Maintenance, at: datetime) -> Maintenance | None:
    if not m.updates:
        return m
    count = _posted_by(m.updates, at)
    return maintenance_as_of(m, count - 1) if count else None


def repository_as_of(repo, at: datetime, record: Incident | Maintenance | None = None):
    """`repo` (a reading.validate.Repository) with each record as of `at`, and `record` in place of its own."""
    at = at.astimezone(UTC)
    incidents, maintenances = [], []
    for inc in repo.incidents:
        then = record if record is not None and isinstance(record, Incident) and inc.id == record.id else None
        then = then or _incident_then(inc, at)
        if then is not None:
            incidents.append(then)
    for m in repo.maintenances:
        then = record if record is not None and isinstance(record, Maintenance) and m.id == record.id else None
        then = then or _maintenance_then(m, at)
        if then is not None:
            maintenances.append(then)
    if isinstance(record, Incident) and all(i.id != record.id for i in incidents):
        incidents.append(record)
    if isinstance(record, Maintenance) and all(m.id != record.id for m in maintenances):
        maintenances.append(record)
    return dataclasses.replace(repo, incidents=tuple(incidents), maintenances=tuple(maintenances))
