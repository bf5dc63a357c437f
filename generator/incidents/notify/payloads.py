"""What each channel type receives for one event.

* webhook: Statuspage's incident-update webhook JSON (notify.webhook);
* slack: a Slack-compatible incoming-webhook message, `text` + `blocks` (notify.slack);
* email: `[<Status>] <title>`, a text and an HTML part, threaded per record (notify.mail).

Every body is built from the event as of its own time (notify.moment), with
links that start with the site's absolute address. Public channels get public
text only; `audience: internal` channels also get internal incidents and an
`internal` block (severity, roles, tags).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from incidents.notify.events import Event
from incidents.notify.mail import email_message
from incidents.notify.moment import Moment
from incidents.notify.slack import slack_body
from incidents.notify.webhook import webhook_body
from incidents.policy.notify_file import Channel
from incidents.publish.statuspage import PageInfo


class Payloads:
    """Builds every channel's body for the events of one run (`now`: when the messages are generated)."""

    def __init__(self, page: PageInfo, names: dict[str, str], now: datetime):
        self.page, self.names, self.now = page, names, now.astimezone(UTC)
        self._moments: dict[str, Moment] = {}

    def moment(self, ev: Event) -> Moment:
        key = f"{ev.id}@{ev.commit}"
        if key not in self._moments:
            self._moments[key] = Moment(ev, self.page, self.names)
        return self._moments[key]

    def webhook(self, ev: Event, internal: bool) -> bytes:
        return webhook_body(self.moment(ev), internal, self.now)

    def slack(self, ev: Event, internal: bool) -> bytes:
        return slack_body(self.moment(ev), internal)

    def email(self, ev: Event, internal: bool, channel: Channel) -> EmailMessage:
        return email_message(self.moment(ev), internal, channel, self.now)
