"""What each generated page shows: records + now -> template contexts (no MkDocs here).

The plugin decides where pages live and renders them; this module decides what
they hold. Everything is computed from the records the site may publish
(`SiteData.repo`), except the metrics, which count every incident (internal ones
included, as the contract says) but name none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from incidents.mkdocs_plugin.audience import internal_ids, internal_view, postmortem_is_public, public_view
from incidents.publish.status import (
    active_maintenances,
    component_statuses,
    open_incidents,
    page_status,
    recent_incidents,
    statuspage_impact,
    upcoming_maintenances,
    uptime_days,
    uptime_percent,
)
from incidents.reading.validate import Repository
from incidents.records.durations import format_duration
from incidents.records.model import IMPACTS, LIFECYCLE, Incident, Maintenance, Postmortem

STATUS_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
}
INCIDENT_STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "completed": "Completed",
    "closed": "Closed",  # resolved and closed (`closed_at`)
    "observing": "Under observation",  # resolved, still watched (a severity's `observe_for`)
}
POSTMORTEM_STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "published": "Published"}
LIFECYCLE_LABELS = {
    "started_at": "Impact started",
    "detected_at": "Detected",
    "acknowledged_at": "Acknowledged",
    "identified_at": "Cause identified",
    "mitigated_at": "Mitigated",
    "resolved_at": "Resolved",
}
RECENT_ON_STATUS_PAGE = 5


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@dataclass
class SiteData:
    """The records the site publishes, the metrics' incidents, "now" and the page's identity."""

    repo: Repository  # the pages' records: the public view, or every record on an internal site
    all_incidents: tuple[Incident, ...]  # for metrics: every incident (internal site), public ones (public)
    now: datetime
    internal_ids: frozenset[str] = frozenset()  # marked "internal" on an internal site
    uptime_window: int = 90
    audience: str = "public"
    status_repo: Repository | None = None  # status page, uptime, API, feeds: always the public view
    _services: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status_repo is None:
            self.status_repo = self.repo
        self._services = {s.id: s for s in self.repo.policy.services}
        self._postmortems = {pm.incident: pm for pm in self.repo.postmortems}
        self._incidents = {inc.id: inc for inc in self.repo.incidents}

    @property
    def internal(self) -> bool:
        return self.audience == "internal"

    @classmethod
    def from_repository(
        cls, repo: Repository, now: datetime, *, audience: str = "public", uptime_window: int = 90
    ) -> SiteData:
        public = public_view(repo)
        if audience == "internal":
            return cls(internal_view(repo), repo.incidents, now, internal_ids(repo), uptime_window, audience, public)
        return cls(public, public.incidents, now, frozenset(), uptime_window, audience, public)

    # ---- lookups -----------------------------------------------------------------------------
    @property
    def policy(self):
        return self.repo.policy

    def service_name(self, service_id: str) -> str:
        svc = self._services.get(service_id)
        return svc.name if svc is not None else service_id

    def incident(self, incident_id: str) -> Incident | None:
        return self._incidents.get(incident_id)

    def postmortem_for(self, incident_id: str) -> Postmortem | None:
        return self._postmortems.get(incident_id)

    def severity_label(self, severity_id: str) -> str:
        sev = self.policy.severity(severity_id)
        return f"{sev.id} · {sev.name}" if sev is not None and sev.name and sev.name != sev.id else severity_id


# ---- pieces ------------------------------------------------------------------------------------


def updates_newest_first(record) -> list:
    return sorted(record.updates, key=lambda u: utc(u.at), reverse=True)


def incident_summary(data: SiteData, inc: Incident) -> dict:
    return {
        "id": inc.id,
        "title": inc.title,
        "status": inc.status,
        "status_label": INCIDENT_STATUS_LABELS[inc.status],
        "severity": data.severity_label(inc.severity) if data.internal else "",
        "impact": statuspage_impact(inc),
        "worst_impact": inc.worst_impact,
        "worst_impact_label": STATUS_LABELS[inc.worst_impact],
        "services": [
            {
                "id": s,
                "name": data.service_name(s),
                "impact": inc.impact.get(s, inc.worst_impact),
                "impact_label": STATUS_LABELS[inc.impact.get(s, inc.worst_impact)],
            }
            for s in inc.services
        ],
        "started_at": inc.started_at,
        "resolved_at": inc.resolved_at,
        "duration": (
            format_duration(max(timedelta(0), (inc.resolved_at or data.now) - inc.started_at)) if data.internal else ""
        ),
        "internal": inc.id in data.internal_ids,
        "src": f"incidents/{inc.id}.md",
        "has_postmortem": data.postmortem_for(inc.id) is not None,
    }


def maintenance_view(data: SiteData, m: Maintenance) -> dict:
    return {
        "id": m.id,
        "title": m.title,
        "status": m.status,
        "status_label": INCIDENT_STATUS_LABELS[m.status],
        "services": [data.service_name(s) for s in m.services],
        "scheduled_start": m.scheduled_start,
        "scheduled_end": m.scheduled_end,
        "length": format_duration(m.scheduled_end - m.scheduled_start),
        "updates": updates_newest_first(m),
        "body": m.body,
        "internal": m.id in data.internal_ids,
        "src": f"maintenance/{m.id}.md",
    }


def _day_class(day) -> str:
    if day.major_minutes > 0:
        return "major_outage"
    if day.partial_minutes > 0:
        return "partial_outage"
    if day.degraded_minutes > 0:
        return "degraded_performance"
    return "operational"


def _minutes(value: float) -> str:
    return format_duration(timedelta(minutes=value))


def _day_tooltip(day) -> str:
    parts = [f"{day.day.isoformat()}: {day.uptime * 100:.2f}% uptime"]
    if day.major_minutes:
        parts.append(f"major outage {_minutes(day.major_minutes)}")
    if day.partial_minutes:
        parts.append(f"partial outage {_minutes(day.partial_minutes)}")
    if day.degraded_minutes:
        parts.append(f"degraded {_minutes(day.degraded_minutes)}")
    if day.incident_ids:
        parts.append("incidents: " + ", ".join(day.incident_ids))
    else:
        parts.append("no incidents")
    return " · ".join(parts)


# ---- pages ---------------------------------------------------------------------------------------


def status_context(data: SiteData) -> dict:
    repo, now = data.status_repo, data.now
    statuses = component_statuses(repo, now)
    groups: list[dict] = []
    by_name: dict = {}
    for svc in repo.policy.services:
        days = uptime_days(repo, svc.id, now, data.uptime_window)
        row = {
            "id": svc.id,
            "name": svc.name,
            "description": svc.description,
            "status": statuses.get(svc.id, "operational"),
            "status_label": STATUS_LABELS[statuses.get(svc.id, "operational")],
            "uptime": f"{uptime_percent(repo, svc.id, now, data.uptime_window):.2f}",
            "days": [{"cls": _day_class(d), "title": _day_tooltip(d)} for d in days],
        }
        key = svc.group or ""
        if key not in by_name:
            by_name[key] = {"name": svc.group, "services": []}
            groups.append(by_name[key])
        by_name[key]["services"].append(row)
    for group in groups:
        ranks = [IMPACTS.index(s["status"]) + 1 if s["status"] in IMPACTS else 0 for s in group["services"]]
        worst = max(ranks, default=0)
        group["status"] = (
            IMPACTS[worst - 1]
            if worst
            else (
                "under_maintenance"
                if any(s["status"] == "under_maintenance" for s in group["services"])
                else "operational"
            )
        )
        group["status_label"] = STATUS_LABELS[group["status"]]
    open_list = []
    for inc in open_incidents(repo, now):
        summary = incident_summary(data, inc)
        summary["updates"] = updates_newest_first(inc)
        open_list.append(summary)
    recent_resolved = [incident_summary(data, inc) for inc in recent_incidents(repo) if not inc.is_open][
        :RECENT_ON_STATUS_PAGE
    ]
    return {
        "page_status": page_status(repo, now),
        "groups": groups,
        "open_incidents": open_list,
        "active_maintenances": [maintenance_view(data, m) for m in active_maintenances(repo, now)],
        "upcoming_maintenances": [maintenance_view(data, m) for m in upcoming_maintenances(repo, now)],
        "recent_incidents": recent_resolved,
        "uptime_window": data.uptime_window,
        "now": now,
    }


def durations(data: SiteData, inc: Incident) -> list[tuple[str, str]]:
    pol = data.policy
    out = []

    def add(label, start, end):
        if start is not None and end is not None:
            out.append((label, format_duration(end - start)))

    add("Time to detect", inc.started_at, inc.detected_at)
    add("Time to acknowledge", inc.detected_at, inc.acknowledged_at)
    add("Time to identify", inc.acknowledged_at, inc.identified_at)
    add("Time to mitigate", inc.started_at, inc.mitigated_at)
    mttr_start = getattr(inc, pol.mttr_from, None) if pol.mttr_from in LIFECYCLE else inc.started_at
    add(f"Time to resolve (from {pol.mttr_from.removesuffix('_at')})", mttr_start, inc.resolved_at)
    if inc.resolved_at is not None:
        out.append(("Total duration", format_duration(inc.resolved_at - inc.started_at)))
    else:
        out.append(("Open for", format_duration(max(timedelta(0), data.now - inc.started_at))))
    return out


def incident_context(data: SiteData, inc: Incident) -> dict:
    summary = incident_summary(data, inc)
    summary.update(
        {
            "severity_description": "",
            "durations": [],
            "roles": [],
            "tags": [],
            "body": "",
            "escalations": [],
            "timeline": [],
            "postmortem_url": None,
            "updates": updates_newest_first(inc),
            "lifecycle": [
                (LIFECYCLE_LABELS[name], getattr(inc, name)) for name in LIFECYCLE if getattr(inc, name) is not None
            ],
            "postmortem": data.postmortem_for(inc.id),
            "source_url": inc.source.url if inc.source is not None else None,  # an imported record's original
            "closure": "closed" if inc.is_closed else "observing" if inc.under_observation else None,
            "closed_at": inc.closed_at,
        }
    )
    if data.internal:  # the internal text: never on a public page
        sev = data.policy.severity(inc.severity)
        summary.update(
            {
                "severity_description": sev.description if sev is not None else "",
                "durations": durations(data, inc),
                "roles": list(inc.roles.items()),
                "tags": list(inc.tags),
                "body": inc.body,
                "escalations": list(getattr(inc, "escalations", ()) or ()),
                "timeline": sorted(inc.timeline, key=lambda t: utc(t.at)),
                "postmortem_url": getattr(inc, "postmortem_url", None),
            }
        )
    return {"incident": summary}


def merged_timeline(inc: Incident) -> list[dict]:
    """Lifecycle timestamps, public updates and the scribe's timeline, in time order."""
    rows = []
    for order, name in enumerate(LIFECYCLE):
        at = getattr(inc, name)
        if at is not None:
            rows.append(
                (utc(at), 0, order, {"at": at, "kind": "lifecycle", "label": LIFECYCLE_LABELS[name], "text": ""})
            )
    for i, u in enumerate(inc.updates):
        rows.append(
            (
                utc(u.at),
                1,
                i,
                {
                    "at": u.at,
                    "kind": "update",
                    "label": "Status update: " + INCIDENT_STATUS_LABELS.get(u.status, u.status),
                    "text": u.message,
                },
            )
        )
    for i, t in enumerate(inc.timeline):
        rows.append((utc(t.at), 2, i, {"at": t.at, "kind": "timeline", "label": "Log", "text": t.event}))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def postmortem_context(data: SiteData, pm: Postmortem) -> dict:
    inc = data.incident(pm.incident)
    return {
        "postmortem": pm,
        "status_label": POSTMORTEM_STATUS_LABELS.get(pm.status, pm.status),
        "incident": incident_summary(data, inc),
        "incident_durations": durations(data, inc),
        "timeline": merged_timeline(inc),
        "action_items": pm.action_items,
        "title": pm.title or f"Postmortem: {inc.title}",
        "public": postmortem_is_public(pm),
    }


