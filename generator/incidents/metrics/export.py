"""`incidents export`: the records as tidy tables for an analytics engine (DuckDB, a warehouse, Spark).

Three tables, one row per thing, every timestamp in UTC:

* `incidents`: one row per incident - what `metrics` computes from (the four
  intervals in minutes and the severity's targets beside them; an imported
  incident, `imported` true, has no MTTD, MTTA or MTTI, as in `metrics`),
  plus the repository's name so that many repositories' exports can be
  stacked;
* `updates`: one row per public update of an incident;
* `action_items`: one row per action item of a postmortem.

Formats: Parquet (pyarrow, typed: timestamps with zone UTC, lists, maps),
CSV (lists and maps as JSON text; text cells with control characters replaced
and spreadsheet formulas neutralised, `incidents.text.csv_text`) and JSON
Lines. Files follow the umask, like any file the user's tools write. Internal incidents are
included, as in metrics: an export is internal data. Maintenance windows
are not incidents and are not exported. No file I/O but `write_tables`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from incidents.metrics.rows import NOT_FROM_IMPORTS
from incidents.policy.policy_file import Policy
from incidents.records.model import LIFECYCLE, Incident, Postmortem
from incidents.text import csv_text

FORMATS = ("parquet", "csv", "jsonl")
EXTENSIONS = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}

# Column kinds: text, int, float (minutes; null when not measurable), time (UTC), day, texts (list), mapping,
# bool.
INCIDENT_COLUMNS = (
    ("repository", "text"),
    ("id", "text"),
    ("title", "text"),
    ("status", "text"),
    ("severity", "text"),
    ("severity_rank", "int"),
    ("services", "texts"),
    ("impact", "text"),
    ("impact_by_service", "mapping"),
    ("visibility", "text"),
    ("tags", "texts"),
    *((name, "time") for name in LIFECYCLE),
    ("mttd_min", "float"),
    ("mtta_min", "float"),
    ("mtti_min", "float"),
    ("mttr_min", "float"),
    ("mttr_from", "text"),
    ("ack_target_min", "float"),
    ("resolve_target_min", "float"),
    ("detect_target_min", "float"),
    ("postmortem_status", "text"),
    ("path", "text"),
    ("imported", "bool"),
)
UPDATE_COLUMNS = (
    ("repository", "text"),
    ("incident_id", "text"),
    ("position", "int"),
    ("at", "time"),
    ("status", "text"),
    ("message", "text"),
)
ACTION_ITEM_COLUMNS = (
    ("repository", "text"),
    ("incident_id", "text"),
    ("postmortem_status", "text"),
    ("position", "int"),
    ("title", "text"),
    ("owner", "text"),
    ("due", "day"),
    ("priority", "text"),
    ("status", "text"),
    ("link", "text"),
)
TABLE_NAMES = ("incidents", "updates", "action_items")


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    rows: list[tuple]


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60.0


def _target(value) -> float | None:
    return None if value is None else value.total_seconds() / 60.0


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def incident_row(inc: Incident, policy: Policy, repository: str, postmortem: Postmortem | None) -> tuple:
    sev = policy.severity(inc.severity)
    impact = dict(inc.impact)
    imported = inc.is_imported

    def measured(name: str, start: datetime | None, end: datetime | None) -> float | None:
        return None if imported and name in NOT_FROM_IMPORTS else _minutes(start, end)

    return (
        repository,
        inc.id,
        inc.title,
        inc.status,
        inc.severity,
        sev.rank + 1 if sev is not None else None,
        list(inc.services),
        inc.worst_impact,
        impact,
        inc.visibility,
        list(inc.tags),
        *(_utc(getattr(inc, name)) for name in LIFECYCLE),
        measured("mttd", inc.started_at, inc.detected_at),
        measured("mtta", inc.detected_at, inc.acknowledged_at),
        measured("mtti", inc.acknowledged_at, inc.identified_at),
        _minutes(getattr(inc, policy.mttr_from), inc.resolved_at),
        policy.mttr_from,
        _target(sev.acknowledge_within) if sev else None,
        _target(sev.resolve_within) if sev else None,
        _target(sev.detect_within) if sev else None,
        postmortem.status if postmortem is not None else None,
        inc.path,
        imported,
    )


def build_tables(
    incidents: Iterable[Incident], postmortems: Iterable[Postmortem], policy: Policy, repository: str
) -> list[Table]:
    """The three tables, rows in the records' path order."""
    by_incident = {pm.incident: pm for pm in postmortems}
    incidents = list(incidents)
    rows = [incident_row(inc, policy, repository, by_incident.get(inc.id)) for inc in incidents]
    updates = [
        (repository, inc.id, k, _utc(u.at), u.status, u.message) for inc in incidents for k, u in enumerate(inc.updates)
    ]
    known = {inc.id for inc in incidents}
    items = [
        (repository, pm.incident, pm.status, k, a.title, a.owner, a.due, a.priority, a.status, a.link)
        for pm in by_incident.values()
        if pm.incident in known
        for k, a in enumerate(pm.action_items)
    ]
    return [
        Table("incidents", INCIDENT_COLUMNS, rows),
        Table("updates", UPDATE_COLUMNS, updates),
        Table("action_items", ACTION_ITEM_COLUMNS, items),
    ]


