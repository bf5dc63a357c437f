"""The metrics page's context: the honest figures of incidents.metrics.figures, charts and their words.

Takes the incidents the plugin gives it (which ones count is the plugin's
choice) and computes every grouping once from one frame, as of the build's
"now". The template gets the groups, the inline SVG charts and the functions
that put figures into words (durations, intervals, verdicts, small samples).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from incidents.metrics import wording as words


def _samples(frame, metrics) -> dict[str, list[float]]:
    return {key: sorted(float(v) for v in values) for key, values in metrics.samples(frame, "severity", "mttr").items()}


def build_context(incidents: Iterable, policy, now: datetime, metrics, charts) -> dict:
    incidents = tuple(incidents)
    frame = metrics.incident_frame(incidents, policy)
    by = {name: metrics.compute(frame, policy, by=name, as_of=now) for name in metrics.GROUPINGS}
    window = metrics.availability_window(frame, as_of=now)
    since = datetime.fromtimestamp(window[0], UTC) if window else None
    return {
        "by_severity": by["severity"],
        "by_quarter": by["quarter"],
        "by_month": list(reversed(by["month"])),
        "by_service": by["service"],
        "severity_chart": charts.severity_strip(by["severity"], _samples(frame, metrics)),
        "trend_chart": charts.trend_chart(by["quarter"]),
        "frequency_chart": charts.frequency_chart(by["quarter"]),
        "budget_chart": charts.budget_chart(by["service"]),
        "total": len(incidents),
        "left_out": words.left_out(by["severity"]),
        "mttr_from": policy.mttr_from,
        "as_of": now.astimezone(UTC),
        "window_start": since,
        "words": words,
    }
