"""`maintenance.ics`: every public maintenance window as an RFC 5545 VEVENT (icalendar package).

UIDs are derived from the record id, DTSTAMP/LAST-MODIFIED from the last
update (the window's start when there is none), so the same records give the
same bytes whatever the clock says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from incidents.publish.status import public_maintenances
from incidents.publish.statuspage import PageInfo, maintenance_url
from incidents.publish.words import INCIDENT_STATUS_LABELS
from incidents.text import strip_controls

PRODID = "-//incident-as-code//maintenance calendar//EN"
EVENT_STATUS = {"scheduled": "TENTATIVE", "in_progress": "CONFIRMED", "completed": "CONFIRMED"}


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _host(page: PageInfo) -> str:
    return urlsplit(page.base).hostname or "incident-as-code"


def maintenance_uid(record_id: str, page: PageInfo) -> str:
    return f"maintenance-{record_id}@{_host(page)}"


def maintenance_calendar(repo, now: datetime, page: PageInfo) -> bytes:
    from icalendar import Calendar, Event

    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    names = {svc.id: svc.name for svc in repo.policy.services}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{page.name} maintenance")
    cal.add("x-wr-timezone", "UTC")
    for m in public_maintenances(repo):
        updates = list(m.updates)
        stamp = _utc(updates[-1].at) if updates else _utc(m.scheduled_start)
        affected = ", ".join(names.get(svc, svc) for svc in m.services)
        lines = [f"Affected: {affected}", f"Status: {INCIDENT_STATUS_LABELS.get(m.status, m.status)}"]
        for upd in reversed(updates):
            lines.append("")
            lines.append(
                f"{_utc(upd.at).strftime('%Y-%m-%d %H:%M UTC')} - "
                f"{INCIDENT_STATUS_LABELS.get(upd.status, upd.status)}: {upd.message}"
            )
        if m.body.strip():
            lines.append("")
            lines.append(m.body.strip())
        ev = Event()
        ev.add("uid", maintenance_uid(m.id, page))
        ev.add("dtstamp", stamp)
        ev.add("last-modified", stamp)
        ev.add("dtstart", _utc(m.scheduled_start))
        ev.add("dtend", _utc(m.scheduled_end))
        ev.add("summary", strip_controls(f"Maintenance: {m.title}"))
        ev.add("description", strip_controls("\n".join(lines)))
        ev.add("status", EVENT_STATUS.get(m.status, "CONFIRMED"))
        ev.add("sequence", len(updates))
        ev.add("transp", "TRANSPARENT")
        ev.add("categories", ["Maintenance"])
        ev.add("url", maintenance_url(page, m.id))
        cal.add_component(ev)
    return cal.to_ical()
