"""The webhook body: Statuspage's incident-update webhook JSON, so receivers written for Statuspage work.

`meta`, `page` (`id`, `status_indicator`, `status_description`) and
`incident`: the incident (or scheduled maintenance) as the API of the site
publishes it, as of the event, plus every field of Statuspage's documented
incident webhook object that the API does not carry (`organization_id`,
`scheduled_auto_transition`, the postmortem and Twitter fields...). Each
component in it carries the fields of Statuspage's documented component
webhook object (`id`, `name`, `status`, `created_at`).
"""

from __future__ import annotations

import json
from datetime import datetime

from incidents import REPOSITORY
from incidents.notify.moment import Moment
from incidents.publish.statuspage import timestamp

# The manual page that describes these messages, in this project's repository.
DOCUMENTATION = f"{REPOSITORY}/blob/main/manual/live-incidents.md#notifications-incidents-notify"

# Fields of Statuspage's incident webhook object beside the public API's (its documentation's example and
# recorded deliveries have them all). `None` values for what this project has no counterpart of.
_INCIDENT_EXTRA = {
    "backfilled": False,
    "impact_override": None,
    "postmortem_body": None,
    "postmortem_body_last_updated_at": None,
    "postmortem_ignored": False,
    "postmortem_notified_subscribers": False,
    "postmortem_notified_twitter": False,
    "postmortem_published_at": None,
    "scheduled_auto_transition": False,
    "scheduled_for": None,
    "scheduled_remind_prior": False,
    "scheduled_reminded_at": None,
    "scheduled_until": None,
    "scheduled_auto_in_progress": False,
    "scheduled_auto_completed": False,
    "organization_id": None,  # Statuspage's organization; a repository has none
}
_UPDATE_EXTRA = {"wants_twitter_update": False, "twitter_updated_at": None}


def _maintenance_flags(doc: dict) -> dict:
    """A window opens and closes with its times (or the clock): Statuspage's auto-transition flags are on."""
    if doc.get("impact") != "maintenance":
        return {}
    return {"scheduled_auto_transition": True, "scheduled_auto_in_progress": True, "scheduled_auto_completed": True}


def incident_object(moment: Moment, internal: bool) -> dict:
    doc = moment.record_doc()
    incident = {**doc}
    for key, value in {**_INCIDENT_EXTRA, **_maintenance_flags(doc)}.items():
        if key not in incident or key.startswith("scheduled_auto"):
            incident[key] = value
    incident["incident_updates"] = [{**u, **_UPDATE_EXTRA} for u in doc["incident_updates"]]
    if internal:
        incident["internal"] = moment.internal_fields()
    return incident


def webhook_body(moment: Moment, internal: bool, generated_at: datetime) -> bytes:
    body = {
        "meta": {
            "unsubscribe": moment.subscribe_url,
            "documentation": DOCUMENTATION,
            "generated_at": timestamp(generated_at),
        },
        "page": {
            "id": moment.page.id,
            "status_indicator": moment.indicator,
            "status_description": moment.description,
        },
        "incident": incident_object(moment, internal),
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
