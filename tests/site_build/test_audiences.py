"""Two audiences from one root (FORMAT.md section 8, "Two audiences"): the differential marker test.

The same records are built three times: with a unique marker planted in every
internal field of every record kind (public and internal site), and with the
markers replaced by plain text (public site). The public site of the planted root
holds none of the markers in any file (pages, search index, sitemap, API, feeds,
calendar), and is byte for byte the public site of the plain root: internal text
changes nothing a customer can read. The internal site holds every marker.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from siteroot import POLICY, build, write_root

pytestmark = pytest.mark.site

MARKER = re.compile(r"ZQX[A-Z]+")

# A severity whose id is a marker: severity ids are internal text.
MARKED_POLICY = POLICY.replace(
    "  - id: SEV-2\n",
    """\
  - id: SEVZQXSEVID
    name: Marked
    description: ZQXPOLICYDESC only the team reads the policy
  - id: SEV-2
""",
)

PUBLIC_INCIDENT = """\
---
id: INC-2026-0001
title: Database failover
severity: SEVZQXSEVID
status: resolved
services: [db]
impact: major_outage
started_at: 2026-03-10T10:00:00Z
detected_at: 2026-03-10T10:02:00Z
acknowledged_at: 2026-03-10T10:04:00Z
mitigated_at: 2026-03-10T11:00:00Z
resolved_at: 2026-03-10T12:00:00Z
roles: {commander: zqxROLEHANDLE, scribe: ZQXSCRIBE}
updates:
  - {at: 2026-03-10T10:05:00Z, status: investigating, message: PUBLIC-UPDATE Database unavailable.}
  - {at: 2026-03-10T12:00:00Z, status: resolved, message: Failover complete.}
timeline:
  - {at: 2026-03-10T10:01:00Z, event: ZQXTIMELINE primary stops answering}
escalations:
  - {at: 2026-03-10T10:30:00Z, to: ZQXESCALATION}
tags: [ZQXTAG]
postmortem_url: https://docs.test/ZQXPMURL
---
ZQXINCIDENTBODY the root cause is a secret ticket https://tracker.test/ZQXTICKET
"""

# Public, with a published public postmortem: its body is public, nothing else of it.
PUBLIC_WITH_POSTMORTEM = PUBLIC_INCIDENT.replace("INC-2026-0001", "INC-2026-0003").replace(
    "postmortem_url: https://docs.test/ZQXPMURL\n", ""
)
PUBLIC_POSTMORTEM = """\
---
type: postmortem
incident: INC-2026-0003
status: published
visibility: public
title: What happened to the database
authors: [ZQXPMAUTHOR]
date: 2026-03-12
action_items:
  - {title: ZQXACTIONTITLE drill, owner: ZQXACTIONOWNER, due: 2026-03-01, priority: P1, status: open,
     link: "https://tracker.test/ZQXACTIONLINK"}
---
## Summary

PUBLIC-POSTMORTEM-BODY The primary failed; the replica took over.
"""

# A public postmortem still in draft, and a published internal one: neither is public.
DRAFT_INCIDENT = PUBLIC_INCIDENT.replace("INC-2026-0001", "INC-2026-0004").replace(
    "postmortem_url: https://docs.test/ZQXPMURL\n", ""
)
DRAFT_POSTMORTEM = """\
---
type: postmortem
incident: INC-2026-0004
status: draft
visibility: public
authors: [ZQXDRAFTAUTHOR]
action_items: []
---
## Summary

ZQXDRAFTBODY not reviewed yet.
"""
INTERNAL_PM_INCIDENT = PUBLIC_INCIDENT.replace("INC-2026-0001", "INC-2026-0005").replace(
    "postmortem_url: https://docs.test/ZQXPMURL\n", ""
)
INTERNAL_POSTMORTEM = """\
---
type: postmortem
incident: INC-2026-0005
status: published
title: ZQXINTPMTITLE
authors: [ZQXINTPMAUTHOR]
date: 2026-03-12
action_items: []
---
## Summary

ZQXINTPMBODY internal only.
"""

INTERNAL_INCIDENT = """\
---
id: INC-ZQXINTID-0099
title: ZQXINTTITLE payroll export
severity: SEV-1
status: investigating
services: [mail]
impact: major_outage
started_at: 2026-03-15T09:00:00Z
detected_at: 2026-03-15T09:01:00Z
roles: {commander: ZQXINTHANDLE}
visibility: internal
updates:
  - {at: 2026-03-15T09:05:00Z, status: investigating, message: ZQXINTUPDATE looking}
---
ZQXINTBODY
"""

INTERNAL_MAINTENANCE = """\
---
type: maintenance
id: MNT-ZQXMAINTID
title: ZQXMAINTTITLE secret migration
services: [db]
scheduled_start: 2026-03-20T06:00:00Z
scheduled_end: 2026-03-20T08:00:00Z
status: scheduled
visibility: internal
updates:
  - {at: 2026-03-14T06:00:00Z, status: scheduled, message: ZQXMAINTUPDATE planned}
