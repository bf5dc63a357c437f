"""Records that follow an example root's plan, and the one change that breaks a statement of it.

Each example root's README (examples/policies/<plan>/README.md) holds a table of the plan's statements:

    | # | the plan says | severity | held by | check | at |

`check` is a finding code (enforced by `validate` or `check`), `metric <figure>` (reported by
`incidents metrics`), `optional-updates` (a permission: a public incident of the severity needs no
updates) or `-` (not checkable: `held by` says why). `at` is the plan's own value that the rule holds
(a duration, a role, an escalation step `30m: Engineering Manager`, a template word, a heading).

For each checked row, `scenario(...)` writes a record that keeps the statement exactly at the plan's
value (no finding at all) and one that breaks it just past that value (the finding asserted).
The plan-following record is built from the root's own policy (`follow`): acknowledged at once,
public and internal updates at their cadences, every escalation step reached at its time, the
required roles, `closed_at` when the observation ends, a complete postmortem when one is required.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incidents.policy.policy_fields import read_duration
from incidents.policy.policy_file import Policy
from incidents.records.durations import deadline
from incidents.records.fields import Fields
from incidents.records.source import read_yaml_file

T0 = datetime.fromisoformat("2026-03-02T10:00:00+00:00")  # a Monday, inside business hours
MINUTE = timedelta(minutes=1)
LATER = datetime.fromisoformat("2026-09-01T00:00:00+00:00")  # every obligation of a resolved record is past

ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*)\|\s*$")


@dataclass
class Row:
    number: int
    says: str
    severities: tuple[str, ...]
    tags: tuple[str, ...]
    held_by: str
    check: str
    at: str

    @property
    def kind(self) -> str:
        if self.check in ("-", "—", ""):
            return "not checkable"
        return "metrics" if self.check.startswith("metric ") else "enforced"


def read_rows(readme: Path) -> list[Row]:
    """The rows of the README's statements table (`| # | the plan says | severity | held by | check | at |`)."""
    rows = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if not m:
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", m.group(2))]
        if len(cells) != 5:
            raise AssertionError(f"{readme}: a statements row has {len(cells) + 1} cells, not 6: {line}")
        says, sev, held, check, at = cells
        sev_ids, tags = [], []
        for part in (p.strip() for p in sev.split(",")):
            if part.startswith("tag "):
                tags.append(part[4:].strip("` "))
            elif part and part not in ("-", "—"):
                sev_ids.append(part.strip("`"))
        rows.append(Row(int(m.group(1)), says, tuple(sev_ids), tuple(tags), held, check.strip("` "), at.strip("` ")))
    return rows


def duration(text: str, policy: Policy):
    """A duration as the policy reads it (plain or business time in the policy's calendar)."""
    doc, found = read_yaml_file(json.dumps({"d": text}).encode(), "row")
    findings: list = []
    value = read_duration(Fields(doc, "row", findings), ("d",), policy.calendar, allow_zero=True)
    if value is None:
        raise AssertionError(f"`{text}` is not a duration: {findings or found}")
    return value


def ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Record:
    """An incident (and its postmortem) as plain values, rendered as YAML flow values."""

    severity: str
    tags: tuple[str, ...] = ()
    visibility: str = "public"
    started: datetime = T0
    detected: datetime = T0
    acknowledged: datetime | None = None
    resolved: datetime | None = None
    closed: datetime | None = None
    status: str = "resolved"
    roles: dict = field(default_factory=dict)
    updates: list = field(default_factory=list)  # [at, status, message]
    timeline: list = field(default_factory=list)  # [at, event]
    escalations: list = field(default_factory=list)  # [at, [names]]
    postmortem: dict | None = None  # front matter values + "body"
    as_of: datetime = LATER

    def files(self) -> dict[str, str]:
        fm: dict = {
            "id": "INC-1",
            "title": "Scenario",
            "severity": self.severity,
            "status": self.status,
            "services": ["{service}"],
            "impact": "partial_outage",
            "started_at": ts(self.started),
            "detected_at": ts(self.detected),
        }
        if self.acknowledged is not None:
            fm["acknowledged_at"] = ts(self.acknowledged)
        if self.resolved is not None:
            fm["resolved_at"] = ts(self.resolved)
        if self.closed is not None:
            fm["closed_at"] = ts(self.closed)
        fm["visibility"] = self.visibility
        if self.roles:
            fm["roles"] = self.roles
        if self.tags:
            fm["tags"] = list(self.tags)
        if self.updates:
            fm["updates"] = [{"at": ts(a), "status": s, "message": m} for a, s, m in self.updates]
        if self.timeline:
            fm["timeline"] = [{"at": ts(a), "event": e} for a, e in self.timeline]
        if self.escalations:
            fm["escalations"] = [{"at": ts(a), "to": names} for a, names in self.escalations]
        files = {"INC-1.md": _render(fm, "")}
        if self.postmortem is not None:
            pm = dict(self.postmortem)
            body = pm.pop("body")
            files["INC-1.postmortem.md"] = _render({"type": "postmortem", "incident": "INC-1", **pm}, body)
        return files