# ---- text forms (CSV, JSON Lines) ---------------------------------------------------------------------


def iso_utc(value: datetime) -> str:
    """2026-02-10T14:30:00Z (with fractions of a second only when there are some)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "time":
        return iso_utc(value)
    if kind == "day":
        return value.isoformat() if isinstance(value, date) else value
    if kind == "float" and isinstance(value, float) and math.isnan(value):
        return None
    return value


def _csv_value(value: Any, kind: str) -> str:
    value = _json_value(value, kind)
    if value is None:
        return ""
    if kind in ("texts", "mapping"):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # controls escaped; starts [ or {
    if kind == "bool":
        return "true" if value else "false"
    if kind == "text":
        return csv_text(str(value))  # text from records: no live formula, no terminal escapes
    return repr(value) if isinstance(value, float) else str(value)


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([name for name, _ in table.columns])
    kinds = [kind for _, kind in table.columns]
    for row in table.rows:
        writer.writerow([_csv_value(v, k) for v, k in zip(row, kinds)])
    return buf.getvalue().encode("utf-8")


def to_jsonl(table: Table) -> bytes:
    names = [name for name, _ in table.columns]
    kinds = [kind for _, kind in table.columns]
    lines = [
        json.dumps({n: _json_value(v, k) for n, v, k in zip(names, row, kinds)}, ensure_ascii=False)
        for row in table.rows
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def to_parquet(table: Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "text": pa.string(),
        "int": pa.int32(),
        "float": pa.float64(),
        "time": pa.timestamp("us", tz="UTC"),
        "day": pa.date32(),
        "texts": pa.list_(pa.string()),
        "mapping": pa.map_(pa.string(), pa.string()),
        "bool": pa.bool_(),
    }
    arrays, fields = [], []
    for index, (name, kind) in enumerate(table.columns):
        values = [row[index] for row in table.rows]
        if kind == "mapping":
            values = [None if v is None else list(v.items()) for v in values]
        arrays.append(pa.array(values, type=types[kind]))
        fields.append(pa.field(name, types[kind]))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), buf, compression="zstd")
    return buf.getvalue()


SERIALIZERS = {"parquet": to_parquet, "csv": to_csv, "jsonl": to_jsonl}


def file_names(fmt: str) -> dict[str, str]:
    """Table name -> file name inside the --out folder."""
    return {name: f"{name}.{EXTENSIONS[fmt]}" for name in TABLE_NAMES}


def write_tables(tables: list[Table], fmt: str, out: Path) -> list[Path]:
    """Every table into `out/` (created); each file written whole and moved into place, all or none."""
    out.mkdir(parents=True, exist_ok=True)
    names = file_names(fmt)
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()
    try:
        for table in tables:
            fd, tmp = tempfile.mkstemp(prefix=f".{table.name}-", dir=out)
            staged.append((tmp, out / names[table.name]))
            with os.fdopen(fd, "wb") as fh:
                fh.write(SERIALIZERS[fmt](table))
                os.fchmod(fh.fileno(), mode)  # mkstemp's 0600, as if written in place: the umask decides
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _final in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [final for _tmp, final in staged]


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
