"""The table `metrics` computes from: one row per incident, as a pandas DataFrame, and its selections.

`frame_from_rows` builds it from the rows of `rows.incident_row` (as the cache
of read records keeps them); `incident_frame` from records. Intervals are in
minutes and in seconds (NaN where an end or a start is missing: never zero);
imported incidents have none of MTTD, MTTA and MTTI (`NOT_FROM_IMPORTS`).
`select_source` and `filter_frame` choose the incidents a run counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd

from incidents.metrics.rows import NOT_FROM_IMPORTS, ROW_FIELDS, incident_row, severity_targets
from incidents.policy.policy_file import Policy
from incidents.records.model import Incident

SOURCES = ("all", "own", "imported")

FRAME_COLUMNS = (
    "id",
    "severity",
    "services",
    "started_at",
    "month",
    "quarter",
    "visibility",
    "status",
    "mttd_min",
    "mtta_min",
    "mtti_min",
    "mttr_min",
    "ack_target_min",
    "resolve_target_min",
    "detect_target_min",
    "impact",
    "started_s",
    "impact_end_s",
    "ttc_min",
    "imported",
    "mttd_excluded_imported",
    "mtta_excluded_imported",
    "mtti_excluded_imported",
)


def incident_frame(incidents: Iterable[Incident], policy: Policy) -> pd.DataFrame:
    """One row per incident: ids, grouping keys (UTC), intervals and targets in minutes.

    Interval columns (`*_s`, seconds) are kept beside the minute columns so
    that target compliance compares exact seconds, not rounded minutes.
    """
    targets = severity_targets(policy)
    return frame_from_rows([incident_row(inc, policy, targets) for inc in incidents])


def frame_from_rows(rows: Sequence[tuple]) -> pd.DataFrame:
    """incident_frame() from `metrics_rows.incident_row` rows (as the cache of read records keeps them).

    Imported incidents (`imported`) have no MTTD, MTTA or MTTI here (NaN, so no target compliance either);
    `<m>_excluded_imported` marks those that had the interval and were left out."""
    columns = list(zip(*rows)) if rows else [()] * len(ROW_FIELDS)
    cols: dict[str, list] = {name: list(values) for name, values in zip(ROW_FIELDS, columns)}
    cols["services"] = [list(services) for services in cols["services"]]
    started_s = np.asarray(cols.pop("started_epoch"), dtype="float64")
    started = pd.to_datetime(pd.Series(started_s, dtype="float64"), unit="s", utc=True)
    frame = pd.DataFrame(
        {
            "id": pd.Series(cols["id"], dtype="object"),
            "severity": pd.Series(cols["severity"], dtype="object"),
            "services": pd.Series(cols["services"], dtype="object"),
            "started_at": started.dt.round("us"),
        }
    )
    year = started.dt.year.astype("int64").astype(str)
    month = started.dt.month.astype("int64")
    frame["month"] = year + "-" + month.astype(str).str.zfill(2)
    frame["quarter"] = year + "-Q" + ((month - 1) // 3 + 1).astype(str)
    frame["visibility"] = pd.Series(cols["visibility"], dtype="object")
    frame["status"] = pd.Series(cols["status"], dtype="object")
    imported = np.asarray(cols["imported"], dtype="bool")
    frame["imported"] = imported
    for name in ("mttd", "mtta", "mtti", "mttr"):
        seconds = np.asarray(cols[f"{name}_s"], dtype="float64")
        if name in NOT_FROM_IMPORTS:  # left out of the figure, and counted as left out
            frame[f"{name}_excluded_imported"] = imported & ~np.isnan(seconds)
            seconds = np.where(imported, np.nan, seconds)
        frame[f"{name}_min"] = seconds / 60.0
        frame[f"{name}_s"] = seconds
    for name in ("ack", "resolve", "detect"):
        seconds = np.asarray(cols[f"{name}_target_s"], dtype="float64")
        frame[f"{name}_target_min"] = seconds / 60.0
        frame[f"{name}_target_s"] = seconds
    frame["impact"] = pd.Series(cols["impact"], dtype="object")
    frame["started_s"] = started_s
    frame["impact_end_s"] = np.asarray(cols["impact_end_s"], dtype="float64")
    frame["ttc_min"] = np.asarray(cols["ttc_s"], dtype="float64") / 60.0
    return frame


def _bound(value, name: str) -> pd.Timestamp | None:
    """A --since/--until bound: a date (midnight UTC), an aware datetime, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"`{name}` must carry a UTC offset")
        return pd.Timestamp(value.astimezone(UTC))
    if isinstance(value, date):
        return pd.Timestamp(datetime.combine(value, time(0), tzinfo=UTC))
    raise TypeError(f"`{name}` must be a date or a datetime, not {type(value).__name__}")


def select_source(frame: pd.DataFrame, source: str = "all") -> pd.DataFrame:
    """The incidents of `source`: `all`, `own` (written by this team) or `imported` (with `source`)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source `{source}`; use one of {', '.join(SOURCES)}")
    if source == "all":
        return frame
    return frame[frame["imported"] == (source == "imported")]


def filter_frame(frame: pd.DataFrame, since=None, until=None) -> pd.DataFrame:
    """Rows whose started_at is >= since (inclusive) and < until (exclusive)."""
    lo, hi = _bound(since, "since"), _bound(until, "until")
    mask = pd.Series(True, index=frame.index)
    if lo is not None:
        mask &= frame["started_at"] >= lo
    if hi is not None:
        mask &= frame["started_at"] < hi
    return frame[mask] if (lo is not None or hi is not None) else frame
