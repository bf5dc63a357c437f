"""Events of a run: what every commit between two revisions changed, each seen in the commit that made it,
and what time changed since the last run; then which of them are never announced (a history).

A run that catches up over many commits diffs each commit that changed the
records against the one before it (along first parents), so an event's
payload is the record as that commit had it, never as the last one has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from incidents.notify.events import Event, diff_events, in_order, time_events
from incidents.notify.snapshot import Snapshot, snapshot, snapshots_between
from incidents.records.model import Incident


@dataclass
class History:
    old: Snapshot
    new: Snapshot
    events: dict[str, list[Event]]  # view ("public", "internal") -> events in the order they happened


def collect(
    root: Path, from_rev: str, to_rev: str, views: tuple[str, ...], now: datetime, *, clock: bool, last_run=None
) -> History:
    """`clock`: also the windows that started or ended since `last_run` (else since `from_rev` was committed)."""
    old = snapshot(root, from_rev)
    since = (last_run or old.committed_at) if clock else None
    found: dict[str, list[Event]] = {view: [] for view in views}
    prev, new = old, old
    for order, snap in enumerate(snapshots_between(root, old, to_rev), start=1):
        new = snap
        if snap.repo is None:
            continue  # unreadable records at this commit: compare the next one with the last readable one
        for view in views:
            found[view].extend(diff_events(prev.repo, snap.repo, view, now, commit=snap.rev, order=order))
        prev = snap
    events: dict[str, list[Event]] = {}
    for view in views:
        if since is not None and prev.repo is not None:
            found[view].extend(time_events(prev.repo, view, since, now))
        events[view] = in_order(found[view])
    return History(old, new, events)


def not_announced(ev: Event, now: datetime, max_age: timedelta) -> str | None:
    """Why this event is history that customers are never told of, or None when it is news."""
    rec = ev.record
    if isinstance(rec, Incident) and rec.is_imported:
        assert rec.source is not None
        return f"imported from {rec.source.system}: a history is never announced"
    effective: date | None = getattr(getattr(ev.repo, "policy", None), "effective_from", None)
    started = rec.started_at if isinstance(rec, Incident) else rec.scheduled_start
    if effective is not None and started.astimezone(UTC).date() < effective:
        return f"the record starts before the policy's effective_from ({effective.isoformat()})"
    if ev.at.astimezone(UTC) < now.astimezone(UTC) - max_age:
        return f"it happened at {ev.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, more than max_age ({_age(max_age)}) ago"
    return None


def _age(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
