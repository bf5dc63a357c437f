"""Writing what detection found: a new internal incident, or entries appended to the open one.

The same safe paths as `incidents new` and `incidents timeline` (authoring): the new file is checked
with the incident rules and created atomically, never over another; an append is a byte-keeping edit
under the record's lock, refused when the result would not validate. Every timeline entry written here
ends with a key in brackets (`[alertmanager fingerprint=… startsAt=…]`, `[pagerduty event=…]`): an
entry whose key is already in the record is never written twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from incidents.authoring import AuthoringError
from incidents.authoring.checks import check_incident_bytes, create_checked
from incidents.authoring.record_edit import edit_record
from incidents.authoring.repo import next_free_id, scan
from incidents.authoring.update import plan_edit
from incidents.authoring.yamltext import dq, scalar, timestamp
from incidents.policy.policy_file import LoadedPolicy
from incidents.reading.discovery import record_files
from incidents.records.source import read_record
from incidents.records.timestamps import TimestampError, parse_timestamp

_KEY = re.compile(r"\[([a-z]+ [^\[\]]+)\]\s*$")

BODY = (
    "\n<!-- Opened from an alert by `incidents ingest`: internal until a person decides. Next: `incidents ack`,\n"
    "     the roles, and `incidents update` to go public. The timeline below keeps what the alerts said. -->\n"
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    text: str  # without the key
    key: str  # `system fingerprint=… startsAt=…`
    ack: bool = False  # the entry of an acknowledgement (PagerDuty's)

    @property
    def event(self) -> str:
        return f"{self.text} [{self.key}]"


@dataclass(frozen=True)
class Found:
    path: str
    incident_id: str
    source_id: str
    status: str


def find_by_source(root, system: str, base_id: str) -> list[Found]:
    """Every incident whose `source` is (`system`, `base_id` or `base_id-rN`), in file order."""
    return find_matching(root, system, base_id, re.compile(re.escape(base_id) + r"(-r\d+)?"))


def find_matching(root, system: str, prefix: str, pattern: re.Pattern) -> list[Found]:
    """Every incident whose `source.system` is `system` and whose `source.id` matches `pattern` wholly
    (files that do not hold `prefix` are not parsed)."""
    needle = prefix.encode()
    out = []
    for rel in record_files(root):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        if needle not in data:
            continue
        src, _ = read_record(data, rel)
        fm = src.front_matter.data if src is not None else {}
        source = fm.get("source")
        if not isinstance(source, dict) or source.get("system") != system:
            continue
        sid = source.get("id")
        if isinstance(sid, str) and pattern.fullmatch(sid) and isinstance(fm.get("id"), str):
            out.append(Found(rel, fm["id"], sid, str(fm.get("status"))))
    return out


def next_source_id(found: list[Found], base_id: str) -> str:
    """`base_id` for the first record of a source, `base_id-r2`, `-r3`… when it fires again after resolution."""
    if not found:
        return base_id
    return f"{base_id}-r{len(found) + 1}"


@dataclass(frozen=True)
class NewRecord:
    title: str
    severity: str
    services: tuple[str, ...]
    impact: str
    started_at: datetime
    detected_at: datetime
    system: str
    source_id: str
    entries: tuple[Entry, ...]
    acknowledged_at: datetime | None = None


def render(rec: NewRecord, incident_id: str) -> bytes:
    lines = [
        "---",
        f"id: {scalar(incident_id)}",
        f"title: {dq(rec.title)}",
        f"severity: {scalar(rec.severity)}",
        "status: investigating",
        "services: [" + ", ".join(scalar(s) for s in rec.services) + "]",
        f"impact: {rec.impact}",
        f"started_at: {timestamp(rec.started_at)}",
        f"detected_at: {timestamp(rec.detected_at)}",
    ]
    if rec.acknowledged_at is not None:
        lines.append(f"acknowledged_at: {timestamp(rec.acknowledged_at)}")
    lines += [
        "visibility: internal",
        "source:",
        f"  system: {scalar(rec.system)}",
        f"  id: {dq(rec.source_id)}",
    ]
    if rec.entries:
        lines.append("timeline:")
        for entry in rec.entries:
            lines += [f"  - at: {timestamp(entry.at)}", f"    event: {dq(entry.event)}"]
    lines.append("---")
    return ("\n".join(lines) + "\n" + BODY).encode("utf-8")


def create(root, loaded: LoadedPolicy, rec: NewRecord) -> tuple[str, str]:
    """Write the new incident; (its id, its path). Raises AuthoringError when it would not validate."""
    year = rec.detected_at.astimezone(UTC).year
    incident_id = next_free_id(scan(root), year)
    rel = f"incidents/{year}/{incident_id}.md"
    data = render(rec, incident_id)
    _, errors = check_incident_bytes(data, rel, loaded)
    create_checked(root, rel, data, errors, "the ingested incident")
    return incident_id, rel


def existing_keys(fm: dict) -> set[str]:
    keys = set()
    for item in fm.get("timeline") or ():
        if isinstance(item, dict) and isinstance(item.get("event"), str):
            m = _KEY.search(item["event"])
            if m:
                keys.add(m.group(1))
    return keys


def last_entry_at(fm: dict) -> datetime | None:
    """The time of the record's last timeline entry (or its `started_at`): new entries never go before it."""
    values = [fm.get("started_at")] + [i.get("at") for i in fm.get("timeline") or () if isinstance(i, dict)]
    times = [t for t in map(_as_dt, values) if t is not None]
    return max(times) if times else None


