"""The `subscribe/` page: how to follow the status (site feeds, a feed per service, the maintenance calendar,
the API, and the site's own `subscribe_text`, e.g. a mailing list to join). No MkDocs here."""

from __future__ import annotations

from incidents.publish.service_feeds import service_feed_path

SUBSCRIBE_SRC = "subscribe/index.md"
SUBSCRIBE_PAGE = (SUBSCRIBE_SRC, "subscribe", "Subscribe", "all")  # an INDEX_PAGES entry: every site
TEMPLATE = "incidents/subscribe.html"


def subscribe_context(data, subscribe_text: str | None) -> dict:
    groups: dict[str, list[dict]] = {}
    for svc in data.policy.services:
        groups.setdefault(svc.group or "", []).append(
            {"id": svc.id, "name": svc.name, "feed": service_feed_path(svc.id)}
        )
    return {
        "subscribe_text": subscribe_text or "",
        "service_groups": list(groups.items()),
    }
