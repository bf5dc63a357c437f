"""Incident metrics (contract section 6): records -> one tidy DataFrame -> figures per group.

One row per incident, the four intervals in minutes (NaN when the interval's
end - or start - is missing: never zero), each severity's targets beside them,
then a pandas groupby. Medians and the 90th percentile use linear
interpolation (pandas' default). Internal incidents count; maintenance is not
an incident and is never passed in. No file I/O here, and nothing reads the
clock: callers pass the records, the policy and the as-of time.

Every group also carries its honest figures (incidents.metrics.stats): the sample
size of each interval and a distribution-free 95% interval of each median;
months and quarters the comparison with the nearest earlier group with MTTR
values and the incident rate per week with its exact Poisson interval;
services their availability and error budget (incidents.metrics.availability).
Figures are unrounded floats; `None` stands where nothing can be measured.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from incidents.metrics import stats
from incidents.metrics.availability import availability
from incidents.metrics.frame import (  # noqa: F401 - re-exported: figures is the metrics' one entry point
    FRAME_COLUMNS,
    NOT_FROM_IMPORTS,
    SOURCES,
    _bound,
    filter_frame,
    frame_from_rows,
    incident_frame,
    select_source,
)
from incidents.policy.policy_file import Policy
from incidents.records.model import Incident

GROUPINGS = ("severity", "service", "month", "quarter")
PERIODS = ("month", "quarter")
MEASURES = ("mttd", "mtta", "mtti", "mttr")

# The JSON keys of one group: the contract's figures first, in its order, then the honest figures.
FIGURES = (
    "mttd_median_min",
    "mtta_median_min",
    "mtti_median_min",
    "mttr_median_min",
    "mttr_mean_min",
    "mttr_p90_min",
    "ack_within_target_pct",
    "resolve_within_target_pct",
    "detect_within_target_pct",
)
SAMPLE_FIGURES = (
    tuple(f"{m}_n" for m in MEASURES)
    + ("mttd_mean_min", "mtta_mean_min", "mtti_mean_min")
    + tuple(f"{m}_median_ci_{end}_min" for m in MEASURES for end in ("low", "high"))
    + ("imported_count",)
    + tuple(f"{m}_excluded_imported" for m in NOT_FROM_IMPORTS)
)
PERIOD_FIGURES = (
    "mttr_compared_with",
    "mttr_change_ratio",
    "mttr_change_p",
    "mttr_detectable_ratio",
    "mttr_trend",
    "incidents_per_week",
    "incidents_per_week_ci_low",
    "incidents_per_week_ci_high",
)
# Time to close (from the MTTR start to `closed_at`, a severity's `observe_for` included): MTTR is unchanged.
CLOSE_FIGURES = ("ttc_median_min", "ttc_n")
SERVICE_FIGURES = ("mtbf_mean_min", "availability_pct", "error_budget_used_pct", "slo_pct", "downtime_min")
GROUP_KEYS = ("key", "count") + FIGURES + SAMPLE_FIGURES + CLOSE_FIGURES
PERIOD_GROUP_KEYS = GROUP_KEYS + PERIOD_FIGURES
SERVICE_GROUP_KEYS = GROUP_KEYS + SERVICE_FIGURES


def group_keys(by: str) -> tuple[str, ...]:
    """The keys of one group of `--by by`, in order (JSON objects and CSV columns)."""
    if by == "service":
        return SERVICE_GROUP_KEYS
    return PERIOD_GROUP_KEYS if by in PERIODS else GROUP_KEYS


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


def _num(value) -> float | None:
    """A figure as a plain float, None where there is nothing to measure (NaN, no ratio of a zero)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _figures(frame: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """The contract's figures, sample sizes and means per value of `key_column` (NaN where nothing)."""
    excluded = [f"{m}_excluded_imported" for m in NOT_FROM_IMPORTS]
    work = frame[[key_column] + [f"{m}_min" for m in MEASURES] + ["imported", "ttc_min"] + excluded].copy()
    for figure, (interval, target) in COMPLIANCE.items():
        have = frame[interval].notna() & frame[target].notna()
        within = (frame[interval] <= frame[target]).astype("float64") * 100.0
        work[figure] = within.where(have, np.nan)
    grouped = work.groupby(key_column, sort=False)
    out = pd.DataFrame(
        {
            "count": grouped.size(),
            "mttd_median_min": grouped["mttd_min"].median(),
            "mtta_median_min": grouped["mtta_min"].median(),
            "mtti_median_min": grouped["mtti_min"].median(),
            "mttr_median_min": grouped["mttr_min"].median(),
            "mttr_mean_min": grouped["mttr_min"].mean(),
            "mttr_p90_min": grouped["mttr_min"].quantile(0.9, interpolation="linear"),
        }
    )
    for figure in COMPLIANCE:
        out[figure] = grouped[figure].mean()
    for m in MEASURES:
        out[f"{m}_n"] = grouped[f"{m}_min"].count()
    for m in ("mttd", "mtta", "mtti"):
        out[f"{m}_mean_min"] = grouped[f"{m}_min"].mean()
    out["imported_count"] = grouped["imported"].sum()
    for name in excluded:
        out[name] = grouped[name].sum()
    out["ttc_median_min"] = grouped["ttc_min"].median()
    out["ttc_n"] = grouped["ttc_min"].count()
    return out


def samples(frame: pd.DataFrame, key_column: str, measure: str) -> dict:
    """key -> the measure's values in minutes (NaN left out) for the groups that have any."""
    values = frame[f"{measure}_min"]
    have = values.notna()
    return {key: part.to_numpy() for key, part in values[have].groupby(frame.loc[have, key_column], sort=False)}


def period_days(key: str) -> int:
    """Days in the calendar month (`2026-01`) or quarter (`2026-Q1`)."""
    year, _, rest = key.partition("-")
    months = [int(rest)] if not rest.startswith("Q") else [3 * (int(rest[1:]) - 1) + i for i in (1, 2, 3)]
    return sum(calendar.monthrange(int(year), m)[1] for m in months)


def _period_figures(keys: Sequence[str], mttr: dict, counts: dict) -> dict[str, dict]:
    """Per month/quarter: MTTR against the nearest earlier group with values, and the weekly rate."""
    out: dict[str, dict] = {}
    earlier = None
    for key in keys:
        fig: dict = dict.fromkeys(PERIOD_FIGURES)
        this = mttr.get(key)
        if this is not None and earlier is not None:
            fig.update(stats.compare(mttr[earlier], this))
            fig["mttr_compared_with"] = earlier
        if this is not None:
            earlier = key
        rate, low, high = stats.rate_per_week(counts.get(key, 0), period_days(key))
        fig.update(incidents_per_week=rate, incidents_per_week_ci_low=low, incidents_per_week_ci_high=high)
        out[key] = fig
    return out


def _mtbf(frame: pd.DataFrame) -> pd.Series:
    """Per service: mean minutes between the started_at of consecutive incidents naming it."""
    if frame.empty:
        return pd.Series(dtype="float64")
    ordered = frame.sort_values(["service", "started_at"], kind="stable")
    gaps = ordered.groupby("service", sort=False)["started_at"].diff().dt.total_seconds() / 60.0
    return gaps.groupby(ordered["service"], sort=False).mean()


def availability_window(frame: pd.DataFrame, since=None, until=None, as_of=None) -> tuple[float, float] | None:
    """(start, end) in epoch seconds: `since`, else the earliest started_at; `until`, else as-of.

    None when there is no window: no start (no incidents and no `since`), no
    end (no `until` and no as-of) or an end not after the start.
    """
    lo, hi = _bound(since, "since"), _bound(until, "until")
    end = hi if hi is not None else _bound(as_of, "as_of")
    if lo is not None:
        start = lo.timestamp()
    elif len(frame):
        start = float(frame["started_s"].min())
    else:
        return None
    if end is None or end.timestamp() <= start:
        return None
    return start, end.timestamp()


def _service_figures(
    all_frame: pd.DataFrame, exploded: pd.DataFrame, policy: Policy, keys, since, until, as_of
) -> dict[str, dict]:
    mtbf = _mtbf(exploded)
    slos = {s.id: s.slo for s in policy.services}
    window = availability_window(all_frame, since, until, as_of)
    avail = availability(all_frame, keys, *window) if window is not None else {}
    out = {}
    for key in keys:
        a = avail.get(key)
        out[key] = {
            "mtbf_mean_min": _num(mtbf.get(key)) if key in mtbf.index else None,
            "availability_pct": a.pct if a else None,
            "error_budget_used_pct": a.budget_used_pct(slos.get(key)) if a else None,
            "slo_pct": slos.get(key),
            "downtime_min": a.downtime_min if a else None,
        }
    return out


def _keys(frame: pd.DataFrame, by: str, policy: Policy) -> list:
    """Severities in policy order and services in catalogue order (all of them, then unknown ones
    sorted); months and quarters sorted, only those with incidents."""
    if by in PERIODS:
        return sorted(pd.unique(frame[by])) if len(frame) else []
    known = list(policy.severity_ids if by == "severity" else policy.service_ids)
    return known + sorted(k for k in pd.unique(frame[by]) if k not in set(known))


def check_range(since=None, until=None) -> None:
    """An empty range (`since` not before `until`) is an error: it could only ever hold nothing."""
    lo, hi = _bound(since, "since"), _bound(until, "until")
    if lo is not None and hi is not None and lo >= hi:
        raise ValueError(
            f"--since {lo.isoformat()} is not before --until {hi.isoformat()}: the range is empty "
            "(--since is inclusive, --until exclusive)"
        )


def compute(
    incidents: Iterable[Incident] | pd.DataFrame,
    policy: Policy,
    by: str = "severity",
    since=None,
    until=None,
    as_of=None,
    source: str = "all",
) -> list[dict]:
    """The contract's JSON `groups` list for `by` in severity | service | month | quarter.

    `source`: the incidents counted (`select_source`); imported ones never count for MTTD, MTTA or MTTI,
    and each group says how many were left out of each (`<m>_excluded_imported`).

    `since` (inclusive) and `until` (exclusive) filter on started_at; a `date`
    means midnight UTC; `since` must be before `until` (ValueError). `as_of`
    ends open incidents' impact and, without `until`, the availability window
    (no availability without either). `incidents` may also be a frame from
    incident_frame(). Severity groups follow policy order and service groups
    catalogue order, both including those without incidents (count 0, figures
    None); months (`2026-01`) and quarters (`2026-Q1`) are those of
    started_at in UTC, sorted, and only those with incidents.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping `{by}`; use one of {', '.join(GROUPINGS)}")
    check_range(since, until)
    all_frame = incidents if isinstance(incidents, pd.DataFrame) else incident_frame(incidents, policy)
    all_frame = select_source(all_frame, source)
    frame = filter_frame(all_frame, since, until)
    if by == "service":
        frame = frame.explode("services").rename(columns={"services": "service"})
        frame = frame[frame["service"].notna()]
    keys = _keys(frame, by, policy)

    figures = _figures(frame, by) if len(frame) else None
    intervals = {m: samples(frame, by, m) for m in MEASURES}
    extra: dict[str, dict] = {}
    if by in PERIODS:
        counts = figures["count"].to_dict() if figures is not None else {}
        extra = _period_figures(keys, intervals["mttr"], counts)
    elif by == "service":
        extra = _service_figures(all_frame, frame, policy, keys, since, until, as_of)

    groups: list[dict] = []
    for key in keys:
        row = figures.loc[key] if figures is not None and key in figures.index else None
        group: dict = {"key": key, "count": int(row["count"]) if row is not None else 0}
        for figure in FIGURES + SAMPLE_FIGURES + CLOSE_FIGURES:
            if figure.endswith(("_n", "_count", "_excluded_imported")):
                group[figure] = int(row[figure]) if row is not None else 0
            elif "_ci_" not in figure:
                group[figure] = _num(row[figure]) if row is not None else None
        for m in MEASURES:
            values = intervals[m].get(key)
            low, high = stats.median_ci(values) if values is not None else (None, None)
            group[f"{m}_median_ci_low_min"], group[f"{m}_median_ci_high_min"] = low, high
        group.update(extra.get(key, {}))
        groups.append({name: group[name] for name in group_keys(by)})
    return groups


def total_incidents(groups: Sequence[dict], by: str) -> int | None:
    """How many incidents the groups cover (None for by=service, where one can count in several)."""
    return None if by == "service" else sum(g["count"] for g in groups)
