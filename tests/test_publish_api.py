"""incidents.publish.statuspage: the api/v2 documents in Atlassian Statuspage's public shapes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incidents.policy.policy_file import Policy, Service, Severity
from incidents.publish import status
from incidents.publish.statuspage import (
    API_PATHS,
    PageInfo,
    api_documents,
    component_id,
    dumps,
    group_id,
)
from incidents.reading.validate import Repository, validate_root
from incidents.records.model import Incident, Maintenance, Update

PAGE = PageInfo(id="acmestatus01", name="Acme Cloud", url="https://status.example.com/")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

PAGE_KEYS = ["id", "name", "url", "time_zone", "updated_at"]
COMPONENT_KEYS = [
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
]
INCIDENT_KEYS = [
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "impact",
    "shortlink",
    "started_at",
    "page_id",
    "incident_updates",
    "components",
]
UPDATE_KEYS = [
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
    "custom_tweet",
    "tweet_id",
    "components",
]
MAINTENANCE_KEYS = INCIDENT_KEYS + ["scheduled_for", "scheduled_until"]
TOP_KEYS = {
    "api/v2/summary.json": ["page", "components", "incidents", "scheduled_maintenances", "status"],
    "api/v2/status.json": ["page", "status"],
    "api/v2/components.json": ["page", "components"],
    "api/v2/incidents.json": ["page", "incidents"],
    "api/v2/incidents/unresolved.json": ["page", "incidents"],
    "api/v2/scheduled-maintenances.json": ["page", "scheduled_maintenances"],
    "api/v2/scheduled-maintenances/upcoming.json": ["page", "scheduled_maintenances"],
    "api/v2/scheduled-maintenances/active.json": ["page", "scheduled_maintenances"],
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


POLICY = Policy(
    severities=(Severity("SEV-1", "Critical", 0), Severity("SEV-2", "Major", 1)),
    services=(
        Service("api", "Public API", 0, "Core", "The REST API"),
        Service("web", "Dashboard", 1, "Core"),
        Service("db", "Database", 2, None),
        Service("mail", "Email", 3, "Comms"),
    ),
)


def inc(
    id_,
    impact,
    start,
    *,
    status="investigating",
    mitigated=None,
    resolved=None,
    visibility="public",
    title=None,
    extra_updates=(),
) -> Incident:
    started = t(start)
    updates = [Update(started + timedelta(minutes=5), "investigating", f"Looking at {id_}")]
    updates += list(extra_updates)
    if status == "resolved":
        updates.append(Update(t(resolved), "resolved", "Resolved."))
    return Incident(
        id=id_,
        title=title or f"Incident {id_}",
        severity="SEV-2",
        status=status,
        services=tuple(impact),
        impact=dict(impact),
        started_at=started,
        detected_at=started,
        acknowledged_at=started,
        mitigated_at=t(mitigated) if mitigated else None,
        resolved_at=t(resolved) if resolved else None,
        updates=tuple(updates),
        visibility=visibility,
    )


def mnt(id_, services, start, end, status="scheduled", visibility="public") -> Maintenance:
    return Maintenance(
        id=id_,
        title=f"Window {id_}",
        services=tuple(services),
        scheduled_start=t(start),
        scheduled_end=t(end),
        status=status,
        visibility=visibility,
        updates=(Update(t(start) - timedelta(days=2), "scheduled", "Planned."),),
    )


def sample_repo() -> Repository:
    incidents = [
        inc(
            "INC-1",
            {"api": "partial_outage", "web": "degraded_performance"},
            "2026-03-10T09:00:00Z",
            status="monitoring",
            mitigated="2026-03-10T10:00:00Z",
            extra_updates=[
                Update(t("2026-03-10T09:30:00Z"), "identified", "Found it."),
                Update(t("2026-03-10T10:05:00Z"), "monitoring", "Fix deployed."),
            ],
        ),
        inc(
            "INC-0", {"db": "major_outage"}, "2026-03-01T09:00:00Z", status="resolved", resolved="2026-03-01T10:00:00Z"
        ),
        inc(
            "INC-SECRET",
            {"mail": "major_outage"},
            "2026-03-10T08:00:00Z",
            visibility="internal",
            title="Secret internal breach",
        ),
    ]
    maintenances = [
        mnt("MNT-NOW", ["mail"], "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z"),
        mnt("MNT-NEXT", ["db"], "2026-03-12T01:00:00Z", "2026-03-12T02:00:00Z"),
        mnt("MNT-OLD", ["db"], "2026-02-01T01:00:00Z", "2026-02-01T02:00:00Z", "completed"),
        mnt("MNT-HIDDEN", ["db"], "2026-03-11T01:00:00Z", "2026-03-11T02:00:00Z", visibility="internal"),
    ]
    return Repository(Path("."), POLICY, tuple(incidents), (), tuple(maintenances))


@pytest.fixture(scope="module")
def docs():
    return api_documents(sample_repo(), NOW, PAGE)


def walk(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)


def check_incident(doc, keys=INCIDENT_KEYS):
    assert list(doc) == keys
    for upd in doc["incident_updates"]:
        assert list(upd) == UPDATE_KEYS
        assert upd["incident_id"] == doc["id"]
        if upd["affected_components"] is not None:
            for ac in upd["affected_components"]:
                assert list(ac) == ["code", "name", "old_status", "new_status"]
                assert ac["old_status"] in status.COMPONENT_STATUSES
                assert ac["new_status"] in status.COMPONENT_STATUSES
    for comp in doc["components"]:
        assert list(comp) == COMPONENT_KEYS
    times = [u["display_at"] for u in doc["incident_updates"]]
    assert times == sorted(times, reverse=True)  # newest first


def test_every_path_with_statuspage_top_level_keys(docs):
    assert list(docs) == list(API_PATHS)
    for path, doc in docs.items():
        assert list(doc) == TOP_KEYS[path], path
        assert list(doc["page"]) == PAGE_KEYS
        assert doc["page"]["time_zone"] == "Etc/UTC"
        assert doc["page"]["id"] == PAGE.id and doc["page"]["url"] == PAGE.url


def test_enums_and_timestamps(docs):
    for path, doc in docs.items():
        for comp in doc.get("components", []):
            assert comp["status"] in status.COMPONENT_STATUSES
        for incident in doc.get("incidents", []):
            check_incident(incident)
            assert incident["status"] in ("investigating", "identified", "monitoring", "resolved")
            assert incident["impact"] in ("none", "minor", "major", "critical")
            for upd in incident["incident_updates"]:
                assert upd["status"] in ("investigating", "identified", "monitoring", "resolved")
        for m in doc.get("scheduled_maintenances", []):
            check_incident(m, MAINTENANCE_KEYS)
            assert m["impact"] == "maintenance"
            assert m["status"] in ("scheduled", "in_progress", "completed")
        if "status" in doc:
            assert list(doc["status"]) == ["indicator", "description"]
            assert doc["status"]["indicator"] in ("none", "minor", "major", "critical", "maintenance")
        for key, value in walk(doc):
            if key.endswith("_at") or key in ("scheduled_for", "scheduled_until"):
                assert value is None or TIMESTAMP.match(value), (path, key, value)


def test_components_groups_and_positions(docs):
    comps = docs["api/v2/components.json"]["components"]
    assert [c["name"] for c in comps] == ["Core", "Public API", "Dashboard", "Database", "Comms", "Email"]
    core, api, web, db, comms, mail = comps
    assert core["group"] is True and list(core) == COMPONENT_KEYS + ["components"]
    assert core["components"] == [api["id"], web["id"]] == [component_id("api"), component_id("web")]
    assert core["id"] == group_id("Core") and core["group_id"] is None
    assert api["group_id"] == core["id"] and web["group_id"] == core["id"] and db["group_id"] is None
    assert mail["group_id"] == comms["id"] and comms["components"] == [mail["id"]]
    # positions are counted within their level
    assert [core["position"], db["position"], comms["position"]] == [1, 2, 3]
    assert [api["position"], web["position"], mail["position"]] == [1, 2, 1]
    assert api["description"] == "The REST API" and web["description"] is None
    assert all(c["page_id"] == PAGE.id and c["only_show_if_degraded"] is False for c in comps)
    # statuses: INC-1 open (monitoring): api partial, web degraded; the internal incident does not
    # count, the maintenance window on mail is running.
    assert {c["name"]: c["status"] for c in comps} == {
        "Core": "partial_outage",
        "Public API": "partial_outage",
        "Dashboard": "degraded_performance",
        "Database": "operational",
        "Comms": "under_maintenance",
        "Email": "under_maintenance",
    }
    assert len({c["id"] for c in comps}) == len(comps)
    assert all(re.fullmatch(r"[a-z0-9]{12}", c["id"]) for c in comps)


def test_status_and_summary(docs):
    summary = docs["api/v2/summary.json"]
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert docs["api/v2/status.json"]["status"] == summary["status"]
    assert summary["components"] == docs["api/v2/components.json"]["components"]
    assert [i["id"] for i in summary["incidents"]] == ["INC-1"]
    assert summary["incidents"] == docs["api/v2/incidents/unresolved.json"]["incidents"]
    # in progress first, then upcoming; completed and internal ones are not in the summary
    assert [m["id"] for m in summary["scheduled_maintenances"]] == ["MNT-NOW", "MNT-NEXT"]
    assert [m["status"] for m in summary["scheduled_maintenances"]] == ["in_progress", "scheduled"]
    assert [m["id"] for m in docs["api/v2/scheduled-maintenances/active.json"]["scheduled_maintenances"]] == ["MNT-NOW"]
    assert [m["id"] for m in docs["api/v2/scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]] == [
        "MNT-NEXT"
    ]
    assert [m["id"] for m in docs["api/v2/scheduled-maintenances.json"]["scheduled_maintenances"]] == [
        "MNT-NEXT",
        "MNT-NOW",
        "MNT-OLD",
    ]
    # a maintenance's shortlink is its own page, not the site root
    assert [m["shortlink"] for m in summary["scheduled_maintenances"]] == [
        "https://status.example.com/maintenance/MNT-NOW/",
        "https://status.example.com/maintenance/MNT-NEXT/",
    ]


def test_incident_fields(docs):
    one, zero = docs["api/v2/incidents.json"]["incidents"]
    assert (one["id"], zero["id"]) == ("INC-1", "INC-0")  # newest first
    assert one["name"] == "Incident INC-1" and one["status"] == "monitoring" and one["impact"] == "major"
    assert one["shortlink"] == "https://status.example.com/incidents/INC-1/"
    assert one["started_at"] == "2026-03-10T09:00:00.000Z"
    assert one["created_at"] == "2026-03-10T09:05:00.000Z"  # the first public update
    assert one["updated_at"] == "2026-03-10T10:05:00.000Z"  # the last update
    assert one["monitoring_at"] == "2026-03-10T10:05:00.000Z"  # the first `monitoring` update, not mitigated_at
    assert one["resolved_at"] is None
    assert [u["status"] for u in one["incident_updates"]] == ["monitoring", "identified", "investigating"]
    first = one["incident_updates"][-1]
    assert first["body"] == "Looking at INC-1"
    assert first["affected_components"] == [
        {
            "code": component_id("api"),
            "name": "Public API",
            "old_status": "operational",
            "new_status": "partial_outage",
        },
        {
            "code": component_id("web"),
            "name": "Dashboard",
            "old_status": "operational",
            "new_status": "degraded_performance",
        },
    ]
    assert [c["name"] for c in one["components"]] == ["Public API", "Dashboard"]
    assert zero["impact"] == "critical" and zero["resolved_at"] == "2026-03-01T10:00:00.000Z"
    assert zero["incident_updates"][0]["affected_components"][0]["new_status"] == "operational"
    assert zero["monitoring_at"] is None


def test_monitoring_at_from_the_first_monitoring_update_without_mitigated_at():
    r = Repository(
        Path("."),
        POLICY,
        (
            inc(
                "I",
                {"api": "degraded_performance"},
                "2026-03-10T09:00:00Z",
                status="monitoring",
                extra_updates=[Update(t("2026-03-10T09:40:00Z"), "monitoring", "ok")],
            ),
        ),
    )
    doc = api_documents(r, NOW, PAGE)["api/v2/incidents.json"]["incidents"][0]
    assert doc["monitoring_at"] == "2026-03-10T09:40:00.000Z"


def test_internal_records_never_appear(docs):
    for path, doc in docs.items():
        text = dumps(doc)
        for secret in ("INC-SECRET", "Secret internal breach", "MNT-HIDDEN", "Window MNT-HIDDEN"):
            assert secret not in text, (path, secret)


def test_ids_stable_and_output_deterministic(docs):
    again = api_documents(sample_repo(), NOW, PAGE)
    assert {p: dumps(d) for p, d in again.items()} == {p: dumps(d) for p, d in docs.items()}
    later = api_documents(sample_repo(), NOW + timedelta(days=30), PAGE)
    ids = lambda d: [c["id"] for c in d["api/v2/components.json"]["components"]]  # noqa: E731
    upd_ids = lambda d: [
        u["id"]
        for i in d["api/v2/incidents.json"]["incidents"]  # noqa: E731
        for u in i["incident_updates"]
    ]
    assert ids(later) == ids(docs)
    assert upd_ids(later) == upd_ids(docs)
    all_ids = upd_ids(docs)
    assert len(set(all_ids)) == len(all_ids)


def test_fifty_most_recent_newest_first_and_every_open_one():
    incidents = []
    base = t("2026-01-01T00:00:00Z")
    for n in range(60):
        start = (base + timedelta(hours=n)).isoformat()
        if n % 2:
            incidents.append(inc(f"INC-{n:03d}", {"api": "degraded_performance"}, start))
        else:
            incidents.append(
                inc(
                    f"INC-{n:03d}",
                    {"api": "degraded_performance"},
                    start,
                    status="resolved",
                    resolved=(base + timedelta(hours=n, minutes=30)).isoformat(),
                )
            )
    incidents.append(inc("INC-HIDDEN", {"api": "major_outage"}, "2026-03-09T00:00:00Z", visibility="internal"))
    r = Repository(Path("."), POLICY, tuple(reversed(incidents)))
    docs = api_documents(r, NOW, PAGE)
    listed = docs["api/v2/incidents.json"]["incidents"]
    assert [i["id"] for i in listed] == [f"INC-{n:03d}" for n in range(59, 9, -1)]
    assert len(docs["api/v2/incidents/unresolved.json"]["incidents"]) == 30
    assert "INC-HIDDEN" not in dumps(docs["api/v2/incidents/unresolved.json"])


def test_dumps_is_stable_text():
    text = dumps({"name": "Café – ünïcode", "n": [1, 2]})
    assert text.endswith("}\n") and "Café – ünïcode" in text and '\n  "n": [' in text
    assert json.loads(text) == {"name": "Café – ünïcode", "n": [1, 2]}


def test_timestamps_are_utc_with_milliseconds():
    r = Repository(Path("."), POLICY, (inc("I", {"api": "degraded_performance"}, "2026-03-10T11:00:00.1234+02:00"),))
    doc = api_documents(r, NOW, PAGE)["api/v2/incidents.json"]["incidents"][0]
    assert doc["started_at"] == "2026-03-10T09:00:00.123Z"


# ---- from files on disk, through validate_root --------------------------------------------------

POLICY_YML = """\
severities:
  - id: SEV-1
    name: Critical
    description: Everything is down
  - id: SEV-2
    name: Minor
    description: Something is slow
