"""The policy page: each severity's targets, cadences, roles, escalation and postmortem rule, and the
policy-wide process rules (when they apply, tags, the working calendar), as people read them."""

from __future__ import annotations

from datetime import time

from babel.dates import get_day_names

from incidents.mkdocs_plugin.pages import SiteData
from incidents.records.durations import format_duration


def policy_context(data: SiteData) -> dict:
    pol, w = data.policy, data.words
    severities = []
    for sev in pol.severities:
        targets = [
            (label, format_duration(value))
            for label, value in (
                (w._("Detect within"), sev.detect_within),
                (w._("Acknowledge within"), sev.acknowledge_within),
                (w._("First public update within"), sev.first_update_within),
                (w._("Public updates at least every"), sev.update_every),
                (w._("Internal timeline entries at least every"), sev.internal_update_every),
                (w._("Monitor at least"), sev.monitor_for),
                (w._("Resolve within"), sev.resolve_within),
                (w._("Observe after resolving, then close, at least"), sev.observe_for),
            )
            if value is not None
        ]
        if sev.public_updates == "optional":
            targets.append((w._("Public updates"), w._("optional (no customer communication required)")))
        severities.append(
            {
                "sev": sev,
                "targets": targets,
                "escalation": [(format_duration(e.after), e.to) for e in sev.escalation],
                "postmortem": (
                    w._(
                        "required, due %(duration)s after resolution",
                        duration=format_duration(sev.postmortem_due_within),
                    )
                    if sev.postmortem_required and sev.postmortem_due_within is not None
                    else w._("required")
                    if sev.postmortem_required
                    else w._("not required")
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
        "process": _process_rules(pol, w),
        "service_groups": list(groups.items()),
    }


def _process_rules(pol, w) -> list[tuple[str, str]]:
    """The policy-wide rules as (label, text) rows: when the process applies, tags, the working calendar."""
    rows = []
    if pol.effective_from is not None:
        rows.append((w._("In force for incidents started on or after"), w.date(pol.effective_from)))
    if pol.postmortem_required_for_tags:
        rows.append((w._("Postmortem required for tags"), ", ".join(pol.postmortem_required_for_tags)))
    if pol.postmortem_due_within is not None:
        due = format_duration(pol.postmortem_due_within)
        rows.append(
            (
                w._("Postmortems required by tag are due"),
                w._("%(duration)s after resolution (unless the severity says otherwise)", duration=due),
            )
        )
    if pol.author_role:
        rows.append((w._("Postmortem author"), pol.author_role.replace("_", " ")))
    if pol.calendar is not None:
        rows.append((w._("Business hours (for business durations)"), _business_hours(pol.calendar, w)))
    if pol.tags:
        rows.append((w._("Known tags"), ", ".join(pol.tags)))
    return rows


def _business_hours(cal, w) -> str:
    days = ", ".join(get_day_names("wide", locale=w.locale)[d] for d in sorted(cal.working_days))
    end = "24:00" if cal.end == time.max else cal.end.strftime("%H:%M")
    hours = f"{cal.start.strftime('%H:%M')}-{end} {cal.timezone_name}, {days}"
    if cal.country:
        region = cal.country + (f"-{cal.subdivision}" if cal.subdivision else "")
        hours += "; " + w._("public holidays of %(region)s", region=region)
    if cal.holiday_dates:
        hours += "; " + w._("%(count)s listed holiday(s)", count=len(cal.holiday_dates))
    return hours
