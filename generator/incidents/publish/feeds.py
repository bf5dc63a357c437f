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
from incidents.publish.status import recent_incidents
from incidents.publish.statuspage import RECENT_LIMIT, PageInfo, incident_url
from incidents.publish.words import INCIDENT_STATUS_LABELS, STATUS_LABELS
from incidents.records.model import LIFECYCLE, Incident
from incidents.text import strip_controls

GENERATOR = "incident-as-code"


def _same(message: str) -> str:
    return message


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _stamp(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def entry_title(inc: Incident) -> str:
    # No severity id: it is internal text (FORMAT.md section 8); the impact says how bad it was.
    return strip_controls(f"{inc.title} ({INCIDENT_STATUS_LABELS.get(inc.status, inc.status)})")


def entry_updated(inc: Incident) -> datetime:
    """The last public update's time; the latest lifecycle time when there is none."""
    if inc.updates:
        return _utc(inc.updates[-1].at)
    times = [_utc(t) for t in (getattr(inc, name) for name in LIFECYCLE) if t is not None]
    return max(times)


def update_message(upd, language: str) -> str:
    """The update's text in `language` when it carries that translation (`translations: {de: ...}`)."""
    for key, text in (getattr(upd, "translations", None) or {}).items():
        if text and key.replace("-", "_").lower() == language.replace("-", "_").lower():
            return text
    return upd.message


def entry_html(inc: Incident, service_names: dict[str, str], language: str = "en", _=_same) -> str:
    """The updates, newest first, as escaped HTML, in the feed's language (`_`: its gettext)."""
    e = html.escape

    def impact(svc: str) -> str:
        value = inc.impact.get(svc, inc.worst_impact)
        return _(STATUS_LABELS[value]) if value in STATUS_LABELS else value

    affected = ", ".join(f"{e(service_names.get(svc, svc))} ({e(impact(svc))})" for svc in inc.services)
    impact_word, status_word, affected_word = _("Impact:"), _("Status:"), _("Affected:")
    parts = [
        f"<p><strong>{e(impact_word)}</strong> {e(_(STATUS_LABELS[inc.worst_impact]))} &middot; "
        f"<strong>{e(status_word)}</strong> {e(_(INCIDENT_STATUS_LABELS.get(inc.status, inc.status)))}<br>"
        f"<strong>{e(affected_word)}</strong> {affected}</p>"
    ]
    for upd in reversed(inc.updates):
        message = "<br>".join(e(line) for line in update_message(upd, language).splitlines())
        parts.append(
            f"<p><strong>{e(_(INCIDENT_STATUS_LABELS.get(upd.status, upd.status)))}</strong> &mdash; "
            f"<small>{e(_stamp(upd.at))}</small><br>{message}</p>"
        )
    return strip_controls("\n".join(parts))  # XML 1.0 forbids control characters (lxml refuses them)


def _feed(repo, now: datetime, page: PageInfo, self_path: str, language: str = "en", _=_same):
    from feedgen.feed import FeedGenerator

    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime")
    now = _utc(now)
    incidents = recent_incidents(repo, RECENT_LIMIT)
    names = {svc.id: svc.name for svc in repo.policy.services}
    fg = FeedGenerator()
    fg.id(page.base)
    name = strip_controls(page.name)
    fg.title(_("%(name)s - incident history") % {"name": name})
    fg.subtitle(_("Incidents on %(name)s and their status updates") % {"name": name})
    fg.description(_("Incidents on %(name)s and their status updates") % {"name": name})
    fg.author({"name": name, "uri": page.base})  # RFC 4287: a feed without entry authors has one
    # feedgen's RSS <link> is the last link given: the self link first, the page last.
    fg.link(href=page.base + self_path, rel="self")
    fg.link(href=page.base, rel="alternate")
    fg.language(language.replace("_", "-"))  # Atom xml:lang, RSS <language>
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
        fe.content(entry_html(inc, names, language, _), type="html")
    return fg


def atom_feed(repo, now: datetime, page: PageInfo, language: str = "en", _=_same) -> bytes:
    return _feed(repo, now, page, "history.atom", language, _).atom_str(pretty=True)


def rss_feed(repo, now: datetime, page: PageInfo, language: str = "en", _=_same) -> bytes:
    return _feed(repo, now, page, "history.rss", language, _).rss_str(pretty=True)
