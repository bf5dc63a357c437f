"""The records as Atlassian Statuspage's public v2 API documents (`api/v2/*.json`).

Field names, their order and the enums follow Statuspage's public API (FORMAT.md
section 8, "The API uses Statuspage's field names..."), so existing clients and
widgets read our files. Only public records appear. Every value is a function of
the records and `now`, so two builds with the same SOURCE_DATE_EPOCH are identical.

Ids: incidents and maintenances keep their record id (unique across the
repository, stable, and the same as in their page's address); components,
groups and incident updates get a 12-character id hashed from what they are
(`component:<service id>`, `group:<group name>`, `update:<record id>:<n>`), in
the alphabet of Statuspage's own ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incidents.publish.status import (
    active_maintenances,
    component_statuses,
    group_status,
    maintenance_in_progress,
    open_incidents,
    page_status,
    public_incidents,
    public_maintenances,
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

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class PageInfo:
    id: str
    name: str
    url: str  # the site's address; incident pages live at <url>incidents/<id>/
    time_zone: str = "Etc/UTC"

    @property
    def base(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"


def stable_id(key: str) -> str:
    """12 lowercase alphanumerics hashed from `key`: stable across builds and machines."""
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:9], "big")
    chars = []
    for _ in range(12):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def component_id(service_id: str) -> str:
    return stable_id(f"component:{service_id}")


def group_id(name: str) -> str:
    return stable_id(f"group:{name}")


def update_id(record_id: str, index: int) -> str:
    return stable_id(f"update:{record_id}:{index}")


def timestamp(value: datetime | None) -> str | None:
    """UTC with milliseconds: 2026-01-14T14:35:00.000Z."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def incident_url(page: PageInfo, incident_id: str) -> str:
    return f"{page.base}incidents/{incident_id}/"


def maintenance_url(page: PageInfo, maintenance_id: str) -> str:
    """A maintenance window's own page (the site publishes one per window)."""
    return f"{page.base}maintenance/{maintenance_id}/"


def dumps(doc: Any) -> str:
    """The published text of a document: indent 2, UTF-8 text kept, a final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---- the model -------------------------------------------------------------------------------


class _Api:
    def __init__(self, repo, now: datetime, page: PageInfo):
        if now.tzinfo is None:
            raise ValueError("`now` must be an aware datetime")
        self.repo = repo
        self.now = now.astimezone(UTC)
        self.page = page
        self.statuses = component_statuses(repo, now)
        self.public = public_incidents(repo)
        self.maintenances = public_maintenances(repo)
        self._activity = self._service_activity()
        self.created_at = self._first_activity()
        self.components = self._components()
        self.by_service = {c["_service"]: c for c in self.components if "_service" in c}

    # -- times

    @staticmethod
    def _utc_all(values: Iterable[datetime | None]) -> list[datetime]:
        return [v.astimezone(UTC) for v in values if v is not None]

    def _incident_times(self, inc: Incident) -> list[datetime]:
        """Everything the record says happened (the records are the truth, whatever `now` is)."""
        return self._utc_all(
            [
                inc.started_at,
                inc.detected_at,
                inc.acknowledged_at,
                inc.identified_at,
                inc.mitigated_at,
                inc.resolved_at,
                *(u.at for u in inc.updates),
            ]
        )

    def _maintenance_times(self, m: Maintenance) -> list[datetime]:
        """Its updates, and the window's start and end once they have passed."""
        bounds = [b for b in (m.scheduled_start, m.scheduled_end) if b.astimezone(UTC) <= self.now]
        return self._utc_all([*bounds, *(u.at for u in m.updates)])

    def _service_activity(self) -> dict[str, datetime]:
        """The last moment when something public happened to each service."""
        last: dict[str, datetime] = {}
        items = [(inc.services, self._incident_times(inc)) for inc in self.public]
        items += [(m.services, self._maintenance_times(m)) for m in self.maintenances]
        for services, times in items:
            if not times:
                continue
            newest = max(times)
            for svc in services:
                if svc not in last or newest > last[svc]:
                    last[svc] = newest
        return last

    def _first_activity(self) -> datetime:
        times = [t for inc in self.public for t in self._incident_times(inc)]
        times += [t for m in self.maintenances for t in self._maintenance_times(m)]
        return min(times) if times else self.now

    @property
    def updated_at(self) -> datetime:
        return max(self._activity.values()) if self._activity else self.created_at

    # -- page and status

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

    # -- components

    def _component(
        self,
        *,
        cid: str,
        name: str,
        status: str,
        updated: datetime,
        position: int,
        description: str | None,
        showcase: bool,
        parent: str | None,
        group: bool,
    ) -> dict:
        return {
            "id": cid,
            "name": name,
            "status": status,
            "created_at": timestamp(self.created_at),
            "updated_at": timestamp(updated),
            "position": position,
            "description": description,
            "showcase": showcase,
            "start_date": self.created_at.date().isoformat(),
            "group_id": parent,
            "page_id": self.page.id,
            "group": group,
            "only_show_if_degraded": False,
        }

    def _components(self) -> list[dict]:
        """Groups and services in catalogue order: a group where its first service stands, then its children."""
        top: list[tuple[str, object]] = []  # ("service", Service) | ("group", name)
        children: dict[str, list] = {}
        for svc in self.repo.policy.services:
            if svc.group:
                if svc.group not in children:
                    children[svc.group] = []
                    top.append(("group", svc.group))
                children[svc.group].append(svc)
            else:
                top.append(("service", svc))
        out: list[dict] = []
        for position, (kind, item) in enumerate(top, start=1):
            if kind == "service":
                out.append(self._service_component(item, position, None))
                continue
            gid = group_id(item)
            kids = [self._service_component(svc, i, gid) for i, svc in enumerate(children[item], start=1)]
            updated = max(
                (self._activity.get(svc.id, self.created_at) for svc in children[item]), default=self.created_at
            )
            doc = self._component(
                cid=gid,
                name=item,
                status=group_status(k["status"] for k in kids),
                updated=updated,
                position=position,
                description=None,
                showcase=False,
                parent=None,
                group=True,
            )
            doc["components"] = [k["id"] for k in kids]
            out.append(doc)
            out.extend(kids)
        return out

    def _service_component(self, svc, position: int, parent: str | None) -> dict:
        doc = self._component(
            cid=component_id(svc.id),
            name=svc.name,
            status=self.statuses[svc.id],
            updated=self._activity.get(svc.id, self.created_at),
            position=position,
            description=svc.description,
            showcase=True,
            parent=parent,
            group=False,
        )
        doc["_service"] = svc.id  # dropped by `clean` before publishing
        return doc

    def components_doc(self) -> list[dict]:
        return [_clean(c) for c in self.components]

    def _named_components(self, services: Iterable[str]) -> list[dict]:
        return [_clean(self.by_service[s]) for s in services if s in self.by_service]

    def _affected(self, services: Iterable[str], old: dict[str, str], new: dict[str, str]) -> list[dict]:
        out = []
        for svc in services:
            comp = self.by_service.get(svc)
            if comp is None:
                continue
            out.append({"code": comp["id"], "name": comp["name"], "old_status": old[svc], "new_status": new[svc]})
        return out

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


def _clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


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