def _render(fm: dict, body: str) -> str:
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fm.items()] + ["---", body]
    return "\n".join(lines)


def _steps(start: datetime, end: datetime, every, first_gap=None) -> list[datetime]:
    """start, then one entry every `every` (the first gap `first_gap` if given) while before `end`, then end."""
    out = [start]
    gap = first_gap
    while True:
        nxt = start + gap if gap is not None else deadline(out[-1], every)
        gap = None
        if nxt >= end:
            break
        out.append(nxt)
        start = nxt
    if out[-1] != end:
        out.append(end)
    return out


def follow(
    policy: Policy,
    sev_id: str,
    tags: tuple[str, ...] = (),
    *,
    length=None,
    ack_at: datetime | None = None,
    update_every=None,
    update_first_gap: timedelta | None = None,
    first_update: datetime | None = None,
    timeline_every=None,
    timeline_first_gap: timedelta | None = None,
) -> Record:
    """A resolved incident of `sev_id` that keeps every rule of the root's policy.

    `length` (a duration): how long after detection it is resolved (default 20 minutes); the other
    arguments fix one channel's spacing or one time, for the rows that test it.
    """
    sev = policy.severity(sev_id)
    assert sev is not None, f"the policy has no severity `{sev_id}`"
    resolved = deadline(T0, length) if length is not None else T0 + timedelta(minutes=20)
    ack = ack_at or T0 + MINUTE
    resolved = max(resolved, ack + 10 * MINUTE)
    rec = Record(sev_id, tags, acknowledged=ack, resolved=resolved)
    rec.roles = {role: "alice" for role, _ in policy.required_roles(sev_id, tags)}
    every = update_every or sev.update_every or timedelta(days=365)
    times = _steps(first_update or T0, resolved, every, update_first_gap)
    rec.updates = [[t, "investigating" if t < ack else "identified", "Working on it."] for t in times[:-1]]
    rec.updates.append([resolved, "resolved", "Fixed."])
    log_every = timeline_every or sev.internal_update_every or timedelta(days=365)
    rec.timeline = [[t, "logged"] for t in _steps(T0, resolved, log_every, timeline_first_gap)]
    rec.escalations = escalations_due(sev, resolved)
    if sev.observe_for is not None:
        rec.closed = deadline(resolved, sev.observe_for)
    required = policy.postmortem_requirement(_Probe(sev_id, tags))
    if required is not None:
        rec.postmortem = complete_postmortem(policy, resolved)
    return rec


class _Probe:
    def __init__(self, severity, tags):
        self.severity, self.tags = severity, tags


def escalations_due(sev, until: datetime) -> list:
    """An entry for each step due at or before `until`, at the step's time, naming every name of it."""
    by_time: dict[datetime, list[str]] = {}
    for step in sev.escalation:
        due = deadline(T0, step.after)
        if due <= until:
            by_time.setdefault(due, []).extend(step.names)
    return [[at, names] for at, names in sorted(by_time.items())]


def complete_postmortem(policy: Policy, resolved: datetime, fields: tuple[str, ...] | None = None) -> dict:
    item: dict = {"title": "Add a canary", "owner": "alice", "due": (resolved + timedelta(days=7)).date().isoformat()}
    if policy.priorities:
        item["priority"] = policy.priorities[0]
    if fields is not None:
        item = {k: v for k, v in item.items() if k in fields or k == "title"}
    item["status"] = "done"
    body = "\n".join(f"## {name}\n\nWritten.\n" for name in policy.required_sections)
    return {
        "status": "published",
        "date": resolved.date().isoformat(),
        "authors": ["alice"],
        "action_items": [item],
        "body": body,
    }


def open_at(rec: Record, when: datetime) -> Record:
    """The same incident as it stood at `when`, still open (`as_of` = `when`)."""
    rec.updates = [u for u in rec.updates if u[0] <= when and u[1] != "resolved"]
    rec.timeline = [t for t in rec.timeline if t[0] <= when]
    rec.escalations = [e for e in rec.escalations if e[0] <= when]
    if rec.acknowledged is not None and rec.acknowledged > when:
        rec.acknowledged = None
    for u in rec.updates:
        if rec.acknowledged is None or u[0] < rec.acknowledged:
            u[1] = "investigating"
    rec.status = rec.updates[-1][1] if rec.updates else "investigating"
    rec.resolved = rec.closed = rec.postmortem = None
    rec.as_of = when
    return rec


