"""What the status page says at a given moment: records + "now" -> statuses and uptime.

Knows nothing of MkDocs; the site plugin, the Statuspage API documents, the
feeds and the badge all read their statuses from here so that they agree.
`now` is always an argument (an aware datetime); nothing here reads the clock.

Rules (FORMAT.md section 8, "How the status is derived"):
- a service's status is the worst impact of the open public incidents naming
  it; `under_maintenance` while a public maintenance naming it is in progress
  and no incident is worse than degraded;
- the page indicator is the worst of the open public incidents' Statuspage
  impacts and the components' roll-up, with a description per indicator;
- uptime of a day = 1 - (major minutes + 0.3 x partial minutes) / 1440,
  overlapping incidents counted once at their worst, public incidents only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from incidents.records.model import IMPACTS, Incident, Maintenance, impact_rank

COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
INDICATORS = ("none", "minor", "major", "critical", "maintenance")
# Severity order of the page indicators, least first ("worst of" compares these).
_INDICATOR_RANK = {"none": 0, "maintenance": 1, "minor": 2, "major": 3, "critical": 4}
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
    "maintenance": "Service Under Maintenance",
}
DEGRADED_DESCRIPTION = "Partially Degraded Service"
STATUSPAGE_IMPACT = {"degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}

DAY_MINUTES = 1440
PARTIAL_WEIGHT = 0.3


@dataclass(frozen=True, slots=True)
class PageStatus:
    indicator: str  # none | minor | major | critical | maintenance
    description: str


@dataclass(frozen=True, slots=True)
class DayUptime:
    day: date  # a UTC calendar day
    uptime: float  # 0..1
    major_minutes: float
    partial_minutes: float
    degraded_minutes: float
    incident_ids: tuple[str, ...]  # public incidents that touched the service that day, any impact


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("`now` and record timestamps must be aware datetimes")
    return value.astimezone(UTC)


# ---- incidents and maintenances ------------------------------------------------------------


def public_incidents(repo) -> list[Incident]:
    return [inc for inc in repo.incidents if inc.is_public]


def _newest_first(incidents: Iterable[Incident]) -> list[Incident]:
    # started_at newest first; the id breaks ties so the order never depends on file order.
    return sorted(incidents, key=lambda inc: (_utc(inc.started_at), inc.id), reverse=True)


def recent_incidents(repo, limit: int | None = None) -> list[Incident]:
    """Public incidents, newest first (started_at); the first `limit` when given."""
    out = _newest_first(public_incidents(repo))
    return out if limit is None else out[:limit]


def open_incidents(repo, now: datetime) -> list[Incident]:
    """Public incidents that are not resolved, newest first.

    "Open" is what the records say (status not `resolved`), whatever `now` is:
    the records are the truth, and a build with an old SOURCE_DATE_EPOCH must
    still show the open incident. `now` is taken for the common signature.
    """
    _utc(now)
    return _newest_first(inc for inc in repo.incidents if inc.is_public and inc.is_open)


def maintenance_in_progress(m: Maintenance, now: datetime) -> bool:
    """`in_progress`, or `scheduled` with start <= now < end."""
    if m.status == "in_progress":
        return True
    if m.status == "scheduled":
        return _utc(m.scheduled_start) <= _utc(now) < _utc(m.scheduled_end)
    return False


def _by_start(items: Iterable[Maintenance]) -> list[Maintenance]:
    return sorted(items, key=lambda m: (_utc(m.scheduled_start), _utc(m.scheduled_end), m.id))


def active_maintenances(repo, now: datetime) -> list[Maintenance]:
    """Public maintenances in progress at `now`, by start."""
    return _by_start(m for m in repo.maintenances if m.is_public and maintenance_in_progress(m, now))


def upcoming_maintenances(repo, now: datetime) -> list[Maintenance]:
    """Public maintenances still `scheduled` whose start is after `now`, by start."""
    now = _utc(now)
    return _by_start(
        m for m in repo.maintenances if m.is_public and m.status == "scheduled" and _utc(m.scheduled_start) > now
    )


def public_maintenances(repo) -> list[Maintenance]:
    return _by_start(m for m in repo.maintenances if m.is_public)


def statuspage_impact(incident: Incident) -> str:
    """degraded_performance -> minor, partial_outage -> major, major_outage -> critical."""
    return STATUSPAGE_IMPACT[incident.worst_impact]


# ---- component statuses and the page roll-up -----------------------------------------------


def component_statuses(repo, now: datetime) -> dict[str, str]:
    """Every catalogue service (in catalogue order) -> one of COMPONENT_STATUSES."""
    worst: dict[str, int] = {svc.id: 0 for svc in repo.policy.services}
    for inc in open_incidents(repo, now):
        for service, impact in inc.impact.items():
            if service in worst:
                worst[service] = max(worst[service], impact_rank(impact))
    in_maintenance: set[str] = set()
    for m in active_maintenances(repo, now):
        in_maintenance.update(m.services)
    out: dict[str, str] = {}
    for service, rank in worst.items():
        if service in in_maintenance and rank <= impact_rank("degraded_performance"):
            out[service] = "under_maintenance"
        else:
            out[service] = "operational" if rank == 0 else IMPACTS[rank - 1]
    return out


def group_status(statuses: Iterable[str]) -> str:
    """A group component's status: its worst child; under maintenance when that is the worst."""
    statuses = list(statuses)
    rank = max((impact_rank(s) for s in statuses), default=0)
    if rank > 0:
        return IMPACTS[rank - 1]
    return "under_maintenance" if "under_maintenance" in statuses else "operational"


