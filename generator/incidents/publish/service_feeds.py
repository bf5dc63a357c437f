"""`history/<service id>.atom`: one Atom feed per service of the catalogue, its public incidents only.

The same feed as `history.atom` (publish/feeds.py builds it), narrowed to the
incidents that name the service, with its own id, title and self link, so a
customer who depends on one service follows that service alone.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from incidents.publish.feeds import _feed, _same
from incidents.publish.statuspage import PageInfo


def service_feed_path(service_id: str) -> str:
    return f"history/{service_id}.atom"


def service_feeds(
    repo, now: datetime, page: PageInfo, hidden_ids: frozenset[str] = frozenset(), language: str = "en", _=_same
) -> dict[str, bytes]:
    """Every `history/<service id>.atom` -> its bytes. Internal incidents (and `hidden_ids`, the ones an
    internal build shows as public) never appear."""
    out: dict[str, bytes] = {}
    public = [inc for inc in repo.incidents if inc.is_public and inc.id not in hidden_ids]
    for svc in repo.policy.services:
        view = dataclasses.replace(repo, incidents=tuple(i for i in public if svc.id in i.services))
        path = service_feed_path(svc.id)
        fg = _feed(view, now, page, path, language, _)
        fg.id(page.base + path)
        names = {"name": page.name, "service": svc.name}
        fg.title(_("%(name)s - %(service)s incident history") % names)
        fg.subtitle(_("Incidents affecting %(service)s on %(name)s and their status updates") % names)
        fg.description(_("Incidents affecting %(service)s on %(name)s and their status updates") % names)
        out[path] = fg.atom_str(pretty=True)
    return out
