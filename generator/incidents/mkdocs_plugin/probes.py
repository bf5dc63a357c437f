"""What the probes measured, for the status page: per probed service, response time and measured uptime
over the last 24 hours, 7 and 30 days, beside the incident-based uptime (manual: detection.md).

Read from `probes/<service id>/<YYYY-MM>.csv` (the lines `incidents probe` appends); a service without
a `probe:` or without lines shows nothing. Only numbers reach the page.
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incidents.probe.run import Check, parse_csv

WINDOWS = (("24 hours", timedelta(hours=24)), ("7 days", timedelta(days=7)), ("30 days", timedelta(days=30)))


def _months(now: datetime, span: timedelta) -> list[str]:
    months, day = [], (now - span).astimezone(UTC).replace(day=1)
    while day <= now:
        months.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def read_service(root: Path, service_id: str, now: datetime) -> list[Check]:
    checks: list[Check] = []
    for month in _months(now, WINDOWS[-1][1]):
        path = root / "probes" / service_id / f"{month}.csv"
        if path.is_file():
            checks.extend(parse_csv(path.read_text(encoding="utf-8", errors="replace")))
    return [c for c in checks if c.at <= now]


def _percentile(values: list[int], q: float) -> int:
    """The nearest-rank percentile (a value that was measured)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def window_figures(checks: list[Check], now: datetime) -> list[dict]:
    out = []
    for label, span in WINDOWS:
        inside = [c for c in checks if c.at > now - span]
        times = [c.ms for c in inside if c.ok and c.ms is not None]
        out.append(
            {
                "label": label,
                "checks": len(inside),
                "uptime": f"{100 * sum(c.ok for c in inside) / len(inside):.2f}" if inside else None,
                "median_ms": round(statistics.median(times)) if times else None,
                "p95_ms": _percentile(times, 0.95) if times else None,
            }
        )
    return out


def probe_figures(root: Path | None, services, now: datetime) -> dict[str, list[dict]]:
    """service id -> its windows, for every service with a `probe:` and at least one check."""
    if root is None:
        return {}
    out = {}
    for svc in services:
        if getattr(svc, "probe", None) is None:
            continue
        checks = read_service(root, svc.id, now)
        if checks:
            out[svc.id] = window_figures(checks, now)
    return out
