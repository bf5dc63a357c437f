"""Honest incident metrics (contract section 6): records -> one tidy DataFrame -> figures per group.

One row per incident, the four intervals in minutes (NaN when the interval's
end - or start - is missing: never zero), each severity's targets beside them,
then a pandas groupby. Medians and the 90th percentile use linear
interpolation (pandas' default). Internal incidents count; maintenance is not
an incident and is never passed in. No file I/O here, and nothing reads the
clock: callers pass the records and the policy.

Figures are rounded to one decimal (minutes and percentages); `None` stands
where nothing can be measured.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timezone
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .policy import Policy
from .records import Incident

GROUPINGS = ("severity", "service", "month", "quarter")

# The JSON keys of one group, in the contract's order (mtbf_mean_min only for by=service).
FIGURES = (
    "mttd_median_min", "mtta_median_min", "mtti_median_min", "mttr_median_min", "mttr_mean_min",
    "mttr_p90_min", "ack_within_target_pct", "resolve_within_target_pct", "detect_within_target_pct",
)
GROUP_KEYS = ("key", "count") + FIGURES
SERVICE_GROUP_KEYS = GROUP_KEYS + ("mtbf_mean_min",)

# Interval -> (start field, end field); MTTR's start comes from the policy.
INTERVALS = {
    "mttd": ("started_at", "detected_at"),
    "mtta": ("detected_at", "acknowledged_at"),
    "mtti": ("acknowledged_at", "identified_at"),
}
# Compliance: figure -> (interval column, target column).
COMPLIANCE = {
    "ack_within_target_pct": ("mtta_s", "ack_target_s"),
    "resolve_within_target_pct": ("mttr_s", "resolve_target_s"),
    "detect_within_target_pct": ("mttd_s", "detect_target_s"),
}
DECIMALS = 1

FRAME_COLUMNS = (
    "id", "severity", "services", "started_at", "month", "quarter", "visibility", "status",
    "mttd_min", "mtta_min", "mtti_min", "mttr_min",
    "ack_target_min", "resolve_target_min", "detect_target_min",
)


def _seconds(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return math.nan
    return (end - start).total_seconds()


def _target_seconds(value) -> float:
    return value.total_seconds() if value is not None else math.nan


def incident_frame(incidents: Iterable[Incident], policy: Policy) -> pd.DataFrame:
    """One row per incident: ids, grouping keys (UTC), intervals and targets in minutes.

    Interval columns (`*_s`, seconds) are kept beside the minute columns so
    that target compliance compares exact seconds, not rounded minutes.
    """
    targets = {
        s.id: (_target_seconds(s.acknowledge_within), _target_seconds(s.resolve_within),
               _target_seconds(s.detect_within))
        for s in policy.severities
    }
    no_target = (math.nan, math.nan, math.nan)
    mttr_from = policy.mttr_from
    cols: dict[str, list] = {name: [] for name in (
        "id", "severity", "services", "visibility", "status", "started_epoch",
        "mttd_s", "mtta_s", "mtti_s", "mttr_s", "ack_target_s", "resolve_target_s", "detect_target_s")}
    for inc in incidents:
        cols["id"].append(inc.id)
        cols["severity"].append(inc.severity)
        cols["services"].append(list(inc.services))
        cols["visibility"].append(inc.visibility)
        cols["status"].append(inc.status)
        cols["started_epoch"].append(inc.started_at.timestamp())
        cols["mttd_s"].append(_seconds(inc.started_at, inc.detected_at))
        cols["mtta_s"].append(_seconds(inc.detected_at, inc.acknowledged_at))
        cols["mtti_s"].append(_seconds(inc.acknowledged_at, inc.identified_at))
        cols["mttr_s"].append(_seconds(getattr(inc, mttr_from), inc.resolved_at))
        ack, res, det = targets.get(inc.severity, no_target)
        cols["ack_target_s"].append(ack)
        cols["resolve_target_s"].append(res)
        cols["detect_target_s"].append(det)

    started = pd.to_datetime(pd.Series(cols.pop("started_epoch"), dtype="float64"), unit="s", utc=True)
    frame = pd.DataFrame({
        "id": pd.Series(cols["id"], dtype="object"),
        "severity": pd.Series(cols["severity"], dtype="object"),
        "services": pd.Series(cols["services"], dtype="object"),
        "started_at": started.dt.round("us"),
    })
    year = started.dt.year.astype("int64").astype(str)
    month = started.dt.month.astype("int64")
    frame["month"] = year + "-" + month.astype(str).str.zfill(2)
    frame["quarter"] = year + "-Q" + ((month - 1) // 3 + 1).astype(str)
    frame["visibility"] = pd.Series(cols["visibility"], dtype="object")
    frame["status"] = pd.Series(cols["status"], dtype="object")
    for name in ("mttd", "mtta", "mtti", "mttr"):
        seconds = np.asarray(cols[f"{name}_s"], dtype="float64")
        frame[f"{name}_min"] = seconds / 60.0
        frame[f"{name}_s"] = seconds
    for name in ("ack", "resolve", "detect"):
        seconds = np.asarray(cols[f"{name}_target_s"], dtype="float64")
        frame[f"{name}_target_min"] = seconds / 60.0
        frame[f"{name}_target_s"] = seconds
    return frame


def _bound(value, name: str) -> pd.Timestamp | None:
    """A --since/--until bound: a date (midnight UTC), an aware datetime, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"`{name}` must carry a UTC offset")
        return pd.Timestamp(value.astimezone(timezone.utc))
    if isinstance(value, date):
        return pd.Timestamp(datetime.combine(value, time(0), tzinfo=timezone.utc))
    raise TypeError(f"`{name}` must be a date or a datetime, not {type(value).__name__}")


