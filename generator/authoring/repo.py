"""Finding records in a root without building them: ids, paths, the incident to edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..source import read_record
from ..validate import record_files

INC_ID = re.compile(r"^INC-(\d{4})-(\d+)$")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """One record file as written: its path, type and the id it declares (or the incident it names)."""

    path: str
    kind: str  # incident | postmortem | maintenance | unknown
    id: str | None


def scan(root: Path) -> list[RecordRef]:
    """Every record file under incidents/ with what it declares (unreadable files are skipped)."""
    out: list[RecordRef] = []
    for rel in record_files(root):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        src, _ = read_record(data, rel)
        if src is None:
            out.append(RecordRef(rel, "unknown", None))
            continue
        fm = src.front_matter
        kind = fm.data.get("type", "incident")
        if kind not in ("incident", "postmortem", "maintenance"):
            kind = "unknown"
        key = "incident" if kind == "postmortem" else "id"
        value = fm.data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (key,) in fm.scalars:
            value = fm.scalars[(key,)].text
        out.append(RecordRef(rel, kind, value if isinstance(value, str) else None))
    return out


def next_free_id(refs: list[RecordRef], year: int) -> str:
    """`INC-<year>-<NNNN>`: one more than the highest number used for that year (gaps are not reused)."""
    highest = 0
    for ref in refs:
        names = [ref.id] if ref.id else []
        names.append(Path(ref.path).name.split(".", 1)[0])  # a file named like an id counts too
        for name in names:
            m = INC_ID.match(name or "")
            if m and int(m.group(1)) == year:
                highest = max(highest, int(m.group(2)))
    return f"INC-{year}-{highest + 1:04d}"


def find_incident(refs: list[RecordRef], incident_id: str) -> RecordRef | None:
    for ref in refs:
        if ref.kind == "incident" and ref.id == incident_id:
            return ref
    return None


def id_owner(refs: list[RecordRef], record_id: str) -> RecordRef | None:
    """The record (incident or maintenance) that already uses `record_id`."""
    for ref in refs:
        if ref.kind in ("incident", "maintenance") and ref.id == record_id:
            return ref
    return None