# -- one scenario per checked row ---------------------------------------------------------------------------


@dataclass
class Scenario:
    keep: Record
    broken: Record
    finding: str  # the code the broken record must show (the keeping record shows none at all)


def _step(policy: Policy, sev_id: str, at: str):
    """`30m: Engineering Manager` -> (the step's due time, the name), checked against the policy."""
    after_text, _, name = at.partition(":")
    after = duration(after_text.strip(), policy)
    name = name.strip()
    sev = policy.severity(sev_id)
    due = deadline(T0, after)
    steps = [s for s in sev.escalation if deadline(T0, s.after) == due and s.named_by(name)]
    assert steps, (
        f"{sev_id} has no escalation step `{at}` (its steps: {[(str(s.after), s.names) for s in sev.escalation]})"
    )
    return due, name


def _without(rec: Record, name: str, move_to: datetime | None = None) -> Record:
    """`rec` whose entries no longer name `name` (or name it only at `move_to`)."""
    entries = []
    for at, names in rec.escalations:
        rest = [n for n in names if n.casefold() != name.casefold()]
        if rest:
            entries.append([at, rest])
    if move_to is not None:
        entries.append([move_to, [name]])
    rec.escalations = sorted(entries, key=lambda e: e[0])
    return rec


def scenario(policy: Policy, row: Row, sev_id: str) -> Scenario:
    code, at, tags = row.check, row.at, row.tags
    make = _MAKERS.get(code)
    assert make is not None, f"row {row.number}: no scenario builds the check `{code}`"
    return make(policy, sev_id, tags, at, code)


def _ack(policy, sev_id, tags, at, code):
    due = deadline(T0, duration(at, policy))
    if code == "ack-late":
        return Scenario(
            follow(policy, sev_id, tags, ack_at=due), follow(policy, sev_id, tags, ack_at=due + MINUTE), code
        )
    keep = open_at(follow(policy, sev_id, tags, length=duration(at, policy), ack_at=due + 2 * MINUTE), due)
    broken = open_at(follow(policy, sev_id, tags, length=duration(at, policy), ack_at=due + 2 * MINUTE), due)
    return Scenario(keep, _extend(broken, due + MINUTE), code)


def _escalation(policy, sev_id, tags, at, code):
    due, name = _step(policy, sev_id, at)
    length = (due - T0) + 10 * MINUTE
    if code == "escalation-overdue":
        keep = open_at(follow(policy, sev_id, tags, length=length), due)
        broken = open_at(_without(follow(policy, sev_id, tags, length=length), name), due)
        broken.as_of = due + MINUTE
        return Scenario(keep, _extend(broken, due + MINUTE), code)
    keep = follow(policy, sev_id, tags, length=length)
    if code == "escalation-late":
        broken = _without(follow(policy, sev_id, tags, length=length), name, move_to=due + MINUTE)
    else:
        broken = _without(follow(policy, sev_id, tags, length=length), name)
    return Scenario(keep, broken, code)


def _extend(rec: Record, when: datetime) -> Record:
    """An open record seen a minute later: its timeline and updates carried up to `when`."""
    rec.as_of = when
    rec.timeline.append([when, "still on it"])
    if rec.updates:
        rec.updates.append([when, rec.updates[-1][1], "Still on it."])
    return rec


def _cadence(policy, sev_id, tags, at, code):
    every = duration(at, policy)
    length = _times(every, 3)
    gap = deadline(T0, every) - T0 + MINUTE
    if code == "update-gap":
        keep = follow(policy, sev_id, tags, length=length, update_every=every)
        broken = follow(policy, sev_id, tags, length=length, update_every=every, update_first_gap=gap)
    else:
        keep = follow(policy, sev_id, tags, length=length, timeline_every=every)
        broken = follow(policy, sev_id, tags, length=length, timeline_every=every, timeline_first_gap=gap)
    return Scenario(keep, broken, code)


def _times(every, n: int):
    end = T0
    for _ in range(n):
        end = deadline(end, every)
    return end - T0


def _first_update(policy, sev_id, tags, at, code):
    due = deadline(T0, duration(at, policy))
    length = due - T0 + 10 * MINUTE
    keep = follow(policy, sev_id, tags, length=length, first_update=due, ack_at=T0 + MINUTE)
    broken = follow(policy, sev_id, tags, length=length, first_update=due + MINUTE, ack_at=T0 + MINUTE)
    return Scenario(keep, broken, code)


