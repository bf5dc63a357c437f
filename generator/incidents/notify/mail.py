"""The email: `[<Status>] <title>`, a text and an HTML part, threaded per record.

Header text is folded first (CR, LF and every other control character become
spaces), so no title can add a header or stop the message from being built.
Every message says it was sent by a machine (`Auto-Submitted: auto-generated`,
RFC 3834) and, when the channel names an `unsubscribe` URL or address, how to
leave the list (`List-Unsubscribe`, RFC 2369).
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from incidents.notify.moment import Moment
from incidents.policy.notify_file import Channel

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def fold(text: str) -> str:
    """One header line: control characters (CR and LF included) become spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def list_unsubscribe(target: str) -> str:
    if target.lower().startswith(("http://", "https://")):
        return f"<{target}>"
    return f"<mailto:{target.removeprefix('mailto:')}>"


def _rows(moment: Moment, internal: bool) -> list[tuple[str, str]]:
    rows = [("Status", moment.label), ("Affected", moment.services)]
    if moment.window:
        rows.append(("Window", moment.window))
    rows.append(("Posted", moment.when))
    if internal and moment.ev.is_incident:
        extra = moment.internal_fields()
        rows.append(("Severity", extra["severity"]))
        if extra["roles"]:
            rows.append(("Roles", ", ".join(f"{k}: {v}" for k, v in extra["roles"].items())))
    if internal and moment.ev.internal:
        rows.append(("Visibility", "internal (not on the public status page)"))
    return rows


def _headers(msg: EmailMessage, moment: Moment, channel: Channel, date: datetime) -> None:
    ev = moment.ev
    sender = fold(channel.sender or "")
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    kind = "incident" if ev.is_incident else "maintenance"
    root = f"<{kind}.{ev.record.id}@{domain}>"
    msg["Subject"] = fold(f"[{moment.label}] {moment.title}")
    msg["From"] = sender
    msg["To"] = ", ".join(fold(a) for a in channel.to)
    msg["Date"] = format_datetime(date)
    first = ev.kind in ("incident.created", "maintenance.scheduled")
    msg["Message-ID"] = root if first else f"<{ev.id.replace(':', '.')}@{domain}>"
    if not first:
        msg["In-Reply-To"] = root
        msg["References"] = root
    msg["Auto-Submitted"] = "auto-generated"
    if channel.unsubscribe:
        msg["List-Unsubscribe"] = list_unsubscribe(fold(channel.unsubscribe))
    msg["X-Incidents-Event"] = ev.kind
    msg["X-Incidents-Event-Id"] = ev.id


def email_message(moment: Moment, internal: bool, channel: Channel, date: datetime) -> EmailMessage:
    msg = EmailMessage()
    _headers(msg, moment, channel, date)
    rows = _rows(moment, internal)
    message = moment.message
    text = "\n".join(
        [
            moment.title,
            "",
            message,
            "",
            *(f"{k}: {v}" for k, v in rows),
            "",
            f"Details: {moment.url}",
            f"Subscribe or unsubscribe: {moment.subscribe_url}",
            "",
        ]
    )
    e = html.escape
    table = "".join(f'<tr><th align="left">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in message.split("\n\n") if p.strip())
    body = (
        f"<!DOCTYPE html><html><body><h1>{e(moment.title)}</h1>{paragraphs}<table>{table}</table>"
        f'<p><a href="{e(moment.url)}">Details on the status page</a></p></body></html>'
    )
    msg.set_content(text)
    msg.add_alternative(body, subtype="html")
    return msg
