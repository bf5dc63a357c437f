"""The internal site's action items page: every action item of every postmortem, for a weekly review.

Open items first (the overdue ones marked against the build's "now"), by owner
and due date; then the done and cancelled ones. A summary per owner says who has
how many open and overdue items and when their next one is due.
"""

from __future__ import annotations

from datetime import UTC, date

from incidents.mkdocs_plugin.labels import POSTMORTEM_STATUS_LABELS
from incidents.mkdocs_plugin.pages import SiteData

_LAST = date.max


def _row(data: SiteData, pm, item, today: date) -> dict:
    overdue_days = (today - item.due).days if item.status == "open" and item.due and item.due < today else 0
    inc = data.incident(pm.incident)
    return {
        "title": item.title,
        "link": item.link,
        "owner": item.owner or "",
        "due": item.due,
        "priority": item.priority or "",
        "status": item.status,
        "overdue_days": overdue_days,
        "incident_id": pm.incident,
        "incident_title": inc.title if inc is not None else "",
        "postmortem_src": f"postmortems/{pm.incident}.md",
        "postmortem_status": data.words.t(POSTMORTEM_STATUS_LABELS.get(pm.status, pm.status)),
    }


def action_items_context(data: SiteData) -> dict:
    today = data.now.astimezone(UTC).date()
    rows = [_row(data, pm, item, today) for pm in data.repo.postmortems for item in pm.action_items]

    def order(r):  # by owner (`@alice` beside `alice`; no owner last), then due date
        return r["owner"].casefold().lstrip("@") or "\uffff", r["due"] or _LAST, r["incident_id"]

    open_rows = sorted((r for r in rows if r["status"] == "open"), key=order)
    closed = sorted((r for r in rows if r["status"] != "open"), key=order)
    owners: dict[str, dict] = {}
    for r in open_rows:
        o = owners.setdefault(r["owner"], {"owner": r["owner"], "open": 0, "overdue": 0, "next_due": None})
        o["open"] += 1
        o["overdue"] += 1 if r["overdue_days"] else 0
        if r["due"] and (o["next_due"] is None or r["due"] < o["next_due"]):
            o["next_due"] = r["due"]
    by_owner = sorted(owners.values(), key=lambda o: (-o["overdue"], -o["open"], o["owner"].casefold()))
    return {
        "today": today,
        "open_items": open_rows,
        "closed_items": closed,
        "by_owner": by_owner,
        "overdue_count": sum(1 for r in open_rows if r["overdue_days"]),
        "total": len(rows),
    }