def rollup(statuses: list[str]) -> str:
    """The components' roll-up indicator (before the open incidents' impacts are taken into account)."""
    if not statuses:
        return "none"
    if all(s == "major_outage" for s in statuses):
        return "critical"
    if any(s == "major_outage" for s in statuses) or all(s == "partial_outage" for s in statuses):
        return "major"
    if any(s in ("partial_outage", "degraded_performance") for s in statuses):
        return "minor"
    if any(s == "under_maintenance" for s in statuses):
        return "maintenance"
    return "none"


def page_status(repo, now: datetime) -> PageStatus:
    statuses = list(component_statuses(repo, now).values())
    indicator = rollup(statuses)
    for inc in open_incidents(repo, now):
        impact = statuspage_impact(inc)
        if _INDICATOR_RANK[impact] > _INDICATOR_RANK[indicator]:
            indicator = impact
    return PageStatus(indicator, describe(indicator, statuses))


def describe(indicator: str, statuses: Iterable[str]) -> str:
    """The page description for an indicator; `minor` with nothing worse than degraded is "Partially Degraded"."""
    if indicator == "minor" and not any(s in ("partial_outage", "major_outage") for s in statuses):
        return DEGRADED_DESCRIPTION
    return DESCRIPTIONS[indicator]


# ---- uptime ----------------------------------------------------------------------------------


def impact_interval(inc: Incident, now: datetime) -> tuple[datetime, datetime]:
    """started_at until mitigated_at, else resolved_at, else now (clipped to now)."""
    now = _utc(now)
    start = _utc(inc.started_at)
    if inc.mitigated_at is not None:
        end = _utc(inc.mitigated_at)
    elif inc.resolved_at is not None:
        end = _utc(inc.resolved_at)
    else:
        end = now
    return start, min(end, now)


def _segments(repo, service_id: str, now: datetime, lo: datetime, hi: datetime):
    """Sweep: (start, end, worst rank, incident ids) pieces of [lo, hi) where some incident applies."""
    events: list[tuple[datetime, int, int, str]] = []  # (time, +1/-1, rank, id)
    for inc in repo.incidents:
        if not inc.is_public or service_id not in inc.impact:
            continue
        start, end = impact_interval(inc, now)
        start, end = max(start, lo), min(end, hi)
        if end <= start:
            continue
        rank = impact_rank(inc.impact[service_id])
        events.append((start, 1, rank, inc.id))
        events.append((end, -1, rank, inc.id))
    events.sort(key=lambda e: (e[0], e[1]))
    active: dict[str, int] = {}
    out = []
    prev = None
    for at, kind, rank, inc_id in events:
        if prev is not None and active and at > prev:
            out.append((prev, at, max(active.values()), frozenset(active)))
        if kind == 1:
            active[inc_id] = rank
        else:
            active.pop(inc_id, None)
        prev = at
    return out


def uptime_days(repo, service_id: str, now: datetime, days: int = 90) -> list[DayUptime]:
    """The last `days` UTC days up to and including today, oldest first."""
    now = _utc(now)
    today = now.date()
    first = today - timedelta(days=days - 1)
    lo = datetime.combine(first, time(0), tzinfo=UTC)
    hi = min(now, datetime.combine(today + timedelta(days=1), time(0), tzinfo=UTC))
    minutes = {first + timedelta(days=i): [0.0, 0.0, 0.0] for i in range(days)}  # major, partial, degraded
    incidents: dict[date, set[str]] = {day: set() for day in minutes}
    for start, end, rank, ids in _segments(repo, service_id, now, lo, hi):
        cursor = start
        while cursor < end:
            day = cursor.date()
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
            piece_end = min(end, day_end)
            minutes[day][3 - rank] += (piece_end - cursor).total_seconds() / 60  # 0 major, 1 partial, 2 degraded
            incidents[day].update(ids)
            cursor = piece_end
    out = []
    for day, (major, partial, degraded) in minutes.items():
        down = major + PARTIAL_WEIGHT * partial
        uptime = max(0.0, 1.0 - down / DAY_MINUTES)
        out.append(DayUptime(day, uptime, major, partial, degraded, tuple(sorted(incidents[day]))))
    return out


def uptime_percent(repo, service_id: str, now: datetime, days: int = 90) -> float:
    """Uptime over the same window as `uptime_days`, in percent (0..100), weighted by minutes.

    Every day of the window weighs 1440 minutes, today included, so that this
    figure is the mean of the bars the page shows.
    """
    rows = uptime_days(repo, service_id, now, days)
    if not rows:
        return 100.0
    down = sum(r.major_minutes + PARTIAL_WEIGHT * r.partial_minutes for r in rows)
    return max(0.0, 100.0 * (1.0 - down / (DAY_MINUTES * len(rows))))
