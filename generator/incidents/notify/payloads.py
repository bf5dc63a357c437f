"""What each channel type receives for one event.

* webhook: Statuspage's incident-update webhook JSON (`meta`, `page` with
  `status_indicator` and `status_description`, `incident` as the API of
  section 8 publishes it, plus the webhook-only fields Statuspage sends), so
  receivers written for Statuspage work unchanged;
* slack: a Slack-compatible incoming-webhook message (`text` + `blocks`);
* email: `[<Status>] <title>`, a text and an HTML part, threaded per record.

Public channels get public text only; `audience: internal` channels also get
internal incidents and an `internal` block (severity, roles, tags).
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from incidents.notify.events import Event
from incidents.publish.status import page_status
from incidents.publish.statuspage import PageInfo, _Api, timestamp

STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "completed": "Completed",
}
IMPACT_WORDS = {
    "degraded_performance": "degraded performance",
    "partial_outage": "partial outage",
    "major_outage": "major outage",
}
DOCUMENTATION = "https://pypi.org/project/incident-as-code/"

# Fields Statuspage's webhooks carry besides the public API's (a recorded payload has them all).
_WEBHOOK_INCIDENT_EXTRA = {
    "postmortem_ignored": False,
    "postmortem_body": None,
    "postmortem_body_last_updated_at": None,
    "postmortem_published_at": None,
    "postmortem_notified_subscribers": False,
    "postmortem_notified_twitter": False,
    "backfilled": False,
    "scheduled_for": None,
    "scheduled_until": None,
    "scheduled_remind_prior": False,
    "scheduled_reminded_at": None,
    "impact_override": None,
    "scheduled_auto_in_progress": False,
    "scheduled_auto_completed": False,
}
_WEBHOOK_UPDATE_EXTRA = {"wants_twitter_update": False, "twitter_updated_at": None}


class Payloads:
    """Builds every channel's body for events of one run (one snapshot, one "now")."""

    def __init__(self, repo, now: datetime, page: PageInfo):
        self.repo = repo
        self.now = now.astimezone(UTC)
        self.page = page
        self.api = _Api(repo, self.now, page)
        status = page_status(repo, self.now)
        self.indicator, self.description = status.indicator, status.description
        self.names = {s.id: s.name for s in repo.policy.services}

    # -- shared words ------------------------------------------------------------------------
    def status_of(self, ev: Event) -> str:
        if ev.kind == "maintenance.started":
            return "in_progress"
        if ev.kind == "maintenance.completed":
            return "completed"
        if ev.kind == "incident.resolved":
            return "resolved"
        upd = ev.update
        return upd.status if upd is not None else ev.record.status

    def label(self, ev: Event) -> str:
        status = self.status_of(ev)
        return STATUS_LABELS.get(status, status)

    def message(self, ev: Event) -> str:
        if ev.kind == "maintenance.started" and (ev.update is None or ev.update.status != "in_progress"):
            return "The scheduled maintenance is now in progress."
        if ev.kind == "maintenance.completed" and (ev.update is None or ev.update.status != "completed"):
            return "The scheduled maintenance has been completed."
        upd = ev.update
        return upd.message if upd is not None else ""

    def url(self, ev: Event) -> str:
        return f"{self.page.base}incidents/{ev.record.id}/" if ev.is_incident else self.page.base

    def services(self, ev: Event) -> str:
        rec = ev.record
        if ev.is_incident:
            return ", ".join(
                f"{self.names.get(s, s)} ({IMPACT_WORDS.get(rec.impact.get(s, ''), 'affected')})" for s in rec.services
            )
        return ", ".join(self.names.get(s, s) for s in rec.services)

    def when(self, ev: Event) -> str:
        return ev.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    def window(self, ev: Event) -> str | None:
        if ev.is_incident:
            return None
        m = ev.record
        fmt = "%Y-%m-%d %H:%M"
        return (
            f"{m.scheduled_start.astimezone(UTC).strftime(fmt)} to {m.scheduled_end.astimezone(UTC).strftime(fmt)} UTC"
        )

    @staticmethod
    def internal_fields(ev: Event) -> dict:
        rec = ev.record
        out = {"visibility": rec.visibility}
        if ev.is_incident:
            out.update(severity=rec.severity, roles=dict(rec.roles), tags=list(rec.tags))
        return out

    # -- webhook -----------------------------------------------------------------------------
    def webhook(self, ev: Event, internal: bool) -> bytes:
        if ev.is_incident:
            doc = self.api.incident(ev.record)
        else:
            doc = self.api.maintenance(ev.record)
            doc["status"] = ev.record.status if ev.kind != "maintenance.scheduled" else doc["status"]
        incident = dict(doc)
        for key, value in _WEBHOOK_INCIDENT_EXTRA.items():
            incident.setdefault(key, value)
        incident["incident_updates"] = [{**u, **_WEBHOOK_UPDATE_EXTRA} for u in doc["incident_updates"]]
        if internal:
            incident["internal"] = self.internal_fields(ev)
        body = {
            "meta": {
                "unsubscribe": f"{self.page.base}subscribe/",
                "documentation": DOCUMENTATION,
                "generated_at": timestamp(self.now),
            },
            "page": {
                "id": self.page.id,
                "status_indicator": self.indicator,
                "status_description": self.description,
            },
            "incident": incident,
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    # -- slack -------------------------------------------------------------------------------
    def slack(self, ev: Event, internal: bool) -> bytes:
        def esc(text: str) -> str:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        title, label, message = ev.record.title, self.label(ev), self.message(ev)
        lines = [f"*<{self.url(ev)}|{esc(title)}>*", f"*{label}*: {esc(message)}" if message else f"*{label}*"]
        facts = [f"Affected: {esc(self.services(ev))}"]
        window = self.window(ev)
        if window:
            facts.append(f"Window: {window}")
        if internal:
            extra = self.internal_fields(ev)
            if ev.is_incident:
                roles = ", ".join(f"{k}: {v}" for k, v in extra["roles"].items())
                facts.append(f"Severity: {esc(extra['severity'])}" + (f" · Roles: {esc(roles)}" if roles else ""))
            if ev.internal:
                facts.append("Internal record: not on the public status page")
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f} for f in facts]
                + [{"type": "mrkdwn", "text": f"{self.when(ev)} · {ev.kind}"}],
            },
        ]
        text = f"[{label}] {title}: {message}" if message else f"[{label}] {title}"
        return json.dumps({"text": text, "blocks": blocks}, ensure_ascii=False).encode("utf-8")

    # -- email -------------------------------------------------------------------------------
    def email(self, ev: Event, internal: bool, sender: str, to: tuple[str, ...]) -> EmailMessage:
        domain = sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
        kind = "incident" if ev.is_incident else "maintenance"
        root = f"<{kind}.{ev.record.id}@{domain}>"
        msg = EmailMessage()
        msg["Subject"] = f"[{self.label(ev)}] {ev.record.title}"
        msg["From"] = sender
        msg["To"] = ", ".join(to)
        msg["Date"] = format_datetime(self.now)
        first = ev.kind in ("incident.created", "maintenance.scheduled")
        msg["Message-ID"] = root if first else f"<{ev.id.replace(':', '.')}@{domain}>"
        if not first:
            msg["In-Reply-To"] = root
            msg["References"] = root
        msg["X-Incidents-Event"] = ev.kind
        msg["X-Incidents-Event-Id"] = ev.id
        rows = [("Status", self.label(ev)), ("Affected", self.services(ev))]
        if self.window(ev):
            rows.append(("Window", self.window(ev)))
        rows.append(("Posted", self.when(ev)))
        if internal and ev.is_incident:
            extra = self.internal_fields(ev)
            rows.append(("Severity", extra["severity"]))
            if extra["roles"]:
                rows.append(("Roles", ", ".join(f"{k}: {v}" for k, v in extra["roles"].items())))
        if internal and ev.internal:
            rows.append(("Visibility", "internal (not on the public status page)"))
        message = self.message(ev)
        text = "\n".join(
            [
                ev.record.title,
                "",
                message,
                "",
                *(f"{k}: {v}" for k, v in rows),
                "",
                f"Details: {self.url(ev)}",
                f"Subscribe or unsubscribe: {self.page.base}subscribe/",
                "",
            ]
        )
        e = html.escape
        table = "".join(f'<tr><th align="left">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
        paragraphs = "".join(f"<p>{e(p)}</p>" for p in message.split("\n\n") if p.strip())
        body = (
            f"<!DOCTYPE html><html><body><h1>{e(ev.record.title)}</h1>{paragraphs}<table>{table}</table>"
            f'<p><a href="{e(self.url(ev))}">Details on the status page</a></p></body></html>'
        )
        msg.set_content(text)
        msg.add_alternative(body, subtype="html")
        return msg
