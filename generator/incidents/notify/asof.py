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
    own_inc = record if isinstance(record, Incident) else None
    own_m = record if isinstance(record, Maintenance) else None
    incidents: list[Incident] = []
    for inc in repo.incidents:
        then_inc = own_inc if own_inc is not None and inc.id == own_inc.id else _incident_then(inc, at)
        if then_inc is not None:
            incidents.append(then_inc)
    maintenances: list[Maintenance] = []
    for m in repo.maintenances:
        then_m = own_m if own_m is not None and m.id == own_m.id else _maintenance_then(m, at)
        if then_m is not None:
            maintenances.append(then_m)
    if own_inc is not None and all(i.id != own_inc.id for i in incidents):
        incidents.append(own_inc)
    if own_m is not None and all(m.id != own_m.id for m in maintenances):
        maintenances.append(own_m)
    return dataclasses.replace(repo, incidents=tuple(incidents), maintenances=tuple(maintenances))