roles: [commander]
priorities: [P1]
"""
SERVICES_YML = """\
services:
  - id: api
    name: Public API
    group: Core
  - id: db
    name: Database
"""
OPEN_INCIDENT = """\
---
id: INC-2026-0001
title: "API errors <b>&</b> timeouts"
severity: SEV-1
status: identified
services: [api, db]
impact: {api: major_outage, db: degraded_performance}
started_at: 2026-03-10T10:00:00+01:00
detected_at: 2026-03-10T09:05:00Z
acknowledged_at: 2026-03-10T09:10:00Z
identified_at: 2026-03-10T09:30:00Z
updates:
  - at: 2026-03-10T09:15:00Z
    status: investigating
    message: We are investigating errors.
  - at: 2026-03-10T09:35:00Z
    status: identified
    message: A bad deploy; rolling back.
---
Narrative.
"""
INTERNAL_INCIDENT = """\
---
id: INC-2026-0002
title: Internal only
severity: SEV-2
status: investigating
services: [db]
impact: major_outage
started_at: 2026-03-10T08:00:00Z
detected_at: 2026-03-10T08:00:00Z
visibility: internal
---
"""
MAINTENANCE = """\
---
type: maintenance
id: MNT-2026-0001
title: Database upgrade
services: [db]
scheduled_start: 2026-03-11T22:00:00Z
scheduled_end: 2026-03-12T00:00:00Z
status: scheduled
updates:
  - at: 2026-03-01T10:00:00Z
    status: scheduled
    message: Planned upgrade.
