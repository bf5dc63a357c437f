"""The policy page: each severity's targets, cadences, roles, escalation and postmortem rule, and the
policy-wide process rules (when they apply, tags, the working calendar), as people read them."""

from __future__ import annotations

from datetime import time

from incidents.mkdocs_plugin.pages import SiteData
from incidents.records.durations import format_duration


def policy_context(data: SiteData) -> dict:
    pol = data.policy
    severities = []
    for sev in pol.severities:
        targets = [
            (label, format_duration(value))
            for label, value in (
                ("Detect within", sev.detect_within),
                ("Acknowledge within", sev.acknowledge_within),
                ("First public update within", sev.first_update_within),
                ("Public updates at least every", sev.update_every),
                ("Internal timeline entries at least every", sev.internal_update_every),
                ("Monitor at least", sev.monitor_for),
                ("Resolve within", sev.resolve_within),
                ("Observe after resolving, then close, at least", sev.observe_for),
            )
            if value is not None
        ]
        if sev.public_updates == "optional":
            targets.append(("Public updates", "optional (no customer communication required)"))
        severities.append(
            {
                "sev": sev,
                "targets": targets,
                "escalation": [(format_duration(e.after), e.to) for e in sev.escalation],
                "postmortem": (
                    "required, due " + format_duration(sev.postmortem_due_within) + " after resolution"
                    if sev.postmortem_required and sev.postmortem_due_within is not None
                    else "required"
                    if sev.postmortem_required
                    else "not required"
                ),
            }
        )
    groups: dict = {}
    for svc in pol.services:
        groups.setdefault(svc.group or "", []).append(svc)
    return {
        "policy": pol,
        "severities": severities,
        "roles_for_tags": sorted(pol.roles_for_tags.items()),
        "process": _process_rules(pol),
        "service_groups": list(groups.items()),
    }


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _process_rules(pol) -> list[tuple[str, str]]:
    """The policy-wide rules as (label, text) rows: when the process applies, tags, the working calendar."""
    rows = []
    if pol.effective_from is not None:
        rows.append(("In force for incidents started on or after", pol.effective_from.isoformat()))
    if pol.postmortem_required_for_tags:
        rows.append(("Postmortem required for tags", ", ".join(pol.postmortem_required_for_tags)))
    if pol.postmortem_due_within is not None:
        rows.append(
            (
                "Postmortems required by tag are due",
                format_duration(pol.postmortem_due_within) + " after resolution (unless the severity says otherwise)",
            )
        )
    if pol.author_role:
        rows.append(("Postmortem author", pol.author_role.replace("_", " ")))
    cal = pol.calendar
    if cal is not None:
        days = ", ".join(_DAY_NAMES[d] for d in sorted(cal.working_days))
        end = "24:00" if cal.end == time.max else cal.end.strftime("%H:%M")
        hours = f"{cal.start.strftime('%H:%M')}-{end} {cal.timezone_name}, {days}"
        if cal.country:
            hours += f"; public holidays of {cal.country}" + (f"-{cal.subdivision}" if cal.subdivision else "")
        if cal.holiday_dates:
            hours += f"; {len(cal.holiday_dates)} listed holiday(s)"
        rows.append(("Business hours (for business durations)", hours))
    if pol.tags:
        rows.append(("Known tags", ", ".join(pol.tags)))
    return rows