def filter_frame(frame: pd.DataFrame, since=None, until=None) -> pd.DataFrame:
    """Rows whose started_at is >= since (inclusive) and < until (exclusive)."""
    lo, hi = _bound(since, "since"), _bound(until, "until")
    mask = pd.Series(True, index=frame.index)
    if lo is not None:
        mask &= frame["started_at"] >= lo
    if hi is not None:
        mask &= frame["started_at"] < hi
    return frame[mask] if (lo is not None or hi is not None) else frame


def _round(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    out = round(value, DECIMALS)
    return 0.0 if out == 0 else out  # no "-0.0"


def _figures(frame: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """The figures per value of `key_column`, unrounded (NaN where nothing to measure)."""
    work = frame[[key_column, "mttd_min", "mtta_min", "mtti_min", "mttr_min"]].copy()
    for figure, (interval, target) in COMPLIANCE.items():
        have = frame[interval].notna() & frame[target].notna()
        within = (frame[interval] <= frame[target]).astype("float64") * 100.0
        work[figure] = within.where(have, np.nan)
    grouped = work.groupby(key_column, sort=False)
    out = pd.DataFrame({
        "count": grouped.size(),
        "mttd_median_min": grouped["mttd_min"].median(),
        "mtta_median_min": grouped["mtta_min"].median(),
        "mtti_median_min": grouped["mtti_min"].median(),
        "mttr_median_min": grouped["mttr_min"].median(),
        "mttr_mean_min": grouped["mttr_min"].mean(),
        "mttr_p90_min": grouped["mttr_min"].quantile(0.9, interpolation="linear"),
    })
    for figure in COMPLIANCE:
        out[figure] = grouped[figure].mean()
    return out


def _mtbf(frame: pd.DataFrame) -> pd.Series:
    """Per service: mean minutes between the started_at of consecutive incidents naming it."""
    if frame.empty:
        return pd.Series(dtype="float64")
    ordered = frame.sort_values(["service", "started_at"], kind="stable")
    gaps = ordered.groupby("service", sort=False)["started_at"].diff().dt.total_seconds() / 60.0
    return gaps.groupby(ordered["service"], sort=False).mean()


def compute(incidents: Iterable[Incident] | pd.DataFrame, policy: Policy, by: str = "severity",
            since=None, until=None) -> list[dict]:
    """The contract's JSON `groups` list for `by` in severity | service | month | quarter.

    `since` (inclusive) and `until` (exclusive) filter on started_at; a `date`
    means midnight UTC. `incidents` may also be a frame from incident_frame().
    Severity groups follow policy order and service groups catalogue order,
    both including those without incidents (count 0, figures None); months
    (`2026-01`) and quarters (`2026-Q1`) are those of started_at in UTC,
    sorted, and only those with incidents.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping `{by}`; use one of {', '.join(GROUPINGS)}")
    frame = incidents if isinstance(incidents, pd.DataFrame) else incident_frame(incidents, policy)
    frame = filter_frame(frame, since, until)

    mtbf = None
    if by == "severity":
        key_column, keys = "severity", list(policy.severity_ids)
        extra = [k for k in pd.unique(frame["severity"]) if k not in set(keys)]
        keys += sorted(extra)
    elif by == "service":
        frame = frame.explode("services").rename(columns={"services": "service"})
        frame = frame[frame["service"].notna()]
        key_column, keys = "service", list(policy.service_ids)
        extra = [k for k in pd.unique(frame["service"]) if k not in set(keys)]
        keys += sorted(extra)
        mtbf = _mtbf(frame)
    else:
        key_column = by
        keys = sorted(pd.unique(frame[by])) if len(frame) else []

    figures = _figures(frame, key_column) if len(frame) else None
    groups: list[dict] = []
    for key in keys:
        row = figures.loc[key] if figures is not None and key in figures.index else None
        group: dict = {"key": key, "count": int(row["count"]) if row is not None else 0}
        for figure in FIGURES:
            group[figure] = _round(row[figure]) if row is not None else None
        if by == "service":
            group["mtbf_mean_min"] = _round(mtbf.get(key)) if mtbf is not None and key in mtbf.index else None
        groups.append(group)
    return groups


def total_incidents(groups: Sequence[dict], by: str) -> int | None:
    """How many incidents the groups cover (None for by=service, where one can count in several)."""
    return None if by == "service" else sum(g["count"] for g in groups)
