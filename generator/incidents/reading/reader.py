"""Read and check one record file, and carry what it gave as plain data (for the cache and worker processes).

`read_file` is what one file costs: the reader (`source.read_record`) and the
rules of its type, giving the file's findings, its record (or None) and the
id it declares (for the rules across files). `encode_result` and
`decode_result` turn that into plain data (`codec`) and back. Many files at
once, from the cache or on every core: `batch.read_files`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from incidents.findings import ERROR, Finding, did_you_mean
from incidents.metrics.rows import incident_row
from incidents.policy.policy_file import Policy
from incidents.reading.codec import (
    body_index,
    decode_findings,
    decode_record,
    encode_findings,
    encode_record,
)
from incidents.records.model import RECORD_TYPES, Incident
from incidents.records.source import SourceFile, read_record
from incidents.rules.incident import read_incident
from incidents.rules.maintenance import read_maintenance
from incidents.rules.postmortem import read_postmortem
from incidents.rules.repository import Declared


@dataclass(slots=True)
class FileResult:
    """What one record file gave: its findings, its record (None if unusable) and its declared id."""

    rel: str
    findings: list[Finding]
    record: Any = None
    declared: Declared | None = None
    source: SourceFile | None = None
    row: tuple | None = None  # an incident's `metrics` row (metrics_rows.incident_row)
    declared_plain: tuple | None = None  # the declared id as the cache keeps it, not built yet (codec)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def file_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def read_file(
    data: bytes | None,
    rel: str,
    policy: Policy,
    usable: bool,
    *,
    error: OSError | None = None,
    keep_source: bool = False,
) -> FileResult:
    """The reader and the per-file rules for one file (its bytes, or the error reading them)."""
    if data is None:
        reason = error.strerror if error is not None and error.strerror else str(error)
        return FileResult(rel, [Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {reason}")])
    # Each file's findings go to a list of its own: the rules count the
    # errors they add, which must not cost more as the repository grows.
    src, found = read_record(data, rel)
    if src is None:
        return FileResult(rel, found)
    result = FileResult(rel, found, source=src if keep_source else None)
    kind = _record_type(src, found)
    if kind is None:
        return result
    try:
        if kind == "incident":
            result.record = read_incident(src, policy, found, policy_usable=usable)
        elif kind == "maintenance":
            result.record = read_maintenance(src, policy, found, policy_usable=usable)
        else:
            result.record = read_postmortem(src, policy, found)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
        found.append(
            Finding(
                rel,
                1,
                1,
                ERROR,
                "internal-error",
                f"the checker failed on this file ({type(exc).__name__}: {exc}); "
                "please report it with the file attached",
            )
        )
        result.record = None
        return result
    result.declared = _declared(src, kind)
    if type(result.record) is Incident:
        result.row = incident_row(result.record, policy)
    return result


def _record_type(src: SourceFile, findings: list[Finding]) -> str | None:
    data = src.front_matter.data
    if "type" not in data:
        return "incident"
    value = data["type"]
    if value in RECORD_TYPES:
        return value
    line, col = src.front_matter.position(("type",))
    scalar = src.front_matter.scalars.get(("type",))
    choices = "`incident`, `postmortem` or `maintenance`"
    if isinstance(value, (list, dict)):
        message = f"`type` must be {choices}, not a {'list' if isinstance(value, list) else 'mapping'}"
    elif value is None and (scalar is None or scalar.text in ("", "~")):
        line, col = src.front_matter.key_position(("type",))
        message = f"`type` is empty; write {choices} (or leave `type` out for an incident)"
    else:
        written = scalar.text if scalar is not None else str(value)
        hint = did_you_mean(written, RECORD_TYPES)
        message = f"unknown record type `{written}`{hint}" + ("" if hint else f"; use {choices}")
    findings.append(Finding(src.path, line, col, ERROR, "unknown-type", message))
    return None


def _declared(src: SourceFile, kind: str) -> Declared | None:
    doc = src.front_matter
    key = "incident" if kind == "postmortem" else "id"
    value = doc.data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = doc.scalars[(key,)].text
    if not isinstance(value, str) or not value:
        return None
    line, col = doc.position((key,))
    severity = doc.data.get("severity") if kind == "incident" else None
    return Declared(
        value,
        src.path,
        line,
        col,
        kind,
        severity if isinstance(severity, str) else None,
        has_action_items="action_items" in doc.data,
        source=_source_key(doc) if kind == "incident" else None,
        started_at=_text(doc, "started_at") if kind == "incident" else None,
        opening_line=doc.line,
    )


def _text(doc, key: str) -> str | None:
    scalar = doc.scalars.get((key,))
    return scalar.text if scalar is not None and isinstance(doc.data.get(key), str) else None


def _source_key(doc) -> tuple[str, str] | None:
    """(system, id) of an imported incident's `source`, as written (numbers as their text)."""
    source = doc.data.get("source")
    if not isinstance(source, dict):
        return None
    parts = []
    for key in ("system", "id"):
        value = source.get(key)
        scalar = doc.scalars.get(("source", key))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and scalar is not None:
            value = scalar.text
        if not isinstance(value, str) or not value.strip():
            return None
        parts.append(value)
    return parts[0], parts[1]


# ---- plain data: what the cache stores and what workers send back ---------------------------------


def encode_result(result: FileResult, data: bytes) -> tuple:
    """A FileResult as plain data: (findings, record, declared, body offset, metrics row). The record's body,
    when it is the file's tail, is kept as its offset in the file."""
    record = result.record
    body_at = None
    encoded = None
    if record is not None:
        encoded = encode_record(record)
        body = getattr(record, "body", None)
        if isinstance(body, str) and body:
            raw = body.encode("utf-8")
            if data.endswith(raw):
                body_at = len(data) - len(raw)
                fields = list(encoded[1])
                fields[body_index(encoded[0])] = None
                encoded = (encoded[0], tuple(fields))
    declared = None if result.declared is None else encode_record(result.declared)
    return (encode_findings(result.findings, result.rel), encoded, declared, body_at, result.row)


def decode_result(value: tuple, rel: str, data: bytes | None, want: frozenset | None = None) -> FileResult:
    """Back from plain data; the record only when its class is in `want` (None: always). `data`, the
    file's bytes, is needed only for a record whose body is kept as an offset."""
    findings, encoded, declared, body_at, row = value
    record = None
    if encoded is not None and (want is None or encoded[0] in want):
        if body_at is not None:
            if data is None:
                raise ValueError(f"{rel}: the body is kept as an offset, so the file's bytes are needed")
            name, fields = encoded
            fields = list(fields)
            fields[body_index(name)] = data[body_at:].decode("utf-8")
            encoded = (name, tuple(fields))
        record = decode_record(encoded)
    if row is not None and type(row) is not tuple:
        raise ValueError("a metrics row is a tuple")
    return FileResult(
        rel, decode_findings(findings, rel), record, None if declared is None else decode_record(declared), row=row
    )


# ---- reading a file ----------------------------------------------------------------------------------


def read_bytes(path: str) -> tuple[bytes | None, OSError | None]:
    """A file's bytes, or the error reading it."""
    try:
        with open(path, "rb") as fh:
            return fh.read(), None
    except OSError as exc:
        return None, exc
