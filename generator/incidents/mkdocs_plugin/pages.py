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
from incidents.mkdocs_plugin.i18n import Words
from incidents.mkdocs_plugin.labels import (
    INCIDENT_STATUS_LABELS,
    LIFECYCLE_LABELS,
    POSTMORTEM_STATUS_LABELS,
    STATUS_LABELS,
)
from incidents.publish.status import (
    recent_incidents,
)
from incidents.reading.validate import Repository
from incidents.records.model import LIFECYCLE, Incident, Maintenance, Postmortem

PAST_DAYS = 15  # "Past incidents" on the status page, day by day (older ones: history/)
COMMANDER_ROLES = ("commander", "incident_commander", "ic")


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
    words: Words = field(default_factory=Words)  # the site's language
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
        cls,
        repo: Repository,
        now: datetime,
        *,
        audience: str = "public",
        uptime_window: int = 90,
        words: Words | None = None,
    ) -> SiteData:
        public = public_view(repo)
        words = words or Words()
        if audience == "internal":
            hidden = internal_ids(repo)
            return cls(internal_view(repo), repo.incidents, now, hidden, uptime_window, audience, public, words)
        return cls(public, public.incidents, now, frozenset(), uptime_window, audience, public, words)

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


def commander(inc: Incident) -> tuple[str, str] | None:
    """(role, handle) of who leads the incident: the commander role, else the first role named."""
    roles = dict(inc.roles)
    for role in COMMANDER_ROLES:
        if roles.get(role):
            return role, roles[role]
    for role, handle in roles.items():
        if "command" in role and handle:
            return role, handle
    return next(iter(roles.items()), None)


def incident_summary(data: SiteData, inc: Incident) -> dict:
    w = data.words
    lead = commander(inc) if data.internal else None
    return {
        "id": inc.id,
        "title": inc.title,
        "status": inc.status,
        "status_label": w.t(INCIDENT_STATUS_LABELS[inc.status]),
        "severity": data.severity_label(inc.severity) if data.internal else "",
        "worst_impact": inc.worst_impact,
        "worst_impact_label": w.t(STATUS_LABELS[inc.worst_impact]),
        "services": [
            {
                "id": s,
                "name": data.service_name(s),
                "impact": inc.impact.get(s, inc.worst_impact),
                "impact_label": w.t(STATUS_LABELS[inc.impact.get(s, inc.worst_impact)]),
            }
            for s in inc.services
        ],
        "started_at": inc.started_at,
        "detected_at": inc.detected_at,
        "resolved_at": inc.resolved_at,
        "duration": (
            w.duration(max(timedelta(0), (inc.resolved_at or data.now) - inc.started_at)) if data.internal else ""
        ),
        "since_detection": w.duration(max(timedelta(0), data.now - inc.detected_at)) if inc.is_open else "",
        "commander": (lead[0].replace("_", " "), lead[1]) if lead else None,
        "internal": inc.id in data.internal_ids,
        "src": f"incidents/{inc.id}.md",
        "has_postmortem": data.postmortem_for(inc.id) is not None,
    }


def maintenance_view(data: SiteData, m: Maintenance) -> dict:
    return {
        "id": m.id,
        "title": m.title,
        "status": m.status,
        "status_label": data.words.t(INCIDENT_STATUS_LABELS[m.status]),
        "services": [data.service_name(s) for s in m.services],
        "scheduled_start": m.scheduled_start,
        "scheduled_end": m.scheduled_end,
        "length": data.words.duration(m.scheduled_end - m.scheduled_start),
        "updates": updates_newest_first(m),
        "body": m.body,
        "internal": m.id in data.internal_ids,
        "src": f"maintenance/{m.id}.md",
    }


