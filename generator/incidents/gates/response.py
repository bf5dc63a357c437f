"""The response gates of `incidents check`: acknowledgement, escalation, cadences, `monitor_for`.

One rule throughout (contract section 7): an obligation due now and not met
is an error; a miss in the past is a warning. Every due time is
`durations.deadline(start, target)`: real elapsed time for plain durations,
working time of the policy's calendar for business durations. Exactly at the
deadline is still in time.
"""

from __future__ import annotations

from datetime import datetime

from incidents.findings import ERROR, WARNING, Finding
from incidents.gates.postmortem import ago
from incidents.policy.policy_file import Severity
from incidents.records.durations import deadline, format_duration
from incidents.records.model import Incident
from incidents.records.timestamps import iso_utc


def ack_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    target = sev.acknowledge_within
    if target is None:
        return []
    due = deadline(inc.detected_at, target)
    want = f"severity `{sev.id}` asks for acknowledgement within {format_duration(target)} of detection"
    if inc.acknowledged_at is not None:
        if inc.acknowledged_at > due:
            return [
                Finding(
                    inc.path,
                    inc.lines.of("acknowledged_at"),
                    1,
                    WARNING,
                    "ack-late",
                    f"{inc.id} was acknowledged {ago(inc.acknowledged_at - inc.detected_at)} after detection "
                    f"({iso_utc(inc.acknowledged_at)}, due {iso_utc(due)}); {want}",
                )
            ]
        return []
    if inc.is_open and as_of > due:
        return [
            Finding(
                inc.path,
                inc.lines.of("detected_at"),
                1,
                ERROR,
                "ack-overdue",
                f"{inc.id} is open and not acknowledged {ago(as_of - inc.detected_at)} after detection "
                f"(due {iso_utc(due)}); {want}: acknowledge it (`incidents ack {inc.id}`)",
            )
        ]
    return []


def escalation_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    """Each `escalation` step reached (from `detected_at`) needs an `escalations` entry naming its `to`."""
    out: list[Finding] = []
    for step in sev.escalation:
        due = deadline(inc.detected_at, step.after)
        if any(step.named_by(e.to) for e in inc.escalations):
            continue
        when = "at once" if step.after.total_seconds() == 0 else f"after {format_duration(step.after)}"
        if inc.is_open:
            if as_of > due:
                out.append(
                    Finding(
                        inc.path,
                        inc.lines.of("escalations" if inc.escalations else "detected_at"),
                        1,
                        ERROR,
                        "escalation-overdue",
                        f"{inc.id} is `{inc.status}` and severity `{sev.id}` escalates to {step.to} {when} (due "
                        f"{iso_utc(due)}); no `escalations` entry names them: pull them in and record it "
                        f'(`incidents escalate {inc.id} --to "{step.to}"`)',
                    )
                )
        elif inc.resolved_at is not None and inc.resolved_at > due:
            out.append(
                Finding(
                    inc.path,
                    inc.lines.of("escalations" if inc.escalations else "resolved_at"),
                    1,
                    WARNING,
                    "escalation-missed",
                    f"{inc.id} ran past severity `{sev.id}`'s escalation to {step.to} ({when}, due {iso_utc(due)}) "
                    "and no `escalations` entry names them",
                )
            )
    return out


def _cadence(
    inc: Incident,
    sev_id: str,
    every,
    times: list[tuple[datetime, int]],
    as_of: datetime,
    *,
    what: str,
    gap_code: str,
    overdue_code: str,
    key: str,
    hint: str,
) -> list[Finding]:
    """Gaps between `detected_at` and each entry in `times` ((at, line) pairs), and the open gap to as-of."""
    out: list[Finding] = []
    previous, previous_name = inc.detected_at, "detection"
    for n, (at, line) in enumerate(times, 1):
        if at > deadline(previous, every):
            out.append(
                Finding(
                    inc.path,
                    line or inc.lines.of(key),
                    1,
                    WARNING,
                    gap_code,
                    f"{inc.id}: {ago(at - previous)} passed between {previous_name} ({iso_utc(previous)}) and "
                    f"{what} {n} ({iso_utc(at)}); severity `{sev_id}` asks for one every {format_duration(every)}",
                )
            )
        previous, previous_name = at, f"{what} {n}"
    if inc.is_open and as_of > deadline(previous, every):
        line = times[-1][1] if times and times[-1][1] else inc.lines.of(key if times else "detected_at")
        last = f"last {what}" if times else f"detection (no {what} yet)"
        out.append(
            Finding(
                inc.path,
                line,
                1,
                ERROR,
                overdue_code,
                f"{inc.id} is `{inc.status}` and its {last} was {ago(as_of - previous)} ago ({iso_utc(previous)}); "
                f"severity `{sev_id}` asks for {what}s every {format_duration(every)}: {hint}",
            )
        )
    return out


