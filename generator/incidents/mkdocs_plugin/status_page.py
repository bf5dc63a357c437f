"""The status page's context: the banner, services grouped as services.yml says (ungrouped ones alone),
their uptime bars, open incidents (on the internal site with severity, commander and time since
detection), maintenance, and "Past incidents" day by day. No MkDocs here."""

from __future__ import annotations

from datetime import timedelta

from incidents.mkdocs_plugin.i18n import Words
from incidents.mkdocs_plugin.labels import PAGE_DESCRIPTIONS, STATUS_LABELS
from incidents.mkdocs_plugin.pages import (
    PAST_DAYS,
    SiteData,
    incident_summary,
    maintenance_view,
    updates_newest_first,
    utc,
)
from incidents.publish.status import (
    active_maintenances,
    component_statuses,
    open_incidents,
    page_status,
    recent_incidents,
    upcoming_maintenances,
    uptime_days,
    uptime_percent,
)
from incidents.records.model import IMPACTS


def _day_class(day) -> str:
    if day.major_minutes > 0:
        return "major_outage"
    if day.partial_minutes > 0:
        return "partial_outage"
    if day.degraded_minutes > 0:
        return "degraded_performance"
    return "operational"


def _day_tooltip(w: Words, day) -> str:
    def minutes(value: float) -> str:
        return w.duration(timedelta(minutes=value))

    parts = [w._("%(day)s: %(uptime)s uptime", day=w.date(day.day), uptime=w.percent(day.uptime * 100))]
    if day.major_minutes:
        parts.append(w._("major outage %(duration)s", duration=minutes(day.major_minutes)))
    if day.partial_minutes:
        parts.append(w._("partial outage %(duration)s", duration=minutes(day.partial_minutes)))
    if day.degraded_minutes:
        parts.append(w._("degraded performance %(duration)s", duration=minutes(day.degraded_minutes)))
    if day.incident_ids:
        parts.append(w._("incidents: %(ids)s", ids=", ".join(day.incident_ids)))
    else:
        parts.append(w._("no incidents"))
    return " · ".join(parts)


def _group_status(services: list[dict]) -> str:
    ranks = [IMPACTS.index(s["status"]) + 1 if s["status"] in IMPACTS else 0 for s in services]
    worst = max(ranks, default=0)
    if worst:
        return IMPACTS[worst - 1]
    return "under_maintenance" if any(s["status"] == "under_maintenance" for s in services) else "operational"


def service_groups(data: SiteData) -> list[dict]:
    """Services in the order of services.yml, grouped by `group`; ungrouped ones stand alone (no heading)."""
    repo, now, w = data.status_repo or data.repo, data.now, data.words
    statuses = component_statuses(repo, now)
    groups: list[dict] = []
    by_name: dict = {}
    for svc in repo.policy.services:
        days = uptime_days(repo, svc.id, now, data.uptime_window)
        status = statuses.get(svc.id, "operational")
        row = {
            "id": svc.id,
            "name": svc.name,
            "description": svc.description,
            "status": status,
            "status_label": w.t(STATUS_LABELS[status]),
            "uptime": w.percent(uptime_percent(repo, svc.id, now, data.uptime_window)),
            "days": [{"cls": _day_class(d), "title": _day_tooltip(w, d)} for d in days],
        }
        key = svc.group or f"\0{svc.id}"  # an ungrouped service is a group of its own, without a name
        if key not in by_name:
            by_name[key] = {"name": svc.group, "services": []}
            groups.append(by_name[key])
        by_name[key]["services"].append(row)
    for group in groups:
        group["status"] = _group_status(group["services"])
        group["status_label"] = w.t(STATUS_LABELS[group["status"]])
    return groups


def past_days(data: SiteData) -> list[dict]:
    """The last PAST_DAYS UTC days, today first, each with the incidents that started on it."""
    today = utc(data.now).date()
    first = today - timedelta(days=PAST_DAYS - 1)
    by_day: dict = {}
    for inc in recent_incidents(data.status_repo):
        day = utc(inc.started_at).date()
        if day < first:
            break  # newest first: the rest are older
        if day <= today:
            by_day.setdefault(day, []).append(incident_summary(data, inc))
    days = [today - timedelta(days=i) for i in range(PAST_DAYS)]
    return [{"key": d.isoformat(), "label": data.words.day(d), "incidents": by_day.get(d, [])} for d in days]


def status_context(data: SiteData) -> dict:
    repo, now, w = data.status_repo or data.repo, data.now, data.words
    open_list = []
    # The internal home shows every open incident (internal ones marked) with who leads it; the public one,
    # the published incidents.
    for inc in open_incidents(data.repo if data.internal else repo, now):
        summary = incident_summary(data, inc)
        summary["updates"] = updates_newest_first(inc)
        open_list.append(summary)
    indicator = page_status(repo, now)
    return {
        "page_status": indicator,
        "page_description": w.t(PAGE_DESCRIPTIONS.get(indicator.description, indicator.description)),
        "groups": service_groups(data),
        "open_incidents": open_list,
        "active_maintenances": [maintenance_view(data, m) for m in active_maintenances(repo, now)],
        "upcoming_maintenances": [maintenance_view(data, m) for m in upcoming_maintenances(repo, now)],
        "past_days": past_days(data),
        "uptime_window": data.uptime_window,
        "now": now,
    }
