"""Editing an existing record under its lock: `update`, `ack`, `timeline`, `escalate`, `maintenance update`.

Every edit follows the same steps: find the file, take its lock (authoring.lock), read it, plan the
byte-keeping edit (authoring.update.plan_edit), read the result back (it must hold exactly the old
values plus the change), run the record's rules on it (refused with the findings when it would not
validate), and replace the file atomically. The lock is held from the read to the write, so a second
command on the same file waits and then edits what the first one wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from incidents.authoring import AuthoringError, atomic
from incidents.authoring.checks import check_incident_bytes, check_maintenance_bytes
from incidents.authoring.lock import locked
from incidents.authoring.repo import find_incident_file, record_files_named, scan
from incidents.authoring.update import UPDATE_KEY_ORDER, not_before_last, plan_edit
from incidents.authoring.yamltext import timestamp
from incidents.policy.policy_file import LoadedPolicy
from incidents.records.model import INCIDENT_STATUSES, LIFECYCLE, MAINTENANCE_STATUSES, STATUS_TIMESTAMP
from incidents.records.source import read_record

Planner = Callable[[bytes, str, dict], tuple[bytes, dict]]


def _find(root: Path, kind: str, record_id: str):
    if kind == "incident":
        ref = find_incident_file(root, record_id)
    else:
        ref = next((r for r in scan(root) if r.kind == kind and r.id == record_id), None)
    if ref is None:
        raise AuthoringError(f"no {kind} with id `{record_id}` under incidents/")
    return ref


def edit_record(root: Path, loaded: LoadedPolicy, kind: str, record_id: str, planner: Planner, what: str) -> str:
    """Apply `planner(data, rel, front_matter)` to the record's file under its lock; return its path."""
    ref = _find(root, kind, record_id)
    path = Path(os.path.realpath(root / ref.path))  # a symlinked record is edited where it lives
    with locked(path, what=ref.path):
        data = path.read_bytes()
        src, _ = read_record(data, ref.path)
        if src is None:
            raise AuthoringError(f"{ref.path} cannot be read as a record; fix it first (`incidents validate`)")
        new_data, expected = planner(data, ref.path, src.front_matter.data)
        check, _ = read_record(new_data, ref.path)
        if check is None or check.front_matter.data != expected or check.body != src.body:
            raise AuthoringError(
                f"this file's layout defeats a safe in-place edit (the result would differ in more than the "
                f"{what}); add it by hand; the file was not changed"
            )
        checker = check_incident_bytes if kind == "incident" else check_maintenance_bytes
        _, errors = checker(new_data, ref.path, loaded)
        if errors:
            raise AuthoringError(
                f"the {what} would leave {ref.path} invalid (line numbers as the file would "
                "read); the file was not changed",
                errors,
            )
        atomic.replace(path, new_data)
    return ref.path


def update_incident(
    root: Path,
    loaded: LoadedPolicy,
    incident_id: str,
    status: str,
    message: str,
    at: datetime,
    times: dict[str, datetime] | None = None,
) -> str:
    """Append a public update and set the status; fill lifecycle timestamps (see `lifecycle_fill`)."""
    if status not in INCIDENT_STATUSES:
        raise AuthoringError(f"unknown status `{status}`; use one of {', '.join(INCIDENT_STATUSES)}")

    def plan(data: bytes, rel: str, fm: dict):
        current = fm.get("status")
        if current == "resolved" and status != "resolved":
            # The status may go back (monitoring -> investigating: a fix that did not hold), but
            # `resolved_at` is set exactly when the status is `resolved`, and it keeps its first value.
            raise AuthoringError(
                f"{incident_id} is `resolved`; reopening it would leave `resolved_at` set. If the problem came "
                "back, declare a new incident (`incidents new ...`) and link the two; the file was not changed"
            )
        not_before_last(fm.get("updates"), at, "update", "updates")
        fill = lifecycle_fill(fm, status, at, times or {})
        return plan_edit(
            data,
            rel,
            status=status,
            timestamps={k: timestamp(v) for k, v in fill.items()},
            appends=[("updates", {"at": timestamp(at), "status": status, "message": message}, UPDATE_KEY_ORDER)],
        )

    return edit_record(root, loaded, "incident", incident_id, plan, "update")


