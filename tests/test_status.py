"""incidents.publish.status: component statuses, the page roll-up and uptime, at a given "now" (FORMAT.md section 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from incidents.policy.policy_file import Policy, Service, Severity
from incidents.publish import status
from incidents.reading.validate import Repository
from incidents.records.model import Incident, Maintenance, Update

UTC = UTC


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


POLICY = Policy(
    severities=(Severity("SEV-1", "Critical", 0), Severity("SEV-2", "Major", 1), Severity("SEV-3", "Minor", 2)),
    services=(
        Service("api", "Public API", 0, "Core"),
        Service("web", "Dashboard", 1, "Core"),
        Service("db", "Database", 2, None),
    ),
)


def inc(
    id_,
    impact: dict,
    start: str,
    *,
    status="investigating",
    mitigated=None,
    resolved=None,
    visibility="public",
    severity="SEV-2",
    title=None,
) -> Incident:
    started = t(start)
    updates = [Update(started, "investigating", f"{id_} investigating")]
    if status in ("identified", "monitoring"):
        updates.append(Update(t(mitigated) if mitigated else started + timedelta(minutes=1), status, "more"))
    if status == "resolved":
        updates.append(Update(t(resolved), "resolved", "fixed"))
    return Incident(
        id=id_,
        title=title or f"Incident {id_}",
        severity=severity,
        status=status,
        services=tuple(impact),
        impact=dict(impact),
        started_at=started,
        detected_at=started,
        acknowledged_at=started if status != "investigating" else None,
        mitigated_at=t(mitigated) if mitigated else None,
        resolved_at=t(resolved) if resolved else None,
        updates=tuple(updates),
        visibility=visibility,
    )


def mnt(id_, services, start: str, end: str, status="scheduled", visibility="public") -> Maintenance:
    return Maintenance(
        id=id_,
        title=f"Maintenance {id_}",
        services=tuple(services),
        scheduled_start=t(start),
        scheduled_end=t(end),
        status=status,
        visibility=visibility,
        updates=(Update(t(start) - timedelta(days=3), "scheduled", "planned"),),
    )


def repo(incidents=(), maintenances=(), policy=POLICY) -> Repository:
    return Repository(Path("."), policy, tuple(incidents), (), tuple(maintenances))


NOW = t("2026-03-10T12:00:00Z")


# ---- uptime: a hand-computed case -----------------------------------------------------------


def uptime_repo() -> Repository:
    return repo(
        [
            # A: major outage on api 2026-03-08 23:00Z (written +02:00) until mitigated 03-09 01:00Z;
            #    resolved an hour later, which must not count.
            inc(
                "A",
                {"api": "major_outage"},
                "2026-03-09T01:00:00+02:00",
                status="resolved",
                mitigated="2026-03-09T01:00:00Z",
                resolved="2026-03-09T02:00:00Z",
            ),
            # B: partial outage 03-09 00:30 -> 03:00 (no mitigated_at: resolved_at ends it); overlaps A 00:30-01:00.
            inc(
                "B",
                {"api": "partial_outage", "web": "major_outage"},
                "2026-03-09T00:30:00Z",
                status="resolved",
                resolved="2026-03-09T03:00:00Z",
            ),
            # C: degraded 05:00 -> 06:00: not downtime, but counted as degraded minutes.
            inc(
                "C",
                {"api": "degraded_performance"},
                "2026-03-09T05:00:00Z",
                status="resolved",
                resolved="2026-03-09T06:00:00Z",
            ),
            # D: internal major outage: not in the published uptime.
            inc(
                "D",
                {"api": "major_outage"},
                "2026-03-09T10:00:00Z",
                status="resolved",
                resolved="2026-03-09T12:00:00Z",
                visibility="internal",
            ),
            # E: open major outage since 03-10 11:00: counts until now (12:00).
            inc("E", {"api": "major_outage"}, "2026-03-10T11:00:00Z"),
        ]
    )


def test_uptime_hand_computed():
    rows = status.uptime_days(uptime_repo(), "api", NOW, days=3)
    assert [r.day for r in rows] == [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    d8, d9, d10 = rows
    # 03-08: A from 23:00 to midnight = 60 major minutes -> 1 - 60/1440
    assert (d8.major_minutes, d8.partial_minutes, d8.degraded_minutes) == (60, 0, 0)
    assert d8.uptime == pytest.approx(1 - 60 / 1440)  # 0.958333
    assert d8.incident_ids == ("A",)
    # 03-09: 00:00-01:00 major (A; B's 00:30-01:00 counted once, at the worst) = 60;
    #        01:00-03:00 partial (B alone) = 120; 05:00-06:00 degraded (C) = 60; D internal: ignored.
    #        uptime = 1 - (60 + 0.3 * 120) / 1440 = 1 - 96/1440 = 0.933333
    assert (d9.major_minutes, d9.partial_minutes, d9.degraded_minutes) == (60, 120, 60)
    assert d9.uptime == pytest.approx(1 - 96 / 1440)
    assert d9.incident_ids == ("A", "B", "C")
    # 03-10: E open from 11:00 until now 12:00 = 60 major minutes; nothing after now.
    assert (d10.major_minutes, d10.partial_minutes) == (60, 0)
    assert d10.uptime == pytest.approx(1 - 60 / 1440)
    # over the three days: 1 - (60 + 96 + 60) / (3 * 1440) = 1 - 216/4320 = 95 %
    assert status.uptime_percent(uptime_repo(), "api", NOW, days=3) == pytest.approx(95.0)


def test_uptime_of_another_service_uses_its_own_impact():
    rows = status.uptime_days(uptime_repo(), "web", NOW, days=3)
    # B is a major outage for web: 00:30 -> 03:00 = 150 minutes
    assert rows[1].major_minutes == 150
    assert rows[1].uptime == pytest.approx(1 - 150 / 1440)
    assert rows[0].uptime == 1.0 and rows[2].uptime == 1.0


def test_uptime_window_is_90_days_ending_today_oldest_first():
    rows = status.uptime_days(uptime_repo(), "db", NOW)
    assert len(rows) == 90
    assert rows[-1].day == NOW.date() and rows[0].day == NOW.date() - timedelta(days=89)
    assert all(r.uptime == 1.0 and r.incident_ids == () for r in rows)
    assert status.uptime_percent(uptime_repo(), "db", NOW) == 100.0


def test_uptime_incident_spanning_days_is_split_at_utc_midnight():
    r = repo(
        [inc("X", {"db": "partial_outage"}, "2026-03-07T22:00:00Z", status="resolved", resolved="2026-03-09T02:00:00Z")]
    )
    rows = status.uptime_days(r, "db", NOW, days=4)
    assert [row.partial_minutes for row in rows] == [120, 1440, 120, 0]
    assert rows[1].uptime == pytest.approx(1 - 0.3)


def test_incident_starting_after_now_is_open_but_not_yet_downtime():
    # "open" is what the record says; uptime only counts time up to now
    r = repo([inc("F", {"db": "major_outage"}, "2026-03-10T18:00:00Z")])
    assert status.uptime_days(r, "db", NOW, days=1)[0].uptime == 1.0
    assert [i.id for i in status.open_incidents(r, NOW)] == ["F"]
    assert status.component_statuses(r, NOW)["db"] == "major_outage"


# ---- component statuses -----------------------------------------------------------------------


def test_all_operational_without_incidents_in_catalogue_order():
    assert status.component_statuses(repo(), NOW) == {"api": "operational", "web": "operational", "db": "operational"}


def test_worst_open_public_impact_wins():
    r = repo(
        [
            inc("1", {"api": "degraded_performance"}, "2026-03-10T09:00:00Z"),
            inc(
                "2",
                {"api": "major_outage", "web": "partial_outage"},
                "2026-03-10T10:00:00Z",
                status="monitoring",
                mitigated="2026-03-10T10:30:00Z",
            ),
            inc(
                "3", {"db": "major_outage"}, "2026-03-09T10:00:00Z", status="resolved", resolved="2026-03-09T11:00:00Z"
            ),
            inc("4", {"db": "major_outage"}, "2026-03-10T10:00:00Z", visibility="internal"),
        ]
    )
    assert status.component_statuses(r, NOW) == {"api": "major_outage", "web": "partial_outage", "db": "operational"}


@pytest.mark.parametrize(
    "m_status,start,end,expected",
    [
        ("in_progress", "2026-03-10T13:00:00Z", "2026-03-10T14:00:00Z", "under_maintenance"),  # status says so
        ("scheduled", "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z", "under_maintenance"),  # window running
        ("scheduled", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z", "under_maintenance"),  # starts now
        ("scheduled", "2026-03-10T11:00:00Z", "2026-03-10T12:00:00Z", "operational"),  # ended now
        ("scheduled", "2026-03-11T11:00:00Z", "2026-03-11T13:00:00Z", "operational"),  # upcoming
        ("completed", "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z", "operational"),  # done early
    ],
)
def test_maintenance_window(m_status, start, end, expected):
    r = repo(maintenances=[mnt("M", ["db"], start, end, m_status)])
    assert status.component_statuses(r, NOW)["db"] == expected
    assert status.maintenance_in_progress(r.maintenances[0], NOW) is (expected == "under_maintenance")


def test_internal_maintenance_is_not_shown():
    r = repo(maintenances=[mnt("M", ["db"], "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z", visibility="internal")])
    assert status.component_statuses(r, NOW)["db"] == "operational"
    assert status.active_maintenances(r, NOW) == []


@pytest.mark.parametrize(
    "impact,expected",
    [
        ("degraded_performance", "under_maintenance"),  # no incident worse than degraded: maintenance shows
        ("partial_outage", "partial_outage"),
        ("major_outage", "major_outage"),
    ],
)
def test_maintenance_versus_incident(impact, expected):
    r = repo(
        [inc("1", {"db": impact}, "2026-03-10T11:30:00Z")],
        [mnt("M", ["db"], "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z", "in_progress")],
    )
    assert status.component_statuses(r, NOW)["db"] == expected


# ---- the page indicator and description ---------------------------------------------------------


def page(*incidents, maintenances=()):
    return status.page_status(repo(incidents, maintenances), NOW)


def test_page_none():
    assert page() == status.PageStatus("none", "All Systems Operational")
    resolved = inc(
        "1", {"db": "major_outage"}, "2026-03-09T10:00:00Z", status="resolved", resolved="2026-03-09T11:00:00Z"
    )
    assert page(resolved).indicator == "none"
    assert page(inc("2", {"db": "major_outage"}, "2026-03-10T10:00:00Z", visibility="internal")).indicator == "none"


def test_page_minor_degraded_only():
    assert page(inc("1", {"api": "degraded_performance"}, "2026-03-10T10:00:00Z")) == status.PageStatus(
        "minor", "Partially Degraded Service"
    )


def test_page_partial_outage_is_major_from_the_incident_impact():
    # roll-up: some component in partial outage -> minor; the incident's impact (partial -> major) is worse
    assert page(inc("1", {"api": "partial_outage"}, "2026-03-10T10:00:00Z")) == status.PageStatus(
        "major", "Partial System Outage"
    )


def test_page_every_component_partial_is_major():
    assert page(
        inc("1", {"api": "partial_outage", "web": "partial_outage", "db": "partial_outage"}, "2026-03-10T10:00:00Z")
    ) == status.PageStatus("major", "Partial System Outage")


def test_page_major_outage_is_critical():
    assert page(inc("1", {"api": "major_outage"}, "2026-03-10T10:00:00Z")) == status.PageStatus(
        "critical", "Major System Outage"
    )
    assert (
        page(
            inc("1", {"api": "major_outage", "web": "major_outage", "db": "major_outage"}, "2026-03-10T10:00:00Z")
        ).indicator
        == "critical"
    )


def test_page_maintenance():
    m = mnt("M", ["db"], "2026-03-10T11:00:00Z", "2026-03-10T13:00:00Z")
    assert page(maintenances=[m]) == status.PageStatus("maintenance", "Service Under Maintenance")
    # a degraded incident elsewhere is worse than maintenance
    assert page(
        inc("1", {"api": "degraded_performance"}, "2026-03-10T10:00:00Z"), maintenances=[m]
    ) == status.PageStatus("minor", "Partially Degraded Service")
    # a degraded incident on the component under maintenance: component shows maintenance, the
    # incident's impact (minor) still raises the page
    assert page(inc("1", {"db": "degraded_performance"}, "2026-03-10T10:00:00Z"), maintenances=[m]).indicator == "minor"


@pytest.mark.parametrize(
    "statuses,expected",
    [
        ([], "none"),
        (["operational", "operational"], "none"),
        (["major_outage", "major_outage"], "critical"),
        (["major_outage", "operational"], "major"),
        (["partial_outage", "partial_outage"], "major"),
        (["partial_outage", "operational"], "minor"),
        (["degraded_performance", "under_maintenance"], "minor"),
        (["under_maintenance", "operational"], "maintenance"),
    ],
)
def test_rollup_rules(statuses, expected):
    assert status.rollup(statuses) == expected


def test_descriptions():
    assert status.describe("minor", ["partial_outage", "operational"]) == "Minor Service Outage"
    assert status.describe("minor", ["degraded_performance"]) == "Partially Degraded Service"
    assert status.describe("major", []) == "Partial System Outage"
    assert status.describe("critical", []) == "Major System Outage"
    assert status.describe("maintenance", []) == "Service Under Maintenance"
    assert status.describe("none", []) == "All Systems Operational"


def test_page_without_services_is_operational():
    r = repo(policy=Policy())
    assert status.page_status(r, NOW) == status.PageStatus("none", "All Systems Operational")


# ---- lists --------------------------------------------------------------------------------------


def test_open_incidents_public_unresolved_newest_first():
    r = repo(
        [
            inc("old", {"api": "degraded_performance"}, "2026-03-08T10:00:00Z"),
            inc("new", {"api": "degraded_performance"}, "2026-03-10T10:00:00+05:00"),  # 05:00Z
            inc("mid", {"api": "degraded_performance"}, "2026-03-09T10:00:00Z", status="identified"),
            inc(
                "done",
                {"api": "major_outage"},
                "2026-03-10T09:00:00Z",
                status="resolved",
                resolved="2026-03-10T09:30:00Z",
            ),
            inc("secret", {"api": "major_outage"}, "2026-03-10T11:00:00Z", visibility="internal"),
        ]
    )
    assert [i.id for i in status.open_incidents(r, NOW)] == ["new", "mid", "old"]


def test_active_and_upcoming_maintenances_sorted_by_start():
    r = repo(
        maintenances=[
            mnt("later", ["db"], "2026-03-20T10:00:00Z", "2026-03-20T11:00:00Z"),
            mnt("soon", ["db"], "2026-03-11T10:00:00Z", "2026-03-11T11:00:00Z"),
            mnt("now2", ["web"], "2026-03-10T11:30:00Z", "2026-03-10T13:00:00Z"),
            mnt("now1", ["api"], "2026-03-10T11:00:00Z", "2026-03-10T14:00:00Z", "in_progress"),
            mnt("done", ["api"], "2026-03-01T11:00:00Z", "2026-03-01T14:00:00Z", "completed"),
            mnt("hidden", ["api"], "2026-03-12T11:00:00Z", "2026-03-12T14:00:00Z", visibility="internal"),
        ]
    )
    assert [m.id for m in status.active_maintenances(r, NOW)] == ["now1", "now2"]
    assert [m.id for m in status.upcoming_maintenances(r, NOW)] == ["soon", "later"]


@pytest.mark.parametrize(
    "impact,expected",
    [
        ({"api": "degraded_performance"}, "minor"),
        ({"api": "partial_outage", "web": "degraded_performance"}, "major"),
        ({"api": "partial_outage", "web": "major_outage"}, "critical"),
    ],
)
def test_statuspage_impact(impact, expected):
    assert status.statuspage_impact(inc("1", impact, "2026-03-10T10:00:00Z")) == expected


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        status.component_statuses(
            repo([inc("1", {"api": "major_outage"}, "2026-03-10T10:00:00Z")]), datetime(2026, 3, 10, 12)
        )


# ---- the sweep against a per-minute oracle ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ORIGIN = t("2026-03-08T00:00:00Z")
_impacts = st.sampled_from(["degraded_performance", "partial_outage", "major_outage"])
_spans = st.lists(
    st.tuples(
        st.integers(0, 3 * 1440), st.integers(1, 1500), _impacts, st.booleans(), st.sampled_from(["public", "internal"])
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(_spans)
def test_uptime_sweep_matches_a_per_minute_count(spans):
    incidents = []
    for n, (offset, length, impact, still_open, visibility) in enumerate(spans):
        start = ORIGIN + timedelta(minutes=offset)
        end = start + timedelta(minutes=length)
        if still_open:
            incidents.append(inc(f"I{n}", {"db": impact}, start.isoformat(), visibility=visibility))
        else:
            incidents.append(
                inc(
                    f"I{n}",
                    {"db": impact},
                    start.isoformat(),
                    status="resolved",
                    resolved=end.isoformat(),
                    visibility=visibility,
                )
            )
    r = repo(incidents)
    rows = status.uptime_days(r, "db", NOW, days=3)
    now_minute = int((NOW - ORIGIN).total_seconds() // 60)
    for d, row in enumerate(rows):
        counts = {"major_outage": 0, "partial_outage": 0, "degraded_performance": 0}
        for minute in range(d * 1440, min((d + 1) * 1440, now_minute)):
            worst = 0
            for offset, length, impact, still_open, visibility in spans:
                end = now_minute if still_open else offset + length
                if visibility == "public" and offset <= minute < end:
                    worst = max(worst, ["degraded_performance", "partial_outage", "major_outage"].index(impact) + 1)
            if worst:
                counts[["degraded_performance", "partial_outage", "major_outage"][worst - 1]] += 1
        assert row.major_minutes == pytest.approx(counts["major_outage"])
        assert row.partial_minutes == pytest.approx(counts["partial_outage"])
        assert row.degraded_minutes == pytest.approx(counts["degraded_performance"])
        assert row.uptime == pytest.approx(1 - (counts["major_outage"] + 0.3 * counts["partial_outage"]) / 1440)
        assert 0.0 <= row.uptime <= 1.0
