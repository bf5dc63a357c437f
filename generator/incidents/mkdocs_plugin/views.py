"""Each generated page kind -> its template context and the text the search index reads."""

from __future__ import annotations

from markupsafe import Markup

from incidents.mkdocs_plugin.actionitems import action_items_context
from incidents.mkdocs_plugin.pages import (
    SiteData,
    history_context,
    incident_context,
    maintenance_view,
    metrics_context,
    postmortem_context,
    postmortems_context,
)
from incidents.mkdocs_plugin.policy_page import policy_context
from incidents.mkdocs_plugin.status_page import status_context


def _incident_search_text(inc: dict, body: Markup) -> Markup:
    head = Markup("<p>{} · {} · {} · {} · {}</p>").format(
        inc["id"], inc["title"], inc["severity"], inc["status_label"], ", ".join(s["name"] for s in inc["services"])
    )
    updates = Markup("<p>{}</p>").format(" ".join(u.message for u in inc["updates"]))
    return head + updates + body


def page_context(data: SiteData, kind: str, obj, render_md) -> tuple[dict, Markup | None]:
    search = None
    if kind == "status":
        context = status_context(data)
    elif kind == "incident":
        context = incident_context(data, obj)
        body = render_md(context["incident"]["body"])  # empty on a public site: the body is internal
        context["incident"]["body_html"] = body
        search = _incident_search_text(context["incident"], body)
    elif kind == "postmortem":
        context = postmortem_context(data, obj)
        body = render_md(obj.body)
        context["body_html"] = body
        search = (
            Markup("<p>{} {}: {} · {}</p>").format(
                context["title"], obj.incident, context["incident"]["title"], ", ".join(obj.authors)
            )
            + body
        )
    elif kind == "maintenance":
        context = {"maintenance": maintenance_view(data, obj)}
    elif kind == "postmortems":
        context = postmortems_context(data)
    elif kind == "history":
        context = history_context(data)
        count = sum(len(m["incidents"]) for m in context["months"])
        search = Markup("<p>Incident history: {} incidents by month, and maintenance.</p>").format(count)
    elif kind == "policy":
        context = policy_context(data)
    elif kind == "action_items":
        context = action_items_context(data)
    else:
        from incidents.metrics import figures as metrics
        from incidents.mkdocs_plugin import charts

        context = metrics_context(data, metrics.compute, charts)
    return context, search
