"""One event as every channel tells it: its status, words, links and the status page at that moment.

Everything here is computed from the event alone (its record as of the event,
the records of the commit that made it, its time), never from HEAD or the
clock, and every link starts with the site's absolute address.
"""

from __future__ import annotations

from datetime import UTC

from incidents.notify.asof import repository_as_of
from incidents.notify.events import Event
from incidents.publish.status import component_statuses, page_status
from incidents.publish.statuspage import PageInfo, _Api, incident_url, maintenance_url
from incidents.publish.words import INCIDENT_STATUS_LABELS
from incidents.records.model import Incident, Maintenance

IMPACT_WORDS = {
    "degraded_performance": "degraded performance",
    "partial_outage": "partial outage",
    "major_outage": "major outage",
}
STARTED_TEXT = "The scheduled maintenance is now in progress."
COMPLETED_TEXT = "The scheduled maintenance has been completed."


class Moment:
    """The event `ev` as of its own time, for the page `page` (whose url is the site's absolute address)."""

    def __init__(self, ev: Event, page: PageInfo, names: dict[str, str]):
        self.ev, self.page = ev, page
        self.at = ev.at.astimezone(UTC)
        then = repository_as_of(ev.repo, self.at, ev.record) if ev.repo is not None else None
        self.then = then
        # The services as the commit named them.
        self.names = {s.id: s.name for s in then.policy.services} if then is not None else names
        self.api = _Api(then, self.at, page) if then is not None else None
        status = page_status(then, self.at) if then is not None else None
        self.indicator = status.indicator if status else "none"
        self.description = status.description if status else "All Systems Operational"
        self.components = component_statuses(then, self.at) if then is not None else {}

    # -- words -------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.ev.record.status

    @property
    def label(self) -> str:
        return INCIDENT_STATUS_LABELS.get(self.status, self.status)

    @property
    def title(self) -> str:
        return self.ev.record.title

    @property
    def message(self) -> str:
        ev = self.ev
        upd = ev.update
        if ev.kind == "maintenance.started" and upd is None:
            return STARTED_TEXT
        if ev.kind == "maintenance.completed" and upd is None:
            return COMPLETED_TEXT
        return upd.message if upd is not None else ""

    @property
    def url(self) -> str:
        rid = self.ev.record.id
        return incident_url(self.page, rid) if self.ev.is_incident else maintenance_url(self.page, rid)

    @property
    def subscribe_url(self) -> str:
        return f"{self.page.base}subscribe/"

    @property
    def services(self) -> str:
        rec = self.ev.record
        if isinstance(rec, Incident):
            return ", ".join(
                f"{self.names.get(s, s)} ({IMPACT_WORDS.get(rec.impact.get(s, ''), 'affected')})" for s in rec.services
            )
        return ", ".join(self.names.get(s, s) for s in rec.services)

    @property
    def when(self) -> str:
        return self.at.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def window(self) -> str | None:
        m = self.ev.record
        if not isinstance(m, Maintenance):
            return None
        fmt = "%Y-%m-%d %H:%M"
        return f"{m.scheduled_start.astimezone(UTC):{fmt}} to {m.scheduled_end.astimezone(UTC):{fmt}} UTC"

    def internal_fields(self) -> dict:
        rec = self.ev.record
        out: dict = {"visibility": rec.visibility}
        if isinstance(rec, Incident):
            out.update(severity=rec.severity, roles=dict(rec.roles), tags=list(rec.tags))
        return out

    # -- the API documents as of the event -----------------------------------------------------
    def record_doc(self) -> dict:
        """The incident (or scheduled maintenance) as the API published it at the event's time."""
        assert self.api is not None
        rec = self.ev.record
        return self.api.incident(rec) if isinstance(rec, Incident) else self.api.maintenance(rec)
