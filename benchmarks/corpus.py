"""A synthetic but realistic incidents repository, for benchmarks and tests.

`generate(root, n, seed)` writes `policy/policy.yml`, `policy/services.yml`
and `n` incident files `incidents/<year>/INC-<year>-<NNNNNN>.md` started over
the three years before 2026-11-01, plus a published, complete postmortem for
every `postmortem_every`-th resolved incident and `maintenance` maintenance
windows. The same (n, seed, options) always gives byte-identical files.

The files look like what an SRE team writes by hand: 40-70 lines of front
matter (3-8 public updates, a scribe's timeline, roles, tags, per-service
impact maps on some, offsets other than `Z` on some, a few internal
incidents, a few still open), then a Markdown narrative of 2-5 paragraphs;
about 2.5-4 KB per incident. The root validates clean under
`incidents validate` (no errors, no warnings).

Usage: python benchmarks/corpus.py OUT_DIR N [--seed S] [--postmortem-every K] [--maintenance M]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

END = datetime(2026, 11, 1, tzinfo=UTC)  # every incident starts before this
SPAN = timedelta(days=3 * 365)
START = END - SPAN

POLICY_YML = """\
# Synthetic benchmark policy (benchmarks/corpus.py). Four severities with every
# target the format knows, so that validate, metrics and check all have work.
severities:                  # ordered, most severe first
  - id: SEV-1
    name: Critical
    description: >-
      A core service is down or unusable for most customers, or customer
      data is lost or exposed.
    acknowledge_within: 15m
    resolve_within: 4h
    update_every: 30m
    first_update_within: 15m
    detect_within: 5m
    required_roles: [commander, tech_lead, comms_lead, scribe]
    postmortem:
      required: true
      due_within: 5d
    escalation:
      - {after: 15m, to: Engineering manager on call}
      - {after: 30m, to: VP Engineering}
      - {after: 1h, to: CTO}
    response: All hands; bridge open, status page within 15 minutes and every 30 minutes.
    color: "#b60205"
  - id: SEV-2
    name: Major
    description: >-
      A major feature is unavailable or badly degraded for a large share of
      customers; a workaround may exist.
    acknowledge_within: 15m
    resolve_within: 8h
    update_every: 1h
    first_update_within: 30m
    detect_within: 10m
    required_roles: [commander, tech_lead, comms_lead]
    postmortem: {required: true, due_within: 7d}
    escalation:
      - {after: 30m, to: Engineering manager on call}
      - {after: 2h, to: VP Engineering}
    response: Page the owning team and the commander rotation; hourly public updates.
    color: "#d93f0b"
  - id: SEV-3
    name: Minor
    description: A non-critical feature is degraded; a reasonable workaround exists.
    acknowledge_within: 1h
    resolve_within: 1d
    update_every: 4h
    first_update_within: 1h
    detect_within: 30m
    required_roles: [commander]
    postmortem: {required: false}
    response: The owning team's on-call handles it and acts as commander.
    color: "#fbca04"
  - id: SEV-4
    name: Low
    description: Cosmetic problems or issues affecting a single customer.
    acknowledge_within: 1d
    resolve_within: 1w
    first_update_within: 1d
    detect_within: 1d
    required_roles: []
    postmortem: {required: false}
    response: Normal ticket workflow.
    color: "#0e8a16"

roles: [commander, tech_lead, comms_lead, scribe, security_lead]
priorities: [P1, P2, P3]
roles_for_tags:
  security: [security_lead]

postmortem:
  required_sections:
    - Summary
    - Impact
    - Timeline
    - Root Cause
    - What Went Well
    - What Could Be Improved
    - Action Items
    - Lessons Learned
  placeholders: ["TBD", "TODO", "[INCIDENT-ID]"]

metrics:
  mttr_from: started_at