def postmortems_context(data: SiteData) -> dict:
    rows = []
    for inc in recent_incidents(data.repo):
        pm = data.postmortem_for(inc.id)
        if pm is None:
            continue
        rows.append(
            {
                "incident": incident_summary(data, inc),
                "postmortem": pm,
                "title": pm.title or inc.title,
                "status_label": POSTMORTEM_STATUS_LABELS.get(pm.status, pm.status),
                "open_items": sum(1 for a in pm.action_items if a.status == "open"),
                "item_count": len(pm.action_items),
                "public": postmortem_is_public(pm),
            }
        )
    return {"postmortems": rows}


def history_context(data: SiteData) -> dict:
    months: list[dict] = []
    current = None
    for inc in recent_incidents(data.repo):
        key = utc(inc.started_at).strftime("%Y-%m")
        if current is None or current["key"] != key:
            current = {"key": key, "label": utc(inc.started_at).strftime("%B %Y"), "incidents": []}
            months.append(current)
        current["incidents"].append(incident_summary(data, inc))
    maint = sorted(data.repo.maintenances, key=lambda m: (utc(m.scheduled_start), m.id), reverse=True)
    return {"months": months, "maintenances": [maintenance_view(data, m) for m in maint]}


def metrics_context(data: SiteData, compute: Callable, charts) -> dict:
    """The metrics page (generator/mkdocs_plugin/metrics_page.py): every incident given here counts."""
    from incidents.metrics import figures as metrics
    from incidents.mkdocs_plugin.metrics_page import build_context

    return build_context(data.all_incidents, data.policy, data.now, metrics, charts)