---
ZQXMAINTBODY
"""

RECORDS = {
    "incidents/2026/INC-2026-0001.md": PUBLIC_INCIDENT,
    "incidents/2026/INC-2026-0003.md": PUBLIC_WITH_POSTMORTEM,
    "incidents/2026/INC-2026-0003.postmortem.md": PUBLIC_POSTMORTEM,
    "incidents/2026/INC-2026-0004.md": DRAFT_INCIDENT,
    "incidents/2026/INC-2026-0004.postmortem.md": DRAFT_POSTMORTEM,
    "incidents/2026/INC-2026-0005.md": INTERNAL_PM_INCIDENT,
    "incidents/2026/INC-2026-0005.postmortem.md": INTERNAL_POSTMORTEM,
    "incidents/2026/INC-ZQXINTID-0099.md": INTERNAL_INCIDENT,
    "incidents/maintenance/MNT-ZQXMAINTID.md": INTERNAL_MAINTENANCE,
}
MARKERS = sorted(
    {m for text in [*RECORDS.values(), MARKED_POLICY] for m in MARKER.findall(text)}
    | {m.upper() for text in RECORDS.values() for m in re.findall(r"zqx[A-Z]+", text)}
)


def plain(text: str) -> str:
    """The same text without the markers (same length class, nothing to find)."""
    return re.sub(r"[Zz][Qq][Xx]([A-Z]+)", lambda m: "Plain" + m.group(1).lower(), text)


def site_files(site: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out[path.relative_to(site).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return out


def found_markers(files: dict[str, bytes]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for rel, data in files.items():
        upper = data.upper()
        for marker in MARKERS:
            if marker.encode() in upper:
                hits.setdefault(marker, []).append(rel)
    return hits


def _root(tmp_path_factory, name: str, transform, options: str) -> Path:
    records = {path: transform(text) for path, text in RECORDS.items()}
    root = write_root(tmp_path_factory.mktemp(name) / "root", records, policy=transform(MARKED_POLICY), options=options)
    result = build(root)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    return result.site


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    return {
        "public": site_files(_root(tmp_path_factory, "marked-public", str, "")),
        "plain-public": site_files(_root(tmp_path_factory, "plain-public", plain, "")),
        "internal": site_files(_root(tmp_path_factory, "marked-internal", str, ":\n      audience: internal")),
    }


def test_markers_are_planted_in_every_internal_field():
    assert len(MARKERS) >= 25, MARKERS


def test_public_site_holds_no_internal_text_in_any_file(sites):
    public = sites["public"]
    assert "search/search_index.json" in public and "sitemap.xml" in public and "api/v2/incidents.json" in public
    assert len(public) >= 20
    assert found_markers(public) == {}


def test_public_site_is_the_same_whatever_the_internal_text(sites):
    marked, unmarked = sites["public"], sites["plain-public"]
    assert sorted(marked) == sorted(unmarked)
    assert [rel for rel in marked if marked[rel] != unmarked[rel]] == []


def test_public_site_holds_the_public_text(sites):
    public = sites["public"]
    everything = b"".join(public.values())
    assert b"PUBLIC-UPDATE" in everything and b"PUBLIC-POSTMORTEM-BODY" in everything
    assert "postmortems/INC-2026-0003/index.html" in public  # published + visibility public
    for absent in (
        "postmortems/INC-2026-0004/index.html",
        "postmortems/INC-2026-0005/index.html",
        "metrics/index.html",
        "policy/index.html",
        "action-items/index.html",
    ):
        assert absent not in public, absent
    page = public["incidents/INC-2026-0001/index.html"].decode()
    # impact in the words of its badges (one vocabulary), not Statuspage's API enum beside them
    assert "Database failover" in page and '<span class="inc-pill inc-major_outage">Major outage</span>' in page
    assert "critical" not in page


def test_internal_site_holds_every_marker(sites):
    internal = sites["internal"]
    hits = found_markers(internal)
    assert sorted(hits) == MARKERS
    assert "action-items/index.html" in internal and "metrics/index.html" in internal
    items = internal["action-items/index.html"].decode()
    assert "ZQXACTIONOWNER" in items and "Overdue 14 d" in items  # due 2026-03-01, now 2026-03-15
    page = internal["incidents/INC-ZQXINTID-0099/index.html"].decode()
    assert "inc-internal" in page
    # the API, feeds and calendar stay the public ones
    for rel in ("api/v2/incidents.json", "history.atom", "maintenance.ics", "api/v2/summary.json"):
        assert internal[rel] == sites["public"][rel], rel


def test_public_metrics_and_policy_are_opt_in_and_count_public_incidents(tmp_path):
    records = {path: plain(text) for path, text in RECORDS.items()}
    root = write_root(
        tmp_path / "root",
        records,
        policy=plain(MARKED_POLICY),
        options=":\n      public_metrics: true\n      public_policy: true",
    )
    result = build(root)
    assert result.returncode == 0, result.output
    metrics = (result.site / "metrics" / "index.html").read_text()
    assert (result.site / "policy" / "index.html").is_file()
    # four public incidents; the internal one is not counted
    assert re.search(r"\b4\b incidents", metrics) or ">4<" in metrics, metrics[:3000]
