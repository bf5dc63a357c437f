"""Finding records in a root without building them: ids, paths, the incident to edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from incidents.reading.discovery import record_files
from incidents.records.source import read_record

INC_ID = re.compile(r"^INC-(\d{4})-(\d+)$")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """One record file as written: its path, type and the id it declares (or the incident it names)."""

    path: str
    kind: str  # incident | postmortem | maintenance | unknown
    id: str | None


_TOP_KEY = re.compile(rb"^(id|type|incident)[ \t]*:[ \t]*(.*?)[ \t]*(?:#.*)?$", re.M)
_PLAIN_ID = re.compile(rb"^(['\"]?)([A-Za-z0-9][A-Za-z0-9._-]{0,63})\1$")


def _quick_ref(data: bytes, rel: str) -> RecordRef | None:
    """What a plainly written record declares, from its top-level `id:`/`type:`/`incident:` lines.

    Most files are written plainly (LF, `---` first, the keys at column 0 with a plain or quoted
    id): for them this skips building the whole front matter. Anything unusual returns None and
    the caller reads the file with the real reader.
    """
    if not data.startswith(b"---\n"):
        return None
    close = data.find(b"\n---\n", 3)
    if close < 0:
        close = data.find(b"\n---", 3)
        if close < 0 or data[close + 4 :].strip():
            return None
    found: dict[bytes, bytes] = {}
    for m in _TOP_KEY.finditer(data, 4, close + 1):
        key = m.group(1)
        if key in found:
            return None  # a repeated key: let the reader say so
        value = _PLAIN_ID.match(m.group(2))
        if value is None:
            return None
        found[key] = value.group(2)
    kind = found.get(b"type", b"incident").decode()
    if kind not in ("incident", "postmortem", "maintenance"):
        return None
    key = b"incident" if kind == "postmortem" else b"id"
    if key not in found:
        return None
    return RecordRef(rel, kind, found[key].decode())


def scan(root: Path) -> list[RecordRef]:
    """Every record file under incidents/ with what it declares (unreadable files are skipped)."""
    out: list[RecordRef] = []
    for rel in record_files(root):
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        quick = _quick_ref(data, rel)
        if quick is not None:
            out.append(quick)
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
    """`INC-<year>-<NNNN>`: one more than the highest number used for that year (gaps are not reused,
    so an id never points at two different incidents in the history)."""
    highest, width = 0, 4
    for ref in refs:
        names = [ref.id] if ref.id else []
        names.append(Path(ref.path).name.split(".", 1)[0])  # a file named like an id counts too
        for name in names:
            m = INC_ID.match(name or "")
            if m and int(m.group(1)) == year and int(m.group(2)) >= highest:
                highest, width = int(m.group(2)), max(4, len(m.group(2)))  # keep the team's zero-padding
    return f"INC-{year}-{highest + 1:0{width}d}"


def find_incident_file(root: Path, incident_id: str) -> RecordRef | None:
    """The incident declaring `incident_id`: first the files named `<id>.md`, else every record."""
    for rel in record_files_named(root, f"{incident_id}.md"):
        try:
            src, _ = read_record((root / rel).read_bytes(), rel)
        except OSError:
            continue
        if (
            src is not None
            and src.front_matter.data.get("type", "incident") == "incident"
            and src.front_matter.data.get("id") == incident_id
        ):
            return RecordRef(rel, "incident", incident_id)
    return find_incident(scan(root), incident_id)


def record_files_named(root: Path, name: str) -> list[str]:
    base = root / "incidents"
    if not base.is_dir():
        return []
    return sorted(
        p.relative_to(root).as_posix()
        for p in base.rglob(name)
        if not any(part.startswith(".") for part in p.relative_to(base).parts[:-1])
    )


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