def lifecycle_fill(fm: dict, status: str, at: datetime, times: dict[str, datetime]) -> dict[str, datetime]:
    """The lifecycle timestamps an update sets: those given by flags (refused when already set: each keeps
    its first value), else the one the status fills when still empty (`acknowledged_at` on leaving
    investigating, `identified_at`, `mitigated_at` for monitoring, `resolved_at`), at the update's time."""
    out: dict[str, datetime] = {}
    for key, value in times.items():
        if fm.get(key) not in (None, ""):
            raise AuthoringError(
                f"`{key}` is already set ({fm[key]}); each lifecycle timestamp keeps its first "
                f"value, so --{key.replace('_', '-')} cannot change it; the file was not changed"
            )
        out[key] = value
    wanted = ["acknowledged_at"] if status != "investigating" else []
    if status in STATUS_TIMESTAMP:
        wanted.append(STATUS_TIMESTAMP[status])
    for key in wanted:
        if key not in out and fm.get(key) in (None, ""):
            out[key] = at
    return {k: out[k] for k in LIFECYCLE if k in out}


def ack_incident(root: Path, loaded: LoadedPolicy, incident_id: str, at: datetime) -> str:
    """Set `acknowledged_at` (refused when it is already set)."""

    def plan(data: bytes, rel: str, fm: dict):
        if fm.get("acknowledged_at") not in (None, ""):
            raise AuthoringError(
                f"{incident_id} was already acknowledged ({fm['acknowledged_at']}); the file was not changed"
            )
        return plan_edit(data, rel, timestamps={"acknowledged_at": timestamp(at)})

    return edit_record(root, loaded, "incident", incident_id, plan, "acknowledgement")


def close_incident(root: Path, loaded: LoadedPolicy, incident_id: str, at: datetime) -> str:
    """Set `closed_at`: the observation after resolution is over (refused unless resolved, or when already
    closed; a time before `resolved_at` is refused by validation)."""

    def plan(data: bytes, rel: str, fm: dict):
        if fm.get("status") != "resolved":
            raise AuthoringError(
                f"{incident_id} is `{fm.get('status')}`, not resolved; resolve it first "
                f"(`incidents update {incident_id} --status resolved ...`); the file was not changed"
            )
        if fm.get("closed_at") not in (None, ""):
            raise AuthoringError(f"{incident_id} was already closed ({fm['closed_at']}); the file was not changed")
        return plan_edit(data, rel, timestamps={"closed_at": timestamp(at)})

    return edit_record(root, loaded, "incident", incident_id, plan, "closing")


def append_timeline(root: Path, loaded: LoadedPolicy, incident_id: str, event: str, at: datetime) -> str:
    """Append a scribe entry `{at, event}` to the internal `timeline`."""

    def plan(data: bytes, rel: str, fm: dict):
        not_before_last(fm.get("timeline"), at, "timeline entry", "timeline")
        return plan_edit(data, rel, appends=[("timeline", {"at": timestamp(at), "event": event}, ("at", "event"))])

    return edit_record(root, loaded, "incident", incident_id, plan, "timeline entry")


def append_escalation(root: Path, loaded: LoadedPolicy, incident_id: str, to: str, at: datetime) -> str:
    """Append `{at, to}` to `escalations`."""

    def plan(data: bytes, rel: str, fm: dict):
        not_before_last(fm.get("escalations"), at, "escalation", "escalations")
        return plan_edit(data, rel, appends=[("escalations", {"at": timestamp(at), "to": to}, ("at", "to"))])

    return edit_record(root, loaded, "incident", incident_id, plan, "escalation")


def update_maintenance(
    root: Path, loaded: LoadedPolicy, maintenance_id: str, status: str, message: str, at: datetime
) -> str:
    """Set a maintenance window's status and append an update."""
    if status not in MAINTENANCE_STATUSES:
        raise AuthoringError(f"unknown status `{status}`; use one of {', '.join(MAINTENANCE_STATUSES)}")

    def plan(data: bytes, rel: str, fm: dict):
        return plan_edit(
            data,
            rel,
            status=status,
            appends=[("updates", {"at": timestamp(at), "status": status, "message": message}, UPDATE_KEY_ORDER)],
        )

    return edit_record(root, loaded, "maintenance", maintenance_id, plan, "update")


__all__ = [
    "ack_incident",
    "append_escalation",
    "append_timeline",
    "edit_record",
    "lifecycle_fill",
    "record_files_named",
    "update_incident",
    "update_maintenance",
]