def _no_updates(policy, sev_id, tags, at, code):
    keep = follow(policy, sev_id, tags)
    broken = follow(policy, sev_id, tags)
    broken.updates = []
    return Scenario(keep, broken, code)


def _optional_updates(policy, sev_id, tags, at, code):
    """A permission: the plan-following record has no public update; under `at` (a severity that needs
    them) the same record is `no-updates`."""
    keep = follow(policy, sev_id, tags)
    keep.updates = []
    broken = follow(policy, at, tags)
    broken.updates = []
    return Scenario(keep, broken, "no-updates")


def _close(policy, sev_id, tags, at, code):
    observe = duration(at, policy)
    keep = follow(policy, sev_id, tags)
    assert keep.closed == deadline(keep.resolved, observe), f"{sev_id}: observe_for is not {at}"
    broken = follow(policy, sev_id, tags)
    broken.closed = None
    broken.as_of = deadline(broken.resolved, observe) + MINUTE
    keep.as_of = broken.as_of
    return Scenario(keep, broken, code)


def _role(policy, sev_id, tags, at, code):
    keep = follow(policy, sev_id, tags)
    broken = follow(policy, sev_id, tags)
    assert at in broken.roles, f"{sev_id} {tags}: `{at}` is not a required role"
    del broken.roles[at]
    return Scenario(keep, broken, code)


def _postmortem(policy, sev_id, tags, at, code):
    keep = follow(policy, sev_id, tags)
    assert keep.postmortem is not None, f"{sev_id} {tags}: no postmortem is required"
    due = deadline(keep.resolved, duration(at, policy))
    broken = follow(policy, sev_id, tags)
    broken.postmortem = None
    keep.as_of = broken.as_of = due + MINUTE
    return Scenario(keep, broken, code)


def _section(policy, sev_id, tags, at, code):
    """`at`: a heading in the plan's words; the keeping postmortem uses it, the broken one leaves it out."""
    keep = follow(policy, sev_id, tags)
    assert keep.postmortem is not None, f"{sev_id}: no postmortem is required"
    section = next(
        (
            n
            for n in policy.required_sections
            if at.casefold() in [a.casefold() for a in (n, *policy.section_aliases.get(n, ()))]
        ),
        None,
    )
    assert section is not None, f"`{at}` is no required section nor alias"
    keep.postmortem["body"] = keep.postmortem["body"].replace(f"## {section}\n", f"## {at}\n")
    broken = follow(policy, sev_id, tags)
    broken.postmortem["body"] = broken.postmortem["body"].replace(f"## {section}\n\nWritten.\n", "")
    return Scenario(keep, broken, "postmortem-section-missing")


def _placeholder(policy, sev_id, tags, at, code):
    keep = follow(policy, sev_id, tags)
    broken = follow(policy, sev_id, tags)
    if code == "update-placeholder":
        broken.updates[0][2] = f"Investigating. {at}"
    else:
        assert broken.postmortem is not None, f"{sev_id}: no postmortem is required"
        broken.postmortem["body"] = broken.postmortem["body"].replace("Written.", f"Written. {at}", 1)
    return Scenario(keep, broken, code)


def _action_item(policy, sev_id, tags, at, code):
    """`at`: the fields the plan asks of an action item (`owner, due`): kept with only those; broken without
    the first."""
    wanted = tuple(f.strip() for f in at.split(","))
    keep = follow(policy, sev_id, tags)
    assert keep.postmortem is not None, f"{sev_id}: no postmortem is required"
    keep.postmortem = complete_postmortem(policy, keep.resolved, wanted)
    broken = follow(policy, sev_id, tags)
    broken.postmortem = complete_postmortem(policy, broken.resolved, wanted[1:])
    return Scenario(keep, broken, code)


_MAKERS = {
    "ack-late": _ack,
    "ack-overdue": _ack,
    "escalation-late": _escalation,
    "escalation-missed": _escalation,
    "escalation-overdue": _escalation,
    "update-gap": _cadence,
    "timeline-gap": _cadence,
    "first-update-late": _first_update,
    "no-updates": _no_updates,
    "optional-updates": _optional_updates,
    "close-overdue": _close,
    "missing-role": _role,
    "postmortem-missing": _postmortem,
    "postmortem-section-missing": _section,
    "postmortem-placeholder": _placeholder,
    "update-placeholder": _placeholder,
    "action-item-incomplete": _action_item,
}