def durations(data: SiteData, inc: Incident) -> list[tuple[str, str]]:
    pol, w = data.policy, data.words
    out = []

    def add(label, start, end):
        if start is not None and end is not None:
            out.append((label, w.duration(end - start)))

    add(w._("Time to detect"), inc.started_at, inc.detected_at)
    add(w._("Time to acknowledge"), inc.detected_at, inc.acknowledged_at)
    add(w._("Time to identify"), inc.acknowledged_at, inc.identified_at)
    add(w._("Time to mitigate"), inc.started_at, inc.mitigated_at)
    mttr_start = getattr(inc, pol.mttr_from, None) if pol.mttr_from in LIFECYCLE else inc.started_at
    origin = w.t(LIFECYCLE_LABELS.get(pol.mttr_from, pol.mttr_from))
    add(w._("Time to resolve (from: %(origin)s)", origin=origin), mttr_start, inc.resolved_at)
    if inc.resolved_at is not None:
        out.append((w._("Total duration"), w.duration(inc.resolved_at - inc.started_at)))
    else:
        out.append((w._("Open for"), w.duration(max(timedelta(0), data.now - inc.started_at))))
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
                (data.words.t(LIFECYCLE_LABELS[name]), getattr(inc, name))
                for name in LIFECYCLE
                if getattr(inc, name) is not None
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


def merged_timeline(inc: Incident, w: Words) -> list[dict]:
    """Lifecycle timestamps, public updates and the scribe's timeline, in time order."""
    rows = []
    for order, name in enumerate(LIFECYCLE):
        at = getattr(inc, name)
        if at is not None:
            rows.append(
                (utc(at), 0, order, {"at": at, "kind": "lifecycle", "label": w.t(LIFECYCLE_LABELS[name]), "text": ""})
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
                    "label": w._(
                        "Status update: %(status)s",
                        status=w.t(INCIDENT_STATUS_LABELS.get(u.status, u.status)),
                    ),
                    "text": u.message,
                },
            )
        )
    for i, t in enumerate(inc.timeline):
        rows.append((utc(t.at), 2, i, {"at": t.at, "kind": "timeline", "label": w._("Log"), "text": t.event}))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def postmortem_context(data: SiteData, pm: Postmortem) -> dict:
    inc = data.incident(pm.incident)
    if inc is None:  # the rules across files refuse a postmortem of no incident
        raise ValueError(f"{pm.path}: the postmortem's incident {pm.incident} is not in the repository")
    return {
        "postmortem": pm,
        "status_label": data.words.t(POSTMORTEM_STATUS_LABELS.get(pm.status, pm.status)),
        "incident": incident_summary(data, inc),
        "incident_durations": durations(data, inc),
        "timeline": merged_timeline(inc, data.words),
        "action_items": pm.action_items,
        "title": pm.title or data.words._("Postmortem: %(title)s", title=inc.title),
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
                "status_label": data.words.t(POSTMORTEM_STATUS_LABELS.get(pm.status, pm.status)),
                "open_items": sum(1 for a in pm.action_items if a.status == "open"),
                "item_count": len(pm.action_items),
                "public": postmortem_is_public(pm),
            }
        )
    return {"postmortems": rows}


def history_context(data: SiteData) -> dict:
    months: list[dict] = []
    current: dict | None = None
    for inc in recent_incidents(data.repo):
        key = utc(inc.started_at).strftime("%Y-%m")
        if current is None or current["key"] != key:
            current = {"key": key, "label": data.words.month(utc(inc.started_at)), "incidents": []}
            months.append(current)
        current["incidents"].append(incident_summary(data, inc))
    maint = sorted(data.repo.maintenances, key=lambda m: (utc(m.scheduled_start), m.id), reverse=True)
    return {"months": months, "maintenances": [maintenance_view(data, m) for m in maint]}


def metrics_context(data: SiteData, compute: Callable, charts) -> dict:
    """The metrics page (generator/mkdocs_plugin/metrics_page.py): every incident given here counts."""
    from incidents.metrics import figures as metrics
    from incidents.mkdocs_plugin.metrics_page import build_context

    return build_context(data.all_incidents, data.policy, data.now, metrics, charts)