ACK_HELD = (
    " (acknowledged_at not set: the severity's required roles are missing; add them under `roles:` "
    "and run `incidents ack`)"
)


def append(root, loaded: LoadedPolicy, incident_id: str, entries: list[Entry], ack: datetime | None) -> int:
    """Append the entries not yet in the record (and `acknowledged_at` when still empty); how many were new.

    Once `acknowledged_at` is set a missing required role is an error, and a record that would not
    validate is never written: when the roles are missing the acknowledgement is kept as a timeline
    entry that says so, and `acknowledged_at` waits for a person (`incidents ack`)."""
    try:
        return _append(root, loaded, incident_id, entries, ack)
    except AuthoringError as exc:
        if ack is None or not any(f.code == "missing-role" for f in exc.findings):
            raise
    held = [Entry(e.at, e.text + ACK_HELD, e.key) if e.ack else e for e in entries]
    return _append(root, loaded, incident_id, held, None)


def _append(root, loaded: LoadedPolicy, incident_id: str, entries: list[Entry], ack: datetime | None) -> int:
    written = []

    def plan(data: bytes, rel: str, fm: dict):
        keys = existing_keys(fm)
        floor = last_entry_at(fm)
        new = [e for e in entries if e.key not in keys]
        expected = fm
        if ack is not None and fm.get("acknowledged_at") in (None, ""):
            ack_at = max(ack, _as_dt(fm.get("detected_at")) or ack)
            data, expected = plan_edit(data, rel, timestamps={"acknowledged_at": timestamp(ack_at)})
        for entry in sorted(new, key=lambda e: e.at):
            at = max(entry.at, floor) if floor is not None else entry.at
            floor = at
            item = {"at": timestamp(at), "event": entry.event}
            data, expected = plan_edit(data, rel, appends=[("timeline", item, ("at", "event"))])
        if expected is fm:
            raise _NothingNew
        written.extend(new)
        return data, expected  # the last plan read the bytes of the ones before: it expects them all

    try:
        edit_record(root, loaded, "incident", incident_id, plan, "timeline entry")
    except _NothingNew:
        return 0
    return len(written)


class _NothingNew(Exception):
    """Every entry is already in the record: the file is left alone (not even rewritten)."""


def _as_dt(value) -> datetime | None:
    """A front-matter timestamp (text as records keep it, or a datetime, UTC when naive); None if it is neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except TimestampError:
            return None
    return None
