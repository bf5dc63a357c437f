"""`incidents ingest SOURCE`: one payload in, internal incidents and timeline entries out (manual: detection.md).

- a firing group with no open record of its `source` creates one (internal, investigating, detected at
  `at`, started at the earliest `startsAt`, one timeline entry per alert);
- later payloads of the group append the entries not yet there (idempotent by source, fingerprint and time);
- PagerDuty's acknowledgement sets `acknowledged_at` once;
- nothing here ever resolves an incident: a resolved alert is a timeline entry, a person resolves.

Every write goes through `write` (checked, atomic, locked); one ingest at a time per checkout (a lock
on `incidents/.ingest`), so two payloads of one group never create two records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.authoring.checks import load
from incidents.authoring.lock import locked
from incidents.authoring.yamltext import timestamp
from incidents.ingest import IngestError
from incidents.ingest.mapping import Group, groups_of, service_of, severity_of
from incidents.ingest.payloads import Alert, Payload, clean, parse_payload
from incidents.ingest.write import ACK_HELD, Entry, NewRecord, append, create, find_by_source, next_source_id
from incidents.policy.ingest_file import load_ingest_config
from incidents.records.model import IMPACTS

SYSTEM_NAMES = {"alertmanager": "Alertmanager", "grafana": "Grafana", "pagerduty": "PagerDuty", "generic": "Alert"}


@dataclass
class Outcome:
    action: str  # created | updated | unchanged | ignored
    incident_id: str | None = None
    path: str | None = None
    entries: int = 0
    note: str = ""

    def line(self) -> str:
        entries = f"{self.entries} timeline entr{'y' if self.entries == 1 else 'ies'}"
        if self.action == "created":
            return f"created {self.incident_id} ({self.path}) with {entries}"
        if self.action == "updated":
            return f"updated {self.incident_id} ({self.path}): {entries.replace(' timeline', ' new timeline')}"
        if self.action == "unchanged":
            return f"unchanged {self.incident_id} ({self.path}): nothing new"
        return f"ignored: {self.note}"


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [o.path for o in self.outcomes if o.action in ("created", "updated") and o.path]


def ingest(root: Path, system: str, data: bytes, at: datetime, *, dry_run: bool = False) -> Result:
    """Record one payload of `system` received at `at`. Raises IngestError / AuthoringError; nothing half-written."""
    [result] = ingest_batch(root, [(system, data)], at, dry_run=dry_run)
    if isinstance(result, Exception):
        raise result
    return result


@dataclass
class _Pending:
    """What a batch says about one record (one source): its alerts, entries and acknowledgement."""

    payload: Payload
    group: Group
    entries: dict[str, Entry] = field(default_factory=dict)
    ack: datetime | None = None
    can_create: bool = False
    items: list[int] = field(default_factory=list)


def ingest_batch(
    root: Path, items: list[tuple[str, bytes]], at: datetime, *, dry_run: bool = False
) -> list[Result | IngestError | AuthoringError]:
    """Record several payloads received at `at` (the receiver's waiting requests): the policy is read
    once and each record is written once, with the entries of every payload about it. One result per
    item, in order: its outcomes, or the error that refused it (an item is refused whole, before
    anything is written for it)."""
    root, loaded = load(root)
    policy = loaded.policy
    config = load_ingest_config(root, tuple(policy.severity_ids), tuple(policy.service_ids))
    if not config.ok:
        raise IngestError(
            "policy/ingest.yml has errors (`incidents validate` lists them); nothing was written",
            [f for f in config.findings if f.level == "error"],
        )
    at = at.astimezone(UTC).replace(microsecond=0)
    results: list[Result | IngestError | AuthoringError] = [Result() for _ in items]
    pending: dict[tuple[str, str], _Pending] = {}
    for index, (system, data) in enumerate(items):
        try:
            _collect(index, system, data, config, policy, results, pending)
        except (IngestError, AuthoringError) as exc:
            results[index] = exc
    if not pending:
        return results
    (root / "incidents").mkdir(exist_ok=True)
    with locked(root / "incidents" / ".ingest", what="another ingest"):
        for item in pending.values():
            live = [i for i in item.items if isinstance(results[i], Result)]
            if not live:
                continue
            try:
                outcome = _apply(root, loaded, item, at, dry_run)
            except (IngestError, AuthoringError) as exc:
                for i in live:
                    results[i] = exc
                continue
            for i in live:
                result = results[i]
                if isinstance(result, Result):
                    result.outcomes.append(outcome)
    return results


def _collect(index: int, system: str, data: bytes, config, policy, results, pending) -> None:
    """Read one payload into `pending`; refuse it (IngestError) before anything is written."""
    payload = parse_payload(system, data)
    result = results[index]
    if not payload.alerts:
        result.outcomes.append(Outcome("ignored", note=f"nothing to record in a `{payload.event or system}` event"))
        return
    groups = groups_of(payload, config)
    if not groups:
        result.outcomes.append(Outcome("ignored", note="no alert matches a source of policy/ingest.yml"))
        return
    mine = []
    for group in groups:
        for alert in group.firing:  # an alert naming no known service is refused now, not half-way
            service_of(alert, group.mapping, tuple(policy.service_ids))
        mine.append(group)
    for group in mine:
        item = pending.setdefault(
            (system, group.source_id), _Pending(payload, Group(group.source_id, group.mapping, []))
        )
        item.group.alerts.extend(a for a in group.alerts if a not in item.group.alerts)
        for entry in _entries(payload, group):
            item.entries.setdefault(entry.key, entry)
        if payload.event == "incident.acknowledged" and payload.occurred_at is not None:
            item.ack = min(item.ack, payload.occurred_at) if item.ack else payload.occurred_at
        if group.firing and payload.event in (None, "incident.triggered", "incident.acknowledged"):
            item.can_create = True
        item.items.append(index)


def _entries(payload: Payload, group: Group) -> list[Entry]:
    system = payload.system
    if system == "pagerduty":
        verb = (payload.event or "event").removeprefix("incident.")
        who = f" by {payload.agent}" if payload.agent and verb == "acknowledged" else ""
        alert = group.alerts[0]
        text = f"PagerDuty {verb}{who}: {alert.summary or alert.name}"
        at = payload.occurred_at or alert.starts_at
        return [Entry(at, text, f"pagerduty event={payload.event_id}", ack=verb == "acknowledged")]
    out = []
    name = SYSTEM_NAMES[system]
    for alert in group.alerts:
        what = f"{alert.name}: {alert.summary}" if alert.summary and alert.summary != alert.name else alert.name
        if not (system == "generic" and alert.status == "resolved"):  # a generic `resolved` says only when it ended
            key = _key(system, alert, "startsAt", alert.starts_at)
            out.append(Entry(alert.starts_at, f"{name} firing: {what}", key))
        if alert.status == "resolved" and alert.ends_at is not None:
            out.append(
                Entry(alert.ends_at, f"{name} resolved: {alert.name}", _key(system, alert, "endsAt", alert.ends_at))
            )
    return out


def _key(system: str, alert: Alert, which: str, when: datetime) -> str:
    return f"{system} fingerprint={alert.fingerprint} {which}={timestamp(when)}"


def _apply(root: Path, loaded, item: _Pending, at: datetime, dry_run: bool) -> Outcome:
    system, group = item.payload.system, item.group
    found = find_by_source(root, system, group.source_id)
    open_ = [f for f in found if f.status != "resolved"]
    entries = list(item.entries.values())
    if open_:
        target = open_[-1]
        if dry_run:
            return Outcome("updated", target.incident_id, target.path, len(entries), "dry run")
        count = append(root, loaded, target.incident_id, entries, item.ack)
        return Outcome("updated" if count else "unchanged", target.incident_id, target.path, count)
    if not item.can_create:
        return Outcome("ignored", note=f"resolved alerts of `{clean(group.source_id, 80)}` with no open incident")
    source_id = next_source_id(found, group.source_id)
    rec = _new_record(loaded.policy, item.payload, group, at, entries, item.ack, source_id)
    if dry_run:
        return Outcome("created", "(dry run)", None, len(entries))
    try:
        incident_id, rel = create(root, loaded, rec)
    except AuthoringError as exc:  # acknowledged, but the required roles are not known: as `append` does
        if rec.acknowledged_at is None or not any(f.code == "missing-role" for f in exc.findings):
            raise
        held = tuple(Entry(e.at, e.text + ACK_HELD, e.key) if e.ack else e for e in rec.entries)
        incident_id, rel = create(root, loaded, replace(rec, acknowledged_at=None, entries=held))
    return Outcome("created", incident_id, rel, len(entries))


def _new_record(policy, payload, group, at, entries, ack, source_id) -> NewRecord:
    firing = group.firing
    severities = tuple(policy.severity_ids)
    known = tuple(policy.service_ids)
    services = tuple(dict.fromkeys(service_of(a, group.mapping, known) for a in firing))
    severity = min((severity_of(a, group.mapping, severities) for a in firing), key=severities.index)
    first = firing[0]
    title = clean(first.summary or first.name, 200) or f"{SYSTEM_NAMES[payload.system]} alert"
    impact = first.labels.get("impact") if first.labels.get("impact") in IMPACTS else "degraded_performance"
    started = min(min(a.starts_at for a in firing), at)
    entries = tuple(replace(e, at=max(e.at, started)) for e in sorted(entries, key=lambda e: e.at))
    ack_at = max(ack, at) if ack is not None else None
    return NewRecord(title, severity, services, impact, started, at, payload.system, source_id, entries, ack_at)


__all__ = ["AuthoringError", "IngestError", "Outcome", "Result", "ingest", "ingest_batch"]