assume_timezone: null
"""

# (id, name, group, description)
SERVICES = [
    ("api", "Public API", "Core", "REST and GraphQL API, including the CLI and SDKs."),
    ("web", "Web Dashboard", "Core", "The customer dashboard."),
    ("auth", "Sign-in and SSO", "Core", "Password sign-in, SAML and OIDC single sign-on, API tokens."),
    ("payments", "Payments", "Commerce", "Card payments through the payment provider."),
    ("billing", "Billing", "Commerce", "Subscriptions and invoices."),
    ("checkout", "Checkout", "Commerce", "The hosted checkout pages."),
    ("database", "Managed Databases", "Data", "Managed PostgreSQL clusters."),
    ("search", "Search", "Data", "Full-text search across projects."),
    ("storage", "Object Storage", "Data", "S3-compatible object storage."),
    ("cdn", "CDN", "Delivery", "Edge caching and static asset delivery."),
    ("notifications", "Notifications", "Delivery", "Webhooks and push notifications."),
    ("email", "Email Delivery", "Delivery", "Transactional email."),
]
SERVICE_IDS = [s[0] for s in SERVICES]
SERVICE_NAME = {s[0]: s[1] for s in SERVICES}

# severity -> (weight, started->detected minutes, detected->ack, ack->identified,
#              identified->mitigated, mitigated->resolved), each (lo, hi)
SEVERITIES = {
    "SEV-1": (5, (1, 8), (2, 18), (10, 60), (10, 90), (15, 60)),
    "SEV-2": (15, (2, 15), (3, 20), (15, 120), (15, 180), (20, 120)),
    "SEV-3": (45, (5, 40), (5, 70), (20, 240), (20, 300), (30, 240)),
    "SEV-4": (35, (10, 600), (30, 900), (60, 1440), (60, 1440), (60, 1440)),
}
REQUIRED_ROLES = {
    "SEV-1": ["commander", "tech_lead", "comms_lead", "scribe"],
    "SEV-2": ["commander", "tech_lead", "comms_lead"],
    "SEV-3": ["commander"],
    "SEV-4": [],
}
OFFSETS = [  # (weight, offset); most teams write UTC
    (70, timedelta(0)),
    (10, timedelta(hours=2)),
    (8, timedelta(hours=-5)),
    (7, timedelta(hours=5, minutes=30)),
    (5, timedelta(hours=9)),
]
HANDLES = [
    "alice",
    "bob.k",
    "chen.w",
    "dana",
    "emeka.o",
    "farah",
    "gustavo",
    "hana.s",
    "ivan.p",
    "jules",
    "kofi",
    "lena.m",
    "marta.r",
    "nikhil",
    "oskar",
    "priya.n",
    "quentin",
    "rosa.l",
    "sven",
    "tomoko",
    "uma.d",
    "viktor",
    "wei.z",
    "yusuf",
]
TAGS = [
    "database",
    "deploy",
    "network",
    "config",
    "capacity",
    "third-party",
    "certificate",
    "dns",
    "performance",
    "memory-leak",
    "ddos",
    "security",
    "storage",
    "queue",
    "kubernetes",
]

CAUSES = [
    (
        "an expired TLS certificate on the {svc} load balancers",
        "certificate",
        "The certificate renewal job had been failing silently for three weeks because its service account lost "
        "permission to write to the secrets store during an unrelated clean-up.",
    ),
    (
        "connection pool exhaustion between {svc} and the primary database",
        "database",
        "A new code path opened a transaction per request and held it across a slow downstream call, so the "
        "pool of 200 connections filled within minutes of peak traffic.",
    ),
    (
        "a memory leak in the {svc} workers introduced by the previous release",
        "memory-leak",
        "A cache of parsed request templates was keyed on the full request, not on the template, and grew "
        "without bound until the workers were killed by the out-of-memory handler.",
    ),
    (
        "a volumetric DDoS attack against the {svc} edge",
        "ddos",
        "Traffic from roughly 40,000 addresses peaked at 180 Gbit/s; our upstream scrubbing absorbed most of it "
        "but the remaining requests still exceeded the rate limits of the origin.",
    ),
    (
        "a failed deploy of {svc} that shipped an incompatible configuration",
        "deploy",
        "The canary stage passed because it only exercised read traffic; the write path read a renamed "
        "configuration key and fell back to an empty default.",
    ),
    (
        "a DNS change that removed the {svc} records for one region",
        "dns",
        "An automated zone clean-up treated records without an owner tag as stale and deleted them; the TTL of "
        "five minutes meant resolvers noticed quickly.",
    ),
    (
        "disk saturation on the {svc} storage nodes",
        "storage",
        "Compaction on three nodes started at the same moment after a restart, and the resulting I/O wait "
        "pushed request latency past every timeout in the chain.",
    ),
    (
        "a third-party provider outage affecting {svc}",
        "third-party",
        "Our provider's regional endpoint returned errors for most calls; our client retried aggressively and "
        "turned a partial outage into a full one for our customers.",
    ),
    (
        "a queue backlog in {svc} after a consumer crash loop",
        "queue",
        "A malformed message made every consumer crash on start, so the queue grew by roughly 20,000 messages "
        "a minute until the message was moved aside.",
    ),
    (
        "unauthorised access to a {svc} support tool",
        "security",
        "A support engineer's session token was reused from an unmanaged device; the tool did not bind sessions "
        "to a device and allowed read access to customer metadata.",
    ),
    (
        "node pool autoscaling that stalled for {svc}",
        "kubernetes",
        "The cluster autoscaler hit the cloud account's instance quota and stopped adding nodes, so pods stayed "
        "pending while traffic kept rising.",
    ),
    (
        "a routing change that black-holed traffic to {svc}",
        "network",
        "A BGP policy update withdrew a prefix that was still in use; traffic from two transit providers was "
        "dropped until the change was reverted.",
    ),
]
TITLES = [
    "Elevated error rates on {name}",
    "{name} unavailable in eu-west",
    "Degraded performance of {name}",
    "Intermittent timeouts on {name}",
    "{name} outage",
    "Delays in {name}",
    "Partial outage of {name}",
    "Increased latency for {name} requests",
    "{name} returning errors for some customers",
]
INVESTIGATING = [
    "We are investigating reports of errors on {names}. Some requests may fail or time out.",
    "Some customers are seeing failures on {names}. Our engineers are looking into it now.",
    "We are aware of degraded performance affecting {names} and are investigating.",
]
IDENTIFIED = [
    "We have identified the cause: {cause}. A fix is being rolled out.",
    "The issue has been traced to {cause}. We are working on mitigation.",
    "Cause identified ({cause}); engineers are applying a fix region by region.",
]
MONITORING = [
    "A fix has been applied and error rates are back to normal. We are monitoring the results.",
    "Mitigation is in place and {names} are recovering. We continue to watch closely.",
    "Traffic is flowing normally again. We are monitoring before closing this incident.",
]
RESOLVED = [
    "This incident has been resolved. {names} have been operating normally for 30 minutes.",
    "All systems are operating normally. We will publish a postmortem for this incident.",
    "The issue is resolved. Thank you for your patience, and sorry for the disruption.",
]
PROGRESS = {
    "investigating": "We are still investigating and will post another update within the hour.",
    "identified": "The fix is rolling out; about half of the affected capacity has recovered so far.",
    "monitoring": "Metrics remain healthy. We will keep monitoring for a while longer.",
}
TIMELINE_EVENTS = [
    "Alert `{svc}-error-rate-high` fires (5xx above 2% for 5 minutes).",
    "{who} acknowledges the page and opens the incident channel.",
    "{who} declares {sev} and takes the commander role.",
    "Dashboards show saturation on {svc}; on-call begins bisecting recent changes.",
    "Rollback of the most recent {svc} deploy started.",
    "Customer support reports a rise in tickets mentioning {svc}.",
    "Root cause confirmed: {cause}.",
    "Mitigation applied; error rate falling.",
    "Error rate back under 0.1%; status page moved to monitoring.",
    "{who} hands over to the next shift with a written summary.",
    "Affected customers identified from access logs; comms draft started.",
    "Incident resolved; follow-ups filed in the tracker.",
]
PARAGRAPHS = [
    "Between {start} and {end} UTC, {names} {verb} for a share of customers. Requests that failed "
    "returned an error page or a 503 status; retried requests mostly succeeded after a few seconds. "
    "No data was lost, and services not named on this page were not affected.",
    "The cause was {cause}. {detail} The change that exposed the problem had been live for {hours} "
    "hours before the impact began, which is why the recent-deploys dashboard did not point at it.",
    "The first alert fired {detect} minutes after the impact began, and {who} acknowledged it "
    "{ack} minutes later. The team first suspected the most recent deploy, rolled it back without effect, "
    "and then found the real cause in the saturation graphs of the affected hosts.",
    "We mitigated the problem by shifting traffic away from the affected hosts and then applied a "
    "permanent fix. Capacity was restored gradually to avoid a thundering herd of retried requests, "
    "which is why recovery took longer than the fix itself.",
    "Customers who saw failed requests during the window do not need to do anything: all operations are "
    "idempotent and were either completed or rejected cleanly. Webhooks that could not be delivered were "
    "retried automatically once the service recovered.",
    "We know how much you rely on {names}, and we are sorry for the disruption. The follow-up work is "
    "tracked in the postmortem, including better alerting so that we notice this class of problem sooner.",
    "During the incident the status page was updated {n_updates} times. Internal coordination happened in "
    "the incident channel, and the scribe's timeline above is the record we used for the review.",
]
ACTION_ITEMS = [
    "Alert on certificate expiry 21 days ahead",
    "Bound the per-request transaction lifetime",
    "Add a memory ceiling and a leak canary to the worker pool",
    "Load-test the origin rate limits with scrubbed traffic",
    "Exercise the write path in canary deploys",
    "Require an owner tag before deleting DNS records",
    "Stagger compaction after restarts",
    "Cap client retries with jittered backoff",
    "Move poison messages to a dead-letter queue automatically",
    "Bind support sessions to managed devices",
    "Raise the instance quota and alert at 80% of it",
    "Review BGP policy changes with a second engineer",
    "Write a runbook for this failure mode",
    "Add a synthetic check from a second region",
]


def _fmt_ts(value: datetime, offset: timedelta) -> str:
    local = value.astimezone(timezone(offset))
    if offset == timedelta(0):
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return local.isoformat(timespec="seconds")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _folded(key_indent: str, key: str, text: str, width: int = 96) -> list[str]:
    """`key: >-` followed by `text` wrapped on lines of at most `width` characters."""
    lines = [f"{key_indent}{key}: >-"]
    pad = key_indent + "  "
    current = ""
    for word in text.split():
        if current and len(pad) + len(current) + 1 + len(word) > width:
            lines.append(pad + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(pad + current)
    return lines


def _wrap(text: str, width: int = 78) -> str:
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return "\n".join(out)


def _weighted(rng: random.Random, pairs):
    return rng.choices([p[1] for p in pairs], weights=[p[0] for p in pairs])[0]


def _names(services: list[str]) -> str:
    names = [SERVICE_NAME[s] for s in services]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _incident(rng: random.Random, inc_id: str, started: datetime, is_open: bool) -> tuple[str, dict]:
    sev = rng.choices(list(SEVERITIES), weights=[v[0] for v in SEVERITIES.values()])[0]
    _, d_det, d_ack, d_idf, d_mit, d_res = SEVERITIES[sev]
    offset = _weighted(rng, OFFSETS)
    services = rng.sample(SERVICE_IDS, rng.choices([1, 2, 3], weights=[60, 30, 10])[0])
    cause_text, cause_tag, detail = rng.choice(CAUSES)
    cause = cause_text.format(svc=SERVICE_NAME[services[0]])
    tags = sorted({cause_tag, *rng.sample(TAGS, rng.randint(0, 3))})
    internal = rng.random() < 0.04 or cause_tag == "security" and rng.random() < 0.5

    times = {"started_at": started}
    t = started
    for name, (lo, hi) in zip(
        ("detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"),
        (d_det, d_ack, d_idf, d_mit, d_res),
    ):
        t = t + timedelta(minutes=rng.randint(lo, hi), seconds=rng.choice([0, 0, 0, 30]))
        times[name] = t
    if is_open:
        status = rng.choice(["investigating", "identified", "monitoring"])
        keep = {"investigating": 2, "identified": 4, "monitoring": 5}[status]
        for name in ("acknowledged_at", "identified_at", "mitigated_at", "resolved_at")[keep - 2 :]:
            times[name] = None
        if status == "investigating":
            times["acknowledged_at"] = None
    else:
        status = "resolved"
    if rng.random() < 0.15:
        times["identified_at"] = None  # not everyone records it
    last = max(v for v in times.values() if v is not None)

    roles = {r: rng.choice(HANDLES) for r in REQUIRED_ROLES[sev]}
    if "security" in tags:
        roles["security_lead"] = rng.choice(HANDLES)
    if sev in ("SEV-3", "SEV-4") and rng.random() < 0.3:
        roles.setdefault("commander", rng.choice(HANDLES))
        roles["scribe"] = rng.choice(HANDLES)
    who = roles.get("commander") or rng.choice(HANDLES)
    names = _names(services)

    # Updates: statuses never go backwards and the last equals the incident status.
    order = ["investigating", "identified", "monitoring", "resolved"]
    final = order.index(status)
    n_updates = max(rng.randint(3, 8), final + 1)
    # Repeated statuses are progress notes; a resolved incident has a single `resolved` update.
    fillers = range(final) if status == "resolved" else range(final + 1)
    steps = sorted(rng.choices(fillers, k=n_updates - (final + 1)) + list(range(final + 1)))
    window_start = times["detected_at"]
    window = (last - window_start).total_seconds()
    points = sorted(rng.uniform(0.05, 0.95) * window for _ in range(n_updates))
    points[-1] = window  # the last update is at the last lifecycle time (resolved_at when resolved)
    updates = []
    for i, (step, secs) in enumerate(zip(steps, points)):
        st = order[step]
        at = window_start + timedelta(seconds=int(secs) // 60 * 60)
        if i == len(points) - 1:
            at = last
        if updates and at < updates[-1][0]:
            at = updates[-1][0]
        first_of_status = not updates or updates[-1][1] != st
        if st == "investigating":
            msg = rng.choice(INVESTIGATING) if first_of_status else PROGRESS[st]
        elif st == "identified":
            msg = rng.choice(IDENTIFIED) if first_of_status else PROGRESS[st]
        elif st == "monitoring":
            msg = rng.choice(MONITORING) if first_of_status else PROGRESS[st]
        else:
            msg = rng.choice(RESOLVED)
        updates.append((at, st, msg.format(names=names, cause=cause)))

    timeline_points = sorted(rng.uniform(0, (last - started).total_seconds()) for _ in range(rng.randint(3, 7)))
    timeline = []
    for secs in timeline_points:
        event = rng.choice(TIMELINE_EVENTS).format(svc=services[0], who=rng.choice(HANDLES), sev=sev, cause=cause)
        timeline.append((started + timedelta(seconds=int(secs) // 60 * 60), event))

    title = rng.choice(TITLES).format(name=SERVICE_NAME[services[0]])
    lines = ["---", f"id: {inc_id}"]
    lines.append(f"title: {_q(title) if rng.random() < 0.3 else title}")
    lines += [f"severity: {sev}", f"status: {status}"]
    if len(services) > 1 and rng.random() < 0.5:
        lines.append("services:")
        lines += [f"  - {s}" for s in services]
    else:
        lines.append(f"services: [{', '.join(services)}]")
    impacts = ["degraded_performance", "partial_outage", "major_outage"]
    if len(services) > 1 or rng.random() < 0.2:
        lines.append("impact:")
        lines += [f"  {s}: {rng.choice(impacts)}" for s in services]
    else:
        lines.append(f"impact: {rng.choice(impacts)}")
    for name in ("started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"):
        if times[name] is not None:
            lines.append(f"{name}: {_fmt_ts(times[name], offset)}")
    if roles:
        lines.append("roles:")
        lines += [f"  {r}: {h}" for r, h in roles.items()]
    if internal:
        lines.append("visibility: internal")
    lines.append(f"tags: [{', '.join(tags)}]")
    lines.append("updates:")
    for at, st, msg in updates:
        lines.append(f"  - at: {_fmt_ts(at, offset)}")
        lines.append(f"    status: {st}")
        if len(msg) > 70 and rng.random() < 0.6:
            lines += _folded("    ", "message", msg, width=80)
        else:
            lines.append(f"    message: {_q(msg)}")
    lines.append("timeline:")
    for at, event in timeline:
        lines.append(f"  - at: {_fmt_ts(at, offset)}")
        lines.append(f"    event: {_q(event)}")
    lines.append("---")

    end = times["resolved_at"] or times["mitigated_at"] or last
    fill = dict(
        start=started.strftime("%H:%M"),
        end=end.astimezone(UTC).strftime("%H:%M"),
        names=names,
        verb=rng.choice(["failed intermittently", "were unavailable", "were slow", "returned errors"]),
        cause=cause,
        detail=detail,
        who=who,
        n_updates=len(updates),
        hours=rng.randint(2, 72),
        detect=int((times["detected_at"] - started).total_seconds() // 60),
        ack=int(((times["acknowledged_at"] or times["detected_at"]) - times["detected_at"]).total_seconds() // 60),
    )
    chosen = [PARAGRAPHS[0], PARAGRAPHS[1]] + rng.sample(
        PARAGRAPHS[2:], rng.choices([0, 1, 2, 3], weights=[10, 30, 35, 25])[0]
    )
    body = "\n\n".join(_wrap(p.format(**fill)) for p in chosen)
    if rng.random() < 0.3:
        body = "## What happened\n\n" + body
    text = "\n".join(lines) + "\n\n" + body + "\n"
    info = dict(
        id=inc_id,
        severity=sev,
        status=status,
        services=services,
        cause=cause,
        detail=detail,
        resolved_at=times["resolved_at"],
        started_at=started,
        who=who,
        offset=offset,
    )
    return text, info


def _postmortem(rng: random.Random, info: dict) -> str:
    resolved = info["resolved_at"].astimezone(timezone(info["offset"]))
    published = resolved.date() + timedelta(days=rng.randint(0, 2))
    authors = sorted({info["who"], *rng.sample(HANDLES, rng.randint(0, 2))})
    lines = [
        "---",
        "type: postmortem",
        f"incident: {info['id']}",
        "status: published",
        f"authors: [{', '.join(authors)}]",
        f"date: {published.isoformat()}",
        "action_items:",
    ]
    for title in rng.sample(ACTION_ITEMS, rng.randint(1, 4)):
        due = published + timedelta(days=rng.choice([7, 14, 30, 60]))
        lines.append(f"  - title: {title}")
        lines.append(f"    owner: {rng.choice(HANDLES)}")
        lines.append(f"    due: {due.isoformat()}")
        lines.append(f"    priority: {rng.choice(['P1', 'P2', 'P3'])}")
        lines.append(f"    status: {rng.choice(['open', 'done', 'done', 'cancelled'])}")
        if rng.random() < 0.5:
            lines.append(f"    link: https://tracker.example.com/OPS-{rng.randint(100, 9999)}")
    lines.append("---")
    names = _names(info["services"])
    sections = [
        ("Summary", f"{info['id']} affected {names}. The cause was {info['cause']}."),
        ("Impact", f"Customers using {names} saw errors or slow responses until the fix was applied."),
        ("Timeline", f"See the incident record {info['id']} for the full timeline kept by the scribe."),
        ("Root Cause", info["detail"]),
        ("What Went Well", "Alerting fired quickly and the on-call engineer had the right access."),
        ("What Could Be Improved", "The runbook for this failure mode was out of date."),
        ("Action Items", "The action items above are tracked in the tracker and reviewed weekly."),
        ("Lessons Learned", "Rehearse the rare failure modes, not only the common ones."),
    ]
    body = "\n\n".join(f"## {h}\n\n{_wrap(t)}" for h, t in sections)
    return "\n".join(lines) + "\n\n" + body + "\n"


def _maintenance(rng: random.Random, mnt_id: str, start: datetime, upcoming: bool) -> str:
    services = rng.sample(SERVICE_IDS, rng.randint(1, 2))
    end = start + timedelta(hours=rng.choice([1, 2, 4]))
    lines = [
        "---",
        "type: maintenance",
        f"id: {mnt_id}",
        f"title: Scheduled maintenance of {_names(services)}",
        f"services: [{', '.join(services)}]",
        f"scheduled_start: {_fmt_ts(start, timedelta(0))}",
        f"scheduled_end: {_fmt_ts(end, timedelta(0))}",
        f"status: {'scheduled' if upcoming else 'completed'}",
        "updates:",
    ]
    announced = start - timedelta(days=7)
    lines += [
        f"  - at: {_fmt_ts(announced, timedelta(0))}",
        "    status: scheduled",
        f"    message: {_q('We will upgrade the underlying hosts; short interruptions are possible.')}",
    ]
    if not upcoming:
        lines += [
            f"  - at: {_fmt_ts(start, timedelta(0))}",
            "    status: in_progress",
            f"    message: {_q('Maintenance has started.')}",
            f"  - at: {_fmt_ts(end, timedelta(0))}",
            "    status: completed",
            f"    message: {_q('Maintenance is complete; all systems are operating normally.')}",
        ]
    lines.append("---")
    body = _wrap(
        "We are upgrading the hosts behind " + _names(services) + " to a newer kernel and "
        "database minor version. Requests in flight during a failover may be retried once."
    )
    return "\n".join(lines) + "\n\n" + body + "\n"


def generate(root: Path, n: int, seed: int = 0, *, postmortem_every: int = 5, maintenance: int = 4) -> None:
    """Write a valid incidents repository with `n` incidents under `root` (created if needed).

    Existing `policy/` and `incidents/` folders under `root` are replaced.
    """
    root = Path(root)
    rng = random.Random(seed)
    for sub in ("policy", "incidents"):
        if (root / sub).exists():
            shutil.rmtree(root / sub)
    (root / "policy").mkdir(parents=True)
    (root / "policy" / "policy.yml").write_text(POLICY_YML, encoding="utf-8")
    svc_lines = ["# Synthetic service catalogue (benchmarks/corpus.py).", "services:"]
    for sid, name, group, desc in SERVICES:
        svc_lines += [f"  - id: {sid}", f"    name: {name}", f"    group: {group}", f"    description: {desc}"]
    (root / "policy" / "services.yml").write_text("\n".join(svc_lines) + "\n", encoding="utf-8")

    total = int(SPAN.total_seconds()) // 60
    # Starts are whole minutes, at least a week before END for all but the few open incidents.
    starts = sorted(START + timedelta(minutes=rng.randrange(total - 7 * 24 * 60)) for _ in range(n))
    n_open = min(n, max(1 if n >= 20 else 0, n // 500))
    per_year: dict[int, int] = {}
    resolved_seen = 0
    for i, started in enumerate(starts):
        is_open = i >= n - n_open
        if is_open:
            started = END - timedelta(hours=rng.randint(2, 48))
        year = started.year
        per_year[year] = per_year.get(year, 0) + 1
        inc_id = f"INC-{year}-{per_year[year]:06d}"
        text, info = _incident(rng, inc_id, started, is_open)
        folder = root / "incidents" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{inc_id}.md").write_text(text, encoding="utf-8")
        if info["status"] == "resolved":
            resolved_seen += 1
            if postmortem_every > 0 and resolved_seen % postmortem_every == 0:
                (folder / f"{inc_id}.postmortem.md").write_text(_postmortem(rng, info), encoding="utf-8")

    for k in range(maintenance):
        upcoming = k == maintenance - 1
        if upcoming:
            start = END + timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 5))
        else:
            start = START + timedelta(days=rng.randrange(SPAN.days - 14), hours=rng.randint(0, 5))
        start = start.replace(minute=0, second=0, microsecond=0)
        mnt_id = f"MNT-{start.year}-{k + 1:04d}"
        folder = root / "incidents" / "maintenance"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mnt_id}.md").write_text(_maintenance(rng, mnt_id, start, upcoming), encoding="utf-8")


def cached(root: Path, n: int, seed: int = 0, *, tag: bytes = b"", after=None) -> Path:
    """`generate(root, n, seed)` once, then reuse it while n, the seed, this generator and `tag` are unchanged.

    `after(root)` runs on a fresh corpus before it is marked done (e.g. to plant findings).
    """
    stamp = {"files": n, "seed": seed, "generator": hashlib.sha256(Path(__file__).read_bytes() + tag).hexdigest()}
    marker = root / ".corpus.json"
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == stamp:
                return root
        except ValueError:
            pass
    print(f"generating {n} incidents in {root} ...", file=sys.stderr)
    started = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    generate(root, n, seed)
    if after is not None:
        after(root)
    marker.write_text(json.dumps(stamp), encoding="utf-8")
    print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


def incidents_script() -> str:
    """The `incidents` console script of this Python's environment."""
    beside = Path(sys.executable).with_name("incidents")
    if beside.is_file():
        return str(beside)
    found = shutil.which("incidents")
    if not found:
        sys.exit("the console script `incidents` is not installed (pip install -e . in this venv)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic incidents repository (policy/ and incidents/).")
    parser.add_argument("out", type=Path, help="the root to write (its policy/ and incidents/ are replaced)")
    parser.add_argument("n", type=int, help="number of incident files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--postmortem-every",
        type=int,
        default=5,
        help="a published postmortem for every K-th resolved incident (0: none)",
    )
    parser.add_argument("--maintenance", type=int, default=4, help="number of maintenance windows")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    generate(args.out, args.n, args.seed, postmortem_every=args.postmortem_every, maintenance=args.maintenance)
    print(f"wrote {args.n} incidents to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
