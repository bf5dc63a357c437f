"""One incident as the row `metrics` computes from: plain values, no pandas.

`incident_row` is what `metrics.incident_frame` puts in its columns for one
incident: ids and grouping keys, the lifecycle intervals in seconds
(`(end - start).total_seconds()`, exact to the microsecond; NaN where an end
is missing) and the severity's targets in seconds. The cache of read records
keeps this row beside each incident (it depends on the file and on the policy,
both part of the cache key), so a warm `metrics` builds its table from rows
without building an Incident back; without the cache the row is made from the
record just read, by the same function, so the figures never depend on it.

`imported`: the record came from another system's history (its `source` is not an alert or a probe). Such a
system records no detection and no acknowledgement, so the figures leave it
out of MTTD, MTTA and MTTI (and of the detect and acknowledge targets) and
count it for MTTR and frequency (`figures.frame_from_rows`).
"""

from __future__ import annotations

import math
from datetime import datetime

from incidents.policy.policy_file import Policy

ROW_FIELDS = (
    "id",
    "severity",
    "services",
    "visibility",
    "status",
    "started_epoch",
    "impact",
    "impact_end_s",
    "mttd_s",
    "mtta_s",
    "mtti_s",
    "mttr_s",
    "ack_target_s",
    "resolve_target_s",
    "detect_target_s",
    "imported",
    "ttc_s",  # time to close: from the MTTR start to `closed_at` (the observation after resolution included)
)
NO_TARGET = (math.nan, math.nan, math.nan)
# Imported records (`source`) never count for these: the system they came from recorded no detection and no
# acknowledgement (its first public update stands in for the lifecycle order only).
NOT_FROM_IMPORTS = ("mttd", "mtta", "mtti")


def _seconds(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return math.nan
    return (end - start).total_seconds()


def _target_seconds(value) -> float:
    return value.total_seconds() if value is not None else math.nan


def severity_targets(policy: Policy) -> dict[str, tuple[float, float, float]]:
    """Severity id -> (acknowledge, resolve, detect) targets in seconds (NaN: none)."""
    return {
        s.id: (
            _target_seconds(s.acknowledge_within),
            _target_seconds(s.resolve_within),
            _target_seconds(s.detect_within),
        )
        for s in policy.severities
    }


def incident_row(inc, policy: Policy, targets: dict | None = None) -> tuple:
    """The ROW_FIELDS of one incident (plain data: the cache stores it as is)."""
    if targets is None:
        targets = severity_targets(policy)
    impact_end = inc.mitigated_at or inc.resolved_at  # the status page's end of impact
    ack, res, det = targets.get(inc.severity, NO_TARGET)
    return (
        inc.id,
        inc.severity,
        tuple(inc.services),
        inc.visibility,
        inc.status,
        inc.started_at.timestamp(),
        dict(inc.impact),
        impact_end.timestamp() if impact_end is not None else math.nan,
        _seconds(inc.started_at, inc.detected_at),
        _seconds(inc.detected_at, inc.acknowledged_at),
        _seconds(inc.acknowledged_at, inc.identified_at),
        _seconds(getattr(inc, policy.mttr_from), inc.resolved_at),
        ack,
        res,
        det,
        inc.is_imported,
        _seconds(getattr(inc, policy.mttr_from), getattr(inc, "closed_at", None)),
    )
