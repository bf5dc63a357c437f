"""`history/<service id>.atom`: one Atom feed per service of the catalogue, its public incidents only.

The same feed as `history.atom` (publish/feeds.py builds it), narrowed to the
incidents that name the service, with its own id, title and self link, so a
customer who depends on one service follows that service alone.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from incidents.publish.feeds import _feed
from incidents.publish.statuspage import PageInfo


def service_feed_path(service_id: str) -> str:
    return f"history/{service_id}.atom"


def service_feeds(repo, now: datetime, page: PageInfo, hidden_ids: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Every `history/<service id>.atom` -> its bytes. Internal incidents (and `hidden_ids`, the ones an
    internal build shows as public) never appear."""
    out: dict[str, bytes] = {}
    public = [inc for inc in repo.incidents if inc.is_public and inc.id not in hidden_ids]
    for svc in repo.policy.services:
        view = dataclasses.replace(repo, incidents=tuple(i for i in public if svc.id in i.services))
        path = service_feed_path(svc.id)
        fg = _feed(view, now, page, path)
        fg.id(page.base + path)
        fg.title(f"{page.name} - {svc.name} incident history")
        fg.subtitle(f"Incidents affecting {svc.name} on {page.name} and their status updates")
        fg.description(f"Incidents affecting {svc.name} on {page.name} and their status updates")
        out[path] = fg.atom_str(pretty=True)
    return out
