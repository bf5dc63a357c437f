"""The rules for a top-level key that is not a list: lifecycle timestamps, `status`, any other key."""

from __future__ import annotations

from incidents.merge.state import MISSING, MergeState, instant
from incidents.records.model import LIFECYCLE


def merge_key(m: MergeState, key: str) -> None:
    """The side that changed it; a lifecycle timestamp set on both sides: the earliest; else a conflict."""
    b, o, t = m.values(key)
    if t in (o, b):
        return  # theirs did not change it, or both made the same change: OURS as it is
    if o == b:
        m.take_theirs(key)
        return
    if key in LIFECYCLE:
        earliest(m, key, o, t)
        return
    m.conflict(key, "both sides changed it differently")


def earliest(m: MergeState, key: str, o, t) -> None:
    if o is MISSING or o is None:
        m.take_theirs(key)
        return
    if t is MISSING or t is None:
        return
    oi, ti = instant(o), instant(t)
    if oi is None or ti is None:
        m.conflict(key, "both sides set it and one is not a timestamp")
        return
    if ti < oi:
        m.take_theirs(key)


def _latest_status(updates: list | None) -> str | None:
    if not updates:
        return None
    latest = updates[-1].get("status") if isinstance(updates[-1], dict) else None
    return latest if isinstance(latest, str) else None


def merge_status(m: MergeState) -> None:
    """The status of the latest update once the updates were merged."""
    key = "status"
    b, o, t = m.values(key)
    updates = m.merged_lists.get("updates")
    if updates is not None and "updates" in m.contributed:
        latest = _latest_status(updates)
        if latest is not None and latest != o:
            m.set_scalar(key, latest)
        return
    if t in (o, b):
        return
    if o == b:
        m.take_theirs(key)
        return
    latest = _latest_status(updates)
    if latest is not None:
        if latest != o:
            m.set_scalar(key, latest)
        return
    m.conflict(key, "both sides changed it differently")
