"""The Slack-compatible incoming-webhook message: `text` (the notification's fallback) and `blocks`.

Every piece of record text is escaped in both (`&`, `<`, `>`), so no record can
ping `<!channel>` or disguise a link as `<https://evil.example|Reset your password>`.
"""

from __future__ import annotations

import json

from incidents.notify.moment import Moment


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _facts(moment: Moment, internal: bool) -> list[str]:
    facts = [f"Affected: {esc(moment.services)}"]
    if moment.window:
        facts.append(f"Window: {moment.window}")
    if internal:
        extra = moment.internal_fields()
        if moment.ev.is_incident:
            roles = ", ".join(f"{k}: {v}" for k, v in extra["roles"].items())
            facts.append(f"Severity: {esc(extra['severity'])}" + (f" · Roles: {esc(roles)}" if roles else ""))
        if moment.ev.internal:
            facts.append("Internal record: not on the public status page")
    return facts


def slack_body(moment: Moment, internal: bool) -> bytes:
    title, label, message = esc(moment.title), moment.label, esc(moment.message)
    lines = [f"*<{moment.url}|{title}>*", f"*{label}*: {message}" if message else f"*{label}*"]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f} for f in _facts(moment, internal)]
            + [{"type": "mrkdwn", "text": f"{moment.when} · {moment.ev.kind}"}],
        },
    ]
    text = f"[{label}] {title}: {message}" if message else f"[{label}] {title}"
    return json.dumps({"text": text, "blocks": blocks}, ensure_ascii=False).encode("utf-8")
