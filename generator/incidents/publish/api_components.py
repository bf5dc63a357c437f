"""The components of the Statuspage API (services and their groups) and when each last changed.

`ComponentsView` is what every API document shares: the public records, each
service's status at `now`, the last public activity per service, and the
component documents in catalogue order (a group where its first service stands,
then its children), as Statuspage lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from incidents.policy.services import Service
from incidents.publish.api_ids import PageInfo, component_id, group_id, timestamp
from incidents.publish.status import component_statuses, group_status, public_incidents, public_maintenances
from incidents.records.model import LIFECYCLE, Incident, Maintenance


class ComponentsView:
    """The public records at `now`, their services as components, and when each last changed."""

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
        return self._utc_all([*(getattr(inc, name) for name in LIFECYCLE), *(u.at for u in inc.updates)])

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
        top: list[Service | str] = []  # a service, or the name of a group where its first service stands
        children: dict[str, list] = {}
        for svc in self.repo.policy.services:
            if svc.group:
                if svc.group not in children:
                    children[svc.group] = []
                    top.append(svc.group)
                children[svc.group].append(svc)
            else:
                top.append(svc)
        out: list[dict] = []
        for position, item in enumerate(top, start=1):
            if not isinstance(item, str):
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
        return [clean(c) for c in self.components]

    def _named_components(self, services: Iterable[str]) -> list[dict]:
        return [clean(self.by_service[s]) for s in services if s in self.by_service]

    def _affected(self, services: Iterable[str], old: dict[str, str], new: dict[str, str]) -> list[dict]:
        out = []
        for svc in services:
            comp = self.by_service.get(svc)
            if comp is None:
                continue
            out.append({"code": comp["id"], "name": comp["name"], "old_status": old[svc], "new_status": new[svc]})
        return out


def clean(doc: dict) -> dict:
    """A component document without the keys only this module uses (`_service`)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
