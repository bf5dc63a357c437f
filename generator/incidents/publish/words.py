"""The English words for the records' status and impact values: one vocabulary for every output.

The site translates them (they are marked with `N_()` for its message catalogs, and the plugin's
`labels` shows them through the site's language); the feeds, the maintenance calendar and the
notifications use them as they are. A service's or an incident's impact always reads as its badge does.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marked for the catalogs, translated later
    return message


# A component's status: what an impact makes of it, or maintenance (FORMAT.md section 8).
STATUS_LABELS = {
    "operational": N_("Operational"),
    "degraded_performance": N_("Degraded performance"),
    "partial_outage": N_("Partial outage"),
    "major_outage": N_("Major outage"),
    "under_maintenance": N_("Under maintenance"),
}
# An incident's or a maintenance window's status (and an incident's closure after resolution).
INCIDENT_STATUS_LABELS = {
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "scheduled": N_("Scheduled"),
    "in_progress": N_("In progress"),
    "completed": N_("Completed"),
    "closed": N_("Closed"),  # resolved and closed (`closed_at`)
    "observing": N_("Under observation"),  # resolved, still watched (a severity's `observe_for`)
}
