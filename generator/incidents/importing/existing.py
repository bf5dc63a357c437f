"""A record imported before, and a newer payload: add what it lacks, `update`'s way.

The file is never re-rendered. Each update the record lacks (newer than its
last one) is appended with `incidents update`'s planner, which replaces the
status in place, fills the lifecycle timestamps still empty and adds the update
in the list's own style; every other byte stays. Updates the record already has
(same instant, same message) are skipped, so the same payload twice writes
nothing.
"""

from __future__ import annotations

from datetime import datetime

from incidents.authoring import AuthoringError
from incidents.authoring.update import Editor, _append_update, _front_matter_bounds, index_nodes, plan_update
from incidents.importing.mapping import RecordPlan, Update, utc
from incidents.records.source import decode, read_record
from incidents.records.timestamps import TimestampError, parse_timestamp


def _written_updates(fm: dict) -> list[tuple[datetime, str, str]]:
    out = []
    for item in fm.get("updates") or []:
        if not isinstance(item, dict):
            continue
        try:
            at = parse_timestamp(str(item.get("at")))
        except TimestampError:
            continue
        out.append((utc(at), str(item.get("status")), str(item.get("message"))))
    return out


def missing_updates(fm: dict, plan: RecordPlan) -> tuple[list[Update], int]:
    """The planned updates the record lacks and that come after its last one; and how many older ones
    it lacks (they cannot be added in the middle of a history without rewriting it)."""
    have = _written_updates(fm)
    known = {(at, message) for at, _, message in have}
    last = max((at for at, _, _ in have), default=None)
    new, older = [], 0
    for u in plan.values["updates"]:
        if (utc(u.at), u.message) in known:
            continue
        if last is not None and utc(u.at) < last:
            older += 1
            continue
        new.append(u)
    return new, older


def append_to_incident(data: bytes, rel: str, updates: list[Update]) -> bytes:
    for u in updates:
        data, _ = plan_update(data, rel, u.status, u.message, u.at)
    return data


def append_to_maintenance(data: bytes, rel: str, updates: list[Update]) -> bytes:
    """A maintenance window has no lifecycle timestamps: the status in place and the update appended."""
    for u in updates:
        src, _ = read_record(data, rel)
        if src is None:
            raise AuthoringError(f"{rel} cannot be read as a record; fix it first")
        doc, fm = src.front_matter, src.front_matter.data
        ed = Editor(data)
        fm_first, fm_close = _front_matter_bounds(ed.lines)
        fm_text, _ = decode("".join(ed.lines[fm_first:fm_close]).encode("utf-8"), rel)
        if fm_text is None:  # it was read as a record a moment ago
            raise AuthoringError(f"{rel} cannot be read as a record; fix it first")
        nodes = index_nodes(fm_text, fm_first)
        if "status" not in fm or not isinstance(fm.get("updates"), list):
            raise AuthoringError(f"{rel} has no `status:` or no `updates:` list; fix it first")
        line, col = doc.positions[("status",)]
        node = nodes.get(("scalar", line, col))
        if node is None or node.start[0] != node.end[0]:
            raise AuthoringError(f"`status:` in {rel} is not a one-line value")
        ed.replace(node.start[0], node.start[1], node.end[1], u.status)
        _append_update(ed, doc, nodes, fm["updates"], {"at": _at(u.at), "status": u.status, "message": u.message})
        data = ed.result()
    return data


def _at(value: datetime) -> str:
    from incidents.importing.render import ts

    return ts(value)


__all__ = ["append_to_incident", "append_to_maintenance", "missing_updates"]
