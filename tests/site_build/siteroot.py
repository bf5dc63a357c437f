"""Small incidents roots for the site tests, and a real `mkdocs build` of them.

Shared by tests/site_build and tests/browser (imported as a plain module from this folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# "now" of every test build: 2026-03-15T12:00:00Z
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    description: Complete outage of a core service
    acknowledge_within: 15m
    resolve_within: 1h
    update_every: 30m
    first_update_within: 15m
    detect_within: 5m
    required_roles: [commander]
    postmortem: {required: false}
    escalation:
      - {after: 30m, to: VP Engineering}
    response: All hands, war room
  - id: SEV-2
    name: Major
    description: Degraded service for many customers
    acknowledge_within: 30m
    resolve_within: 4h
roles: [commander, scribe, security_lead]
priorities: [P1, P2]
roles_for_tags:
  security: [security_lead]
postmortem:
  required_sections: [Summary]
  placeholders: ["TBD"]
metrics:
  mttr_from: started_at
"""

SERVICES = """\
services:
  - id: api
    name: Public API
    group: Core
  - id: web
    name: Dashboard
    group: Core
  - id: db
    name: Database
    group: Data
  - id: mail
    name: Email
"""

MKDOCS = """\
site_name: Test Status
site_url: https://status.test/
theme:
  name: material
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/weather-night, name: Dark}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/weather-sunny, name: Light}
plugins:
  - search
  - incidents{options}
"""

# Open, public: partial outage on api, degraded on web -> indicator major ("Partial System Outage").
OPEN = """\
---
id: INC-2026-0002
title: Elevated API errors
severity: SEV-1
status: identified
services: [api, web]
impact: {api: partial_outage, web: degraded_performance}
started_at: 2026-03-15T10:00:00Z
detected_at: 2026-03-15T10:03:00Z
acknowledged_at: 2026-03-15T10:05:00Z
identified_at: 2026-03-15T10:30:00Z
roles: {commander: alice}
updates:
  - {at: 2026-03-15T10:10:00Z, status: investigating, message: FIRST-UPDATE We are investigating.}
  - {at: 2026-03-15T10:35:00Z, status: identified, message: SECOND-UPDATE A bad deploy; rolling back.}
---
The API returns errors for some requests.
"""

# Resolved, public: 60 minutes of major outage on db on 2026-03-10 (mitigated 11:00, resolved 12:00).
RESOLVED = """\
---
id: INC-2026-0001
title: Database failover
severity: SEV-2
status: resolved
services: [db]
impact: major_outage
started_at: 2026-03-10T10:00:00Z
detected_at: 2026-03-10T10:02:00Z
acknowledged_at: 2026-03-10T10:04:00Z
identified_at: 2026-03-10T10:20:00Z
mitigated_at: 2026-03-10T11:00:00Z
resolved_at: 2026-03-10T12:00:00Z
roles: {commander: bob, scribe: carol}
updates:
  - {at: 2026-03-10T10:05:00Z, status: investigating, message: Database unavailable.}
  - {at: 2026-03-10T12:00:00Z, status: resolved, message: Failover complete.}
timeline:
  - {at: 2026-03-10T10:01:00Z, event: SCRIBE-ENTRY primary stops answering}
tags: [database]
---
## What happened

The primary database failed over.
"""

POSTMORTEM = """\
---
type: postmortem
incident: INC-2026-0001
status: published
authors: [bob]
date: 2026-03-12
action_items:
  - {title: Add a failover drill, owner: bob, due: 2026-04-01, priority: P1, status: open,
     link: "https://tracker.test/1"}
---
## Summary

The primary failed; the replica took over.
"""

INTERNAL = """\
---
id: INC-SECRET-0099
title: SECRET-INTERNAL-TITLE payroll export leak
severity: SEV-1
status: investigating
services: [mail]
impact: major_outage
started_at: 2026-03-15T09:00:00Z
detected_at: 2026-03-15T09:01:00Z
roles: {commander: SECRET-HANDLE-zed}
visibility: internal
---
SECRET-INTERNAL-BODY only the security team may read this.
"""

# In progress now on mail -> mail under maintenance (the internal incident does not count).
MAINT_ACTIVE = """\
---
type: maintenance
id: MNT-2026-0001
title: Email provider migration
services: [mail]
scheduled_start: 2026-03-15T11:00:00Z
scheduled_end: 2026-03-15T13:00:00Z
status: in_progress
updates:
  - {at: 2026-03-15T11:00:00Z, status: in_progress, message: Migration started.}
---
Emails may be delayed.
"""

MAINT_UPCOMING = """\
---
type: maintenance
id: MNT-2026-0002
title: Database upgrade
services: [db]
scheduled_start: 2026-03-20T06:00:00Z
scheduled_end: 2026-03-20T08:00:00Z
status: scheduled
---
Planned upgrade to the next major version.
"""

STANDARD = {
    "incidents/2026/INC-2026-0001.md": RESOLVED,
    "incidents/2026/INC-2026-0001.postmortem.md": POSTMORTEM,
    "incidents/2026/INC-2026-0002.md": OPEN,
    "incidents/2026/INC-SECRET-0099.md": INTERNAL,
    "incidents/maintenance/MNT-2026-0001.md": MAINT_ACTIVE,
    "incidents/maintenance/MNT-2026-0002.md": MAINT_UPCOMING,
}


def write_root(
    root: Path,
    records: dict[str, str] | None = None,
    *,
    options: str = "",
    policy: str = POLICY,
    services: str = SERVICES,
    docs: bool = True,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "policy").mkdir(exist_ok=True)
    (root / "policy" / "policy.yml").write_text(policy, encoding="utf-8")
    (root / "policy" / "services.yml").write_text(services, encoding="utf-8")
    for rel, text in (STANDARD if records is None else records).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS.replace("{options}", options), encoding="utf-8")
    if docs:
        (root / "docs").mkdir(exist_ok=True)
    return root


@dataclass
class Build:
    returncode: int
    output: str
    site: Path


def build(
    root: Path, site: Path | None = None, *, epoch: int | None = EPOCH, strict: bool = False, config: str = "mkdocs.yml"
) -> Build:
    """`mkdocs build` of root/<config> into `site` (default root/site), as a user runs it."""
    site = site or root / "site"
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    env["NO_MKDOCS_2_WARNING"] = "1"
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / config), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    return Build(proc.returncode, proc.stdout + proc.stderr, site)


SECTION8_PATHS = (
    "index.html",
    "incidents/INC-2026-0001/index.html",
    "incidents/INC-2026-0002/index.html",
    "postmortems/index.html",
    "postmortems/INC-2026-0001/index.html",
    "history/index.html",
    "metrics/index.html",
    "policy/index.html",
    "api/v2/summary.json",
    "api/v2/status.json",
    "api/v2/components.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
    "api/v2/scheduled-maintenances.json",
    "api/v2/scheduled-maintenances/upcoming.json",
    "api/v2/scheduled-maintenances/active.json",
    "history.atom",
    "history.rss",
    "maintenance.ics",
    "badge.svg",
)
