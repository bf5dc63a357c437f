"""Availability and error budget per service over a window (contract section 6).

Counted as the status page counts uptime (section 8), but over every incident,
internal ones included: an incident's impact on a service lasts from
`started_at` until `mitigated_at`, else `resolved_at`, else the end of the
window (open at the as-of time); overlapping incidents count once, at their
worst; degraded performance and maintenance are not downtime.

    downtime minutes  = minutes of major outage + 0.3 x minutes of partial outage
    availability_pct  = 100 x (1 - downtime / window minutes)
    error_budget_used = downtime / ((1 - slo/100) x window minutes) x 100

Minutes "at their worst" come from unions of intervals: the major minutes are
the length of the union of the major-outage spans; the partial minutes are the
length of the union of the spans that are partial or worse, less the major
minutes. No file I/O and no clock: the caller gives the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incidents.records.model import impact_rank

PARTIAL_WEIGHT = 0.3  # the status page's weight of a partial outage (section 8)
MAJOR_RANK = impact_rank("major_outage")
PARTIAL_RANK = impact_rank("partial_outage")


@dataclass(frozen=True, slots=True)
class Availability:
    window_min: float
    major_min: float
    partial_min: float

    @property
    def downtime_min(self) -> float:
        return self.major_min + PARTIAL_WEIGHT * self.partial_min

    @property
    def pct(self) -> float:
        return 100.0 * (1.0 - self.downtime_min / self.window_min)

    def budget_used_pct(self, slo: float | None) -> float | None:
        if slo is None:
            return None
        return self.downtime_min / ((1.0 - slo / 100.0) * self.window_min) * 100.0


def union_length(starts: np.ndarray, ends: np.ndarray) -> float:
    """The total length covered by the intervals [start, end) (overlaps counted once)."""
    if len(starts) == 0:
        return 0.0
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)  # the furthest end so far
    before = np.concatenate(([-np.inf], reach[:-1]))
    # each interval adds what it covers beyond everything that started before it
    return float(np.clip(reach - np.maximum(s, before), 0.0, None).sum())


def spans_by_service(frame, lo_s: float, hi_s: float) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """service -> (starts, ends, impact ranks) in epoch seconds, clipped to [lo_s, hi_s).

    `frame` is metrics.incident_frame(): `impact` (service -> impact),
    `started_s` and `impact_end_s` (NaN while open: the impact lasts to hi_s).
    """
    starts = frame["started_s"].to_numpy(dtype="float64")
    ends = frame["impact_end_s"].to_numpy(dtype="float64")
    ends = np.where(np.isnan(ends), hi_s, ends)
    starts, ends = np.maximum(starts, lo_s), np.minimum(ends, hi_s)
    out: dict[str, tuple[list, list, list]] = {}
    for start, end, impacts in zip(starts, ends, frame["impact"].to_numpy()):
        if end <= start:
            continue
        for service, impact in impacts.items():
            rank = impact_rank(impact)
            if rank >= PARTIAL_RANK:
                acc = out.setdefault(service, ([], [], []))
                acc[0].append(start)
                acc[1].append(end)
                acc[2].append(rank)
    return {svc: (np.asarray(s), np.asarray(e), np.asarray(r)) for svc, (s, e, r) in out.items()}


def availability(frame, services, lo_s: float, hi_s: float) -> dict[str, Availability]:
    """Availability of each service id in `services` over [lo_s, hi_s) (epoch seconds, hi_s > lo_s)."""
    window_min = (hi_s - lo_s) / 60.0
    spans = spans_by_service(frame, lo_s, hi_s) if len(frame) else {}
    out = {}
    for service in services:
        if service not in spans:
            out[service] = Availability(window_min, 0.0, 0.0)
            continue
        s, e, r = spans[service]
        major = r >= MAJOR_RANK
        major_min = union_length(s[major], e[major]) / 60.0
        partial_or_worse_min = union_length(s, e) / 60.0
        out[service] = Availability(window_min, major_min, partial_or_worse_min - major_min)
    return out
