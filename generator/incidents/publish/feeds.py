"""`history.atom` and `history.rss`: the 50 most recent public incidents, one entry each.

Built with feedgen. Each entry's content is the incident's public updates
(newest first) as HTML in which every piece of record text is escaped; feedgen
escapes that HTML again as XML text. Every date comes from the records (or
`now` when there is none), so the same records and `now` give the same bytes.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from incidents import REPOSITORY
from incidents.publish.status import recent_incidents, statuspage_impact
from incidents.publish.statuspage import RECENT_LIMIT, PageInfo, incident_url
from incidents.records.model import Incident
from incidents.text import strip_controls

GENERATOR = "incident-as-code"
STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}
IMPACT_LABELS = {
    "degraded_performance": "degraded performance",
    "partial_outage": "partial outage",
    "major_outage": "major outage",
}


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _stamp(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def entry_title(inc: Incident) -> str:
    # No severity id: it is internal text (FORMAT.md section 8); the impact says how bad it was.
    return strip_controls(f"{inc.title} ({STATUS_LABELS.get(inc.status, inc.status)})")


def entry_updated(inc: Incident) -> datetime:
    """The last public update's time; the latest lifecycle time when there is none."""
    if inc.updates:
        return _utc(inc.updates[-1].at)
    times = [
        _utc(t)
        for t in (
            inc.started_at,
            inc.detected_at,
            inc.acknowledged_at,
            inc.identified_at,
            inc.mitigated_at,
            inc.resolved_at,
        )
        if t is not None
    ]
    return max(times)


def entry_html(inc: Incident, service_names: dict[str, str]) -> str:
    """The updates, newest first, as escaped HTML."""
    e = html.escape
    affected = ", ".join(
        f"{e(service_names.get(svc, svc))} ({e(IMPACT_LABELS.get(inc.impact.get(svc, ''), inc.impact.get(svc, '')))})"
        for svc in inc.services
    )
    parts = [
        f"<p><strong>Impact:</strong> {e(statuspage_impact(inc))} &middot; "
        f"<strong>Status:</strong> {e(STATUS_LABELS.get(inc.status, inc.status))}<br>"
        f"<strong>Affected:</strong> {affected}</p>"
    ]
    for upd in reversed(inc.updates):
        message = "<br>".join(e(line) for line in upd.message.splitlines())
        parts.append(
            f"<p><strong>{e(STATUS_LABELS.get(upd.status, upd.status))}</strong> &mdash; "
            f"<small>{e(_stamp(upd.at))}</small><br>{message}</p>"
        )
    return strip_controls("\n".join(parts))  # XML 1.0 forbids control characters (lxml refuses them)


def _feed(repo, now: datetime, page: PageInfo, self_path: str):
    from feedgen.feed import FeedGenerator

    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    now = _utc(now)
    incidents = recent_incidents(repo, RECENT_LIMIT)
    names = {svc.id: svc.name for svc in repo.policy.services}
    fg = FeedGenerator()
    fg.id(page.base)
    name = strip_controls(page.name)
    fg.title(f"{name} - incident history")
    fg.subtitle(f"Incidents on {name} and their status updates")
    fg.description(f"Incidents on {name} and their status updates")
    fg.author({"name": name, "uri": page.base})  # RFC 4287: a feed without entry authors has one
    # feedgen's RSS <link> is the last link given: the self link first, the page last.
    fg.link(href=page.base + self_path, rel="self")
    fg.link(href=page.base, rel="alternate")
    fg.language("en")
    fg.generator(GENERATOR, uri=REPOSITORY)
    updated = [entry_updated(inc) for inc in incidents]
    last = max(updated) if updated else now
    fg.updated(last)
    fg.lastBuildDate(last)
    for inc, when in zip(incidents, updated):
        url = incident_url(page, inc.id)
        fe = fg.add_entry(order="append")
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(entry_title(inc))
        fe.link(href=url, rel="alternate")
        fe.updated(when)
        fe.published(_utc(inc.started_at))
        # content only: feedgen's description() would reset the Atom content's type; RSS takes
        # the content as the item's <description>.
        fe.content(entry_html(inc, names), type="html")
    return fg


def atom_feed(repo, now: datetime, page: PageInfo) -> bytes:
    return _feed(repo, now, page, "history.atom").atom_str(pretty=True)


def rss_feed(repo, now: datetime, page: PageInfo) -> bytes:
    return _feed(repo, now, page, "history.rss").rss_str(pretty=True)
