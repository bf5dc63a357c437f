"""What the site publishes besides pages: the Statuspage-compatible API, feeds, calendar and badge.

Pure functions of (repository, now, page info); nothing here knows MkDocs.
`published_files` gives every such file as bytes, keyed by its path in the site.

Owns the status at a moment (`status`), the Statuspage API documents (`statuspage`), feeds,
the calendar and the badge.

May import: the vocabulary, `records`, `policy`, `rules`, `metrics`, `reading`, `gates`.
"""

from __future__ import annotations

from datetime import datetime

from incidents.publish.statuspage import API_PATHS, PageInfo, api_documents, dumps

__all__ = ["API_PATHS", "OTHER_PATHS", "PageInfo", "api_documents", "dumps", "published_files"]

OTHER_PATHS = ("history.atom", "history.rss", "maintenance.ics", "badge.svg")


def published_files(repo, now: datetime, page: PageInfo, language: str = "en", gettext=None) -> dict[str, bytes]:
    """Every non-page output: `api/v2/*.json`, `history.atom`, `history.rss`, `maintenance.ics`, `badge.svg`.

    The feeds are in `language` (its words through `gettext`); the API keeps Statuspage's English enums."""
    from incidents.publish.badge import status_badge
    from incidents.publish.feeds import atom_feed, rss_feed
    from incidents.publish.ical import maintenance_calendar
    from incidents.publish.status import page_status

    out = {path: dumps(doc).encode("utf-8") for path, doc in api_documents(repo, now, page).items()}
    words = {"language": language} if gettext is None else {"language": language, "_": gettext}
    out["history.atom"] = atom_feed(repo, now, page, **words)
    out["history.rss"] = rss_feed(repo, now, page, **words)
    out["maintenance.ics"] = maintenance_calendar(repo, now, page)
    st = page_status(repo, now)
    out["badge.svg"] = status_badge(st.indicator, st.description).encode("utf-8")
    return out
