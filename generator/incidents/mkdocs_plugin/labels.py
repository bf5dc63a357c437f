"""The words for the records' enums, one vocabulary on every page (marked for the catalogs, translated
where they are shown): a service's or an incident's impact always reads as its badge does."""

from __future__ import annotations

from incidents.mkdocs_plugin.i18n import N_
from incidents.publish.words import INCIDENT_STATUS_LABELS, STATUS_LABELS

POSTMORTEM_STATUS_LABELS = {"draft": N_("Draft"), "in_review": N_("In review"), "published": N_("Published")}
LIFECYCLE_LABELS = {
    "started_at": N_("Impact started"),
    "detected_at": N_("Detected"),
    "acknowledged_at": N_("Acknowledged"),
    "identified_at": N_("Cause identified"),
    "mitigated_at": N_("Mitigated"),
    "resolved_at": N_("Resolved"),
}
ACTION_ITEM_STATUS_LABELS = {"open": N_("open"), "done": N_("done"), "cancelled": N_("cancelled")}
# The page's overall status (Statuspage's `status.description`, FORMAT.md section 8), as the banner says it.
PAGE_DESCRIPTIONS = {
    "All Systems Operational": N_("All Systems Operational"),
    "Minor Service Outage": N_("Minor Service Outage"),
    "Partially Degraded Service": N_("Partially Degraded Service"),
    "Partial System Outage": N_("Partial System Outage"),
    "Major System Outage": N_("Major System Outage"),
    "Service Under Maintenance": N_("Service Under Maintenance"),
}


def label(words, value: str) -> str:
    """Any status word (service, incident, maintenance, postmortem) in the site's language."""
    for table in (STATUS_LABELS, INCIDENT_STATUS_LABELS, POSTMORTEM_STATUS_LABELS):
        if value in table:
            return words.t(table[value])
    return value