---
"""


def test_documents_from_a_validated_root(tmp_path):
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY_YML)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES_YML)
    folder = tmp_path / "incidents" / "2026"
    folder.mkdir(parents=True)
    (folder / "INC-2026-0001.md").write_text(OPEN_INCIDENT)
    (folder / "INC-2026-0002.md").write_text(INTERNAL_INCIDENT)
    (folder / "MNT-2026-0001.md").write_text(MAINTENANCE)
    report = validate_root(tmp_path)
    assert report.errors == 0, report.findings
    docs = api_documents(report.repository, NOW, PAGE)
    summary = docs["api/v2/summary.json"]
    assert summary["status"] == {"indicator": "critical", "description": "Major System Outage"}
    assert [(c["name"], c["status"]) for c in summary["components"]] == [
        ("Core", "major_outage"),
        ("Public API", "major_outage"),
        ("Database", "degraded_performance"),
    ]
    (incident,) = summary["incidents"]
    assert incident["name"] == "API errors <b>&</b> timeouts"  # JSON carries the text as written
    assert incident["started_at"] == "2026-03-10T09:00:00.000Z"
    assert incident["status"] == "identified" and incident["impact"] == "critical"
    assert [m["id"] for m in summary["scheduled_maintenances"]] == ["MNT-2026-0001"]
    assert "INC-2026-0002" not in "".join(dumps(d) for d in docs.values())


def test_published_files_holds_every_non_page_output():
    from incidents.publish import OTHER_PATHS, published_files

    files = published_files(sample_repo(), NOW, PAGE)
    assert list(files) == list(API_PATHS) + list(OTHER_PATHS)
    assert all(isinstance(v, bytes) and v for v in files.values())
    assert json.loads(files["api/v2/status.json"])["status"]["indicator"] == "major"
    assert b"Partial System Outage" in files["badge.svg"]
    assert files == published_files(sample_repo(), NOW, PAGE)  # byte-identical
    for path, data in files.items():
        assert b"INC-SECRET" not in data and b"MNT-HIDDEN" not in data, path
