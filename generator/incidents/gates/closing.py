"""The observation after resolution (severity `observe_for`, incident `closed_at`).

A resolved incident without `closed_at` is under observation; once `observe_for` has passed since
`resolved_at` it is due to be closed (`incidents close ID`): still not closed is an error
(`close-overdue`), closed after that time a warning (`close-late`), closed before it (watched less than
`observe_for`) a warning (`observe-short`). Exactly at the deadline is in time.
"""

from __future__ import annotations

from datetime import datetime

from incidents.findings import ERROR, WARNING, Finding
from incidents.gates.postmortem import ago
from incidents.policy.severities import Severity
from incidents.records.durations import deadline, format_duration
from incidents.records.model import Incident
from incidents.records.timestamps import iso_utc


def observe_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    target = sev.observe_for
    if target is None or inc.is_open or inc.resolved_at is None:
        return []
    due = deadline(inc.resolved_at, target)
    want = f"severity `{sev.id}` asks for {format_duration(target)} of observation after resolving, then closing"
    closed = inc.closed_at
    if closed is None:
        if as_of <= due:
            return []
        return [
            Finding(
                inc.path,
                inc.lines.of("resolved_at"),
                1,
                ERROR,
                "close-overdue",
                f"{inc.id} was resolved {ago(as_of - inc.resolved_at)} ago ({iso_utc(inc.resolved_at)}) and is not "
                f"closed (due {iso_utc(due)}); {want}: close it (`incidents close {inc.id}`)",
            )
        ]
    if closed < due:
        return [
            Finding(
                inc.path,
                inc.lines.of("closed_at"),
                1,
                WARNING,
                "observe-short",
                f"{inc.id} was closed {ago(closed - inc.resolved_at)} after it was resolved ({iso_utc(closed)}); "
                f"{want}",
            )
        ]
    if closed > due:
        return [
            Finding(
                inc.path,
                inc.lines.of("closed_at"),
                1,
                WARNING,
                "close-late",
                f"{inc.id} was closed {ago(closed - due)} after its observation ended ({iso_utc(closed)}, due "
                f"{iso_utc(due)}); {want}",
            )
        ]
    return []