def cadence_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    out: list[Finding] = []
    if inc.is_public and sev.public_updates == "required":
        out += _first_update_gates(inc, sev, as_of)
        if sev.update_every is not None:
            out += _cadence(
                inc,
                sev.id,
                sev.update_every,
                [(u.at, u.line) for u in inc.updates],
                as_of,
                what="public update",
                gap_code="update-gap",
                overdue_code="update-overdue",
                key="updates",
                hint=f"post one (`incidents update {inc.id} ...`)",
            )
    if sev.internal_update_every is not None:
        out += _cadence(
            inc,
            sev.id,
            sev.internal_update_every,
            [(t.at, t.line) for t in inc.timeline],
            as_of,
            what="timeline entry",
            gap_code="timeline-gap",
            overdue_code="timeline-overdue",
            key="timeline",
            hint=f"log one (`incidents timeline {inc.id} --event ...`)",
        )
    return out


def _first_update_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    first_within = sev.first_update_within
    if first_within is None:
        return []
    due = deadline(inc.detected_at, first_within)
    if inc.updates:
        first = inc.updates[0]
        if first.at > due:
            level = ERROR if inc.is_open else WARNING
            return [
                Finding(
                    inc.path,
                    first.line or inc.lines.of("updates"),
                    1,
                    level,
                    "first-update-late",
                    f"{inc.id}: the first public update came {ago(first.at - inc.detected_at)} after detection "
                    f"({iso_utc(first.at)}); severity `{sev.id}` asks for one within {format_duration(first_within)}",
                )
            ]
    elif inc.is_open and as_of > due:
        return [
            Finding(
                inc.path,
                inc.lines.of("detected_at"),
                1,
                ERROR,
                "first-update-late",
                f"{inc.id}: no public update {ago(as_of - inc.detected_at)} after detection; severity "
                f"`{sev.id}` asks for one within {format_duration(first_within)}",
            )
        ]
    return []


def monitoring_since(inc: Incident) -> datetime | None:
    """When the incident last entered `monitoring` before it was resolved (its final stretch of monitoring).

    From its updates; else `mitigated_at` (an internal incident may have no updates).
    """
    start = None
    for u in reversed(inc.updates):
        if u.status == "resolved" and start is None:
            continue
        if u.status != "monitoring":
            break
        start = u.at
    if start is None and not any(u.status == "monitoring" for u in inc.updates):
        start = inc.mitigated_at
    return start


def monitor_gates(inc: Incident, sev: Severity) -> list[Finding]:
    """Resolving sooner than `monitor_for` after entering monitoring: a warning (a past miss)."""
    target = sev.monitor_for
    if target is None or inc.resolved_at is None:
        return []
    since = monitoring_since(inc)
    want = f"severity `{sev.id}` asks for {format_duration(target)} of monitoring before closing"
    if since is None:
        return [
            Finding(
                inc.path,
                inc.lines.of("resolved_at"),
                1,
                WARNING,
                "monitor-short",
                f"{inc.id} was resolved without a period of `monitoring`; {want}",
            )
        ]
    if inc.resolved_at < deadline(since, target):
        return [
            Finding(
                inc.path,
                inc.lines.of("resolved_at"),
                1,
                WARNING,
                "monitor-short",
                f"{inc.id} was resolved {ago(inc.resolved_at - since)} after entering monitoring "
                f"({iso_utc(since)}); {want}",
            )
        ]
    return []
