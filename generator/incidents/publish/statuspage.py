"""The records as Atlassian Statuspage's public v2 API documents (`api/v2/*.json`).

Field names, their order and the enums follow Statuspage's public API (FORMAT.md
section 8, "The API uses Statuspage's field names..."), so existing clients and
widgets read our files. Only public records appear. Every value is a function of
the records and `now`, so two builds with the same SOURCE_DATE_EPOCH are identical.

The shared vocabulary (page, ids, timestamps, addresses) is in `api_ids`, the
components and their activity in `api_components`; this module makes the incident
and maintenance objects and the documents.
"""

from __future__ import annotations

from datetime import UTC, datetime

from incidents.publish.api_components import ComponentsView
from incidents.publish.api_ids import (  # noqa: F401 - the names the rest of the package imports from here
    PageInfo,
    component_id,
    dumps,
    group_id,
    incident_url,
    maintenance_url,
    stable_id,
    timestamp,
    update_id,
)
from incidents.publish.status import (
    active_maintenances,
    maintenance_in_progress,
    open_incidents,
    page_status,
    recent_incidents,
    statuspage_impact,
    upcoming_maintenances,
)
from incidents.records.model import Incident, Maintenance

API_PATHS = (
    "api/v2/summary.json",
    "api/v2/status.json",
    "api/v2/components.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
    "api/v2/scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json",
    "api/v2/scheduled-maintenances/active.json",
)
RECENT_LIMIT = 50  # incidents.json and scheduled-maintenances.json, as Statuspage's


class _Api(ComponentsView):
    """The API's objects: the page, its status, incidents and maintenances (with their updates)."""

    def page_doc(self) -> dict:
        return {
            "id": self.page.id,
            "name": self.page.name,
            "url": self.page.url,
            "time_zone": self.page.time_zone,
            "updated_at": timestamp(self.updated_at),
        }

    def status_doc(self) -> dict:
        st = page_status(self.repo, self.now)
        return {"indicator": st.indicator, "description": st.description}

    # -- incidents

    def incident(self, inc: Incident) -> dict:
        updates = list(inc.updates)
        impacted = {svc: inc.impact.get(svc, "operational") for svc in inc.services}
        operational = dict.fromkeys(inc.services, "operational")
        rendered = []
        for index, upd in enumerate(updates):
            affected = None
            if index == 0:
                affected = self._affected(
                    inc.services, operational, operational if upd.status == "resolved" else impacted
                )
            elif upd.status == "resolved":
                affected = self._affected(inc.services, impacted, operational)
            rendered.append(self._update(inc.id, index, upd, affected, inc.services))
        rendered.reverse()  # newest first
        # When the incident entered monitoring (its first `monitoring` update), as Statuspage's is;
        # null when it never did (the record's `mitigated_at` is another moment).
        monitoring_at = next((u.at for u in updates if u.status == "monitoring"), None)
        created = updates[0].at if updates else inc.detected_at
        updated = updates[-1].at if updates else max(self._incident_times(inc), default=created)
        return {
            "id": inc.id,
            "name": inc.title,
            "status": inc.status,
            "created_at": timestamp(created),
            "updated_at": timestamp(updated),
            "monitoring_at": timestamp(monitoring_at),
            "resolved_at": timestamp(inc.resolved_at),
            "impact": statuspage_impact(inc),
            "shortlink": incident_url(self.page, inc.id),
            "started_at": timestamp(inc.started_at),
            "page_id": self.page.id,
            "incident_updates": rendered,
            "components": self._named_components(inc.services),
        }

    def _update(self, record_id: str, index: int, upd, affected: list[dict] | None, services) -> dict:
        # FORMAT.md section 8 lists `components` with each update (Statuspage
        # itself puts it on the incident): both carry it, so either reading works.
        return {
            "id": update_id(record_id, index),
            "status": upd.status,
            "body": upd.message,
            "incident_id": record_id,
            "created_at": timestamp(upd.at),
            "updated_at": timestamp(upd.at),
            "display_at": timestamp(upd.at),
            "affected_components": affected,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
            "components": self._named_components(services),
        }

    # -- maintenances

    def maintenance_status(self, m: Maintenance) -> str:
        """The record's status, except that a `scheduled` window that has begun is `in_progress`."""
        if m.status == "scheduled" and maintenance_in_progress(m, self.now):
            return "in_progress"
        return m.status

    def maintenance(self, m: Maintenance) -> dict:
        updates = list(m.updates)
        status = self.maintenance_status(m)
        maint = dict.fromkeys(m.services, "under_maintenance")
        operational = dict.fromkeys(m.services, "operational")
        rendered = []
        for index, upd in enumerate(updates):
            affected = None
            if upd.status == "in_progress" and all(u.status != "in_progress" for u in updates[:index]):
                affected = self._affected(m.services, operational, maint)
            elif upd.status == "completed":
                affected = self._affected(m.services, maint, operational)
            rendered.append(self._update(m.id, index, upd, affected, m.services))
        rendered.reverse()
        created = updates[0].at if updates else min(m.scheduled_start, self.now)
        updated = updates[-1].at if updates else created
        resolved = None
        if status == "completed":
            resolved = updates[-1].at if updates and updates[-1].status == "completed" else m.scheduled_end
        started = m.scheduled_start
        return {
            "id": m.id,
            "name": m.title,
            "status": status,
            "created_at": timestamp(created),
            "updated_at": timestamp(updated),
            "monitoring_at": None,
            "resolved_at": timestamp(resolved),
            "impact": "maintenance",
            "shortlink": maintenance_url(self.page, m.id),
            "started_at": timestamp(started),
            "page_id": self.page.id,
            "incident_updates": rendered,
            "components": self._named_components(m.services),
            "scheduled_for": timestamp(m.scheduled_start),
            "scheduled_until": timestamp(m.scheduled_end),
        }


def api_documents(repo, now: datetime, page: PageInfo) -> dict[str, dict]:
    """Every `api/v2/...json` path -> its document (plain dicts and lists, in Statuspage's key order)."""
    api = _Api(repo, now, page)
    page_doc = api.page_doc()
    status_doc = api.status_doc()
    components = api.components_doc()
    unresolved = [api.incident(inc) for inc in open_incidents(repo, now)]
    recent = [api.incident(inc) for inc in recent_incidents(repo, RECENT_LIMIT)]
    active = [api.maintenance(m) for m in active_maintenances(repo, now)]
    upcoming = [api.maintenance(m) for m in upcoming_maintenances(repo, now)]
    newest_maint = sorted(api.maintenances, key=lambda m: (m.scheduled_start.astimezone(UTC), m.id), reverse=True)[
        :RECENT_LIMIT
    ]
    all_maint = [api.maintenance(m) for m in newest_maint]

    def with_page(**body) -> dict:
        return {"page": page_doc, **body}

    return {
        "api/v2/summary.json": with_page(
            components=components, incidents=unresolved, scheduled_maintenances=active + upcoming, status=status_doc
        ),
        "api/v2/status.json": with_page(status=status_doc),
        "api/v2/components.json": with_page(components=components),
        "api/v2/incidents.json": with_page(incidents=recent),
        "api/v2/incidents/unresolved.json": with_page(incidents=unresolved),
        "api/v2/scheduled-maintenances.json": with_page(scheduled_maintenances=all_maint),
        "api/v2/scheduled-maintenances/upcoming.json": with_page(scheduled_maintenances=upcoming),
        "api/v2/scheduled-maintenances/active.json": with_page(scheduled_maintenances=active),
    }
