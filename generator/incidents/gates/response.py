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
from incidents.policy.severities import Severity, name_key
from incidents.records.durations import deadline, format_duration
from incidents.records.model import EscalationEntry, Incident
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
    """Each name of each `escalation` step (counted from `detected_at`) needs an `escalations` entry whose
    `to` (or one item of its list) is that whole name, at or before the step's time.

    Not reached while the step is due: `escalation-overdue` (open) or `escalation-missed` (resolved
    after the step's time); reached, but only after its time: `escalation-late`.
    """
    out: list[Finding] = []
    for step in sev.escalation:
        due = deadline(inc.detected_at, step.after)
        when = "at once" if step.after.total_seconds() == 0 else f"after {format_duration(step.after)}"
        missing: list[tuple[str, None]] = []
        late: list[tuple[str, EscalationEntry]] = []
        for name in step.names:
            reached = [e for e in inc.escalations if any(name_key(n) == name_key(name) for n in e.all_names)]
            if any(e.at <= due for e in reached):
                continue
            if reached:
                late.append((name, reached[0]))
            else:
                missing.append((name, None))
        if late:
            out.append(_escalation_late(inc, sev, step.to, when, due, late))
        if missing:
            out += _escalation_missing(inc, sev, step.to, when, due, [n for n, _ in missing], as_of)
    return out


def _escalation_late(inc: Incident, sev: Severity, step: str, when: str, due: datetime, late: list) -> Finding:
    first = late[0][1]
    names = ", ".join(f"{name} at {iso_utc(e.at)} ({ago(e.at - due)} late)" for name, e in late)
    return Finding(
        inc.path,
        first.line or inc.lines.of("escalations"),
        1,
        WARNING,
        "escalation-late",
        f"{inc.id}: severity `{sev.id}` escalates to {step} {when} (due {iso_utc(due)}); reached only later: {names}",
    )


def _escalation_missing(
    inc: Incident, sev: Severity, step: str, when: str, due: datetime, names: list[str], as_of: datetime
) -> list[Finding]:
    who = ", ".join(f"`{n}`" for n in names)
    if inc.is_open:
        if as_of <= due:
            return []
        first = names[0]
        return [
            Finding(
                inc.path,
                inc.lines.of("escalations" if inc.escalations else "detected_at"),
                1,
                ERROR,
                "escalation-overdue",
                f"{inc.id} is `{inc.status}` and severity `{sev.id}` escalates to {step} {when} (due "
                f"{iso_utc(due)}); no `escalations` entry names {who} (whole names count, not parts of them): "
                f'pull them in and record it (`incidents escalate {inc.id} --to "{first}"`)',
            )
        ]
    if inc.resolved_at is None or inc.resolved_at <= due:
        return []
    return [
        Finding(
            inc.path,
            inc.lines.of("escalations" if inc.escalations else "resolved_at"),
            1,
            WARNING,
            "escalation-missed",
            f"{inc.id} ran past severity `{sev.id}`'s escalation to {step} ({when}, due {iso_utc(due)}) "
            f"and no `escalations` entry names {who}",
        )
    ]


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
    end = None if inc.is_open else inc.resolved_at  # measured up to resolution (up to as-of while open)
    if end is not None:
        times = [(at, line) for at, line in times if at <= end]  # the observation after it is not the cadence
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
    if end is not None and end > deadline(previous, every):
        out.append(
            _silent_until_resolved(inc, sev_id, every, previous, previous_name, end, bool(times), what, gap_code)
        )
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


def _silent_until_resolved(
    inc: Incident,
    sev_id: str,
    every,
    previous: datetime,
    previous_name: str,
    end: datetime,
    any_entry: bool,
    what: str,
    code: str,
) -> Finding:
    """The gap from the last entry (or detection) to `resolved_at`: a past miss."""
    silent = f"nothing after {previous_name} ({iso_utc(previous)})" if any_entry else f"no {what} at all"
    return Finding(
        inc.path,
        inc.lines.of("resolved_at"),
        1,
        WARNING,
        code,
        f"{inc.id}: {ago(end - previous)} passed with {silent} before it was resolved "
        f"({iso_utc(end)}); severity `{sev_id}` asks for one every {format_duration(every)}",
    )


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
