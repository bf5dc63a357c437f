"""incidents.publish.feeds and .ical: history.atom, history.rss and maintenance.ics."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from incidents.policy.policy_file import Policy, Service, Severity
from incidents.publish.feeds import atom_feed, rss_feed
from incidents.publish.ical import maintenance_calendar
from incidents.publish.statuspage import PageInfo
from incidents.reading.validate import Repository
from incidents.records.model import Incident, Maintenance, Update

PAGE = PageInfo(id="acme", name="Acme Cloud", url="https://status.example.com")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("x")</script> & "quotes" <img src=x onerror=alert(1)>'


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


POLICY = Policy(
    severities=(Severity("SEV-1", "Critical", 0), Severity("SEV-2", "Major", 1)),
    services=(Service("api", "Public API", 0, "Core"), Service("db", "Database <db>", 1, None)),
)


def inc(
    id_,
    start,
    *,
    status="investigating",
    resolved=None,
    visibility="public",
    title=None,
    message="We are looking into it.",
    severity="SEV-2",
) -> Incident:
    started = t(start)
    updates = [Update(started + timedelta(minutes=5), "investigating", message)]
    if status == "resolved":
        updates.append(Update(t(resolved), "resolved", "All good again."))
    return Incident(
        id=id_,
        title=title or f"Incident {id_}",
        severity=severity,
        status=status,
        services=("api",),
        impact={"api": "major_outage"},
        started_at=started,
        detected_at=started,
        acknowledged_at=started,
        resolved_at=t(resolved) if resolved else None,
        updates=tuple(updates),
        visibility=visibility,
    )


def mnt(id_, start, end, status="scheduled", visibility="public", title=None, updates=None) -> Maintenance:
    ups = updates if updates is not None else (Update(t(start) - timedelta(days=5), "scheduled", "Planned."),)
    return Maintenance(
        id=id_,
        title=title or f"Window {id_}",
        services=("db",),
        scheduled_start=t(start),
        scheduled_end=t(end),
        status=status,
        visibility=visibility,
        updates=tuple(ups),
        body="Body text of the window.",
    )


def sample_repo() -> Repository:
    return Repository(
        Path("."),
        POLICY,
        (
            inc("INC-2", "2026-03-10T09:00:00Z", title=HOSTILE, message=HOSTILE, severity="SEV-1"),
            inc("INC-1", "2026-03-01T09:00:00+01:00", status="resolved", resolved="2026-03-01T10:00:00Z"),
            inc("INC-SECRET", "2026-03-09T09:00:00Z", visibility="internal", title="Secret internal thing"),
        ),
        (),
        (
            mnt("MNT-2", "2026-03-12T01:00:00Z", "2026-03-12T03:00:00Z", title=HOSTILE),
            mnt(
                "MNT-1",
                "2026-02-01T01:00:00+02:00",
                "2026-02-01T02:00:00Z",
                status="completed",
                updates=(
                    Update(t("2026-01-25T10:00:00Z"), "scheduled", "Planned."),
                    Update(t("2026-01-31T23:00:00Z"), "in_progress", "Started."),
                    Update(t("2026-02-01T01:50:00Z"), "completed", "Done."),
                ),
            ),
            mnt("MNT-SECRET", "2026-03-11T01:00:00Z", "2026-03-11T03:00:00Z", visibility="internal"),
        ),
    )


# ---- Atom -------------------------------------------------------------------------------------


def test_atom_parses_with_one_entry_per_public_incident_newest_first():
    data = atom_feed(sample_repo(), NOW, PAGE)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == [
        "https://status.example.com/incidents/INC-2/",
        "https://status.example.com/incidents/INC-1/",
    ]
    second = parsed.entries[1]
    assert second.title == "Incident INC-1 (Resolved)"  # no severity id: internal text
    assert second.updated == "2026-03-01T10:00:00+00:00"  # the last update
    content = second.content[0].value
    assert content.index("All good again.") < content.index("We are looking into it.")  # newest first
    root = ET.fromstring(data)
    assert root.findtext(f"{ATOM}updated") == "2026-03-10T09:05:00+00:00"
    assert [ln.get("href") for ln in root.findall(f"{ATOM}link")] == [
        "https://status.example.com/history.atom",
        "https://status.example.com/",
    ]


def test_atom_escapes_hostile_text():
    data = atom_feed(sample_repo(), NOW, PAGE)
    text = data.decode()
    assert "<script>" not in text and "<img" not in text
    root = ET.fromstring(data)
    entry = root.findall(f"{ATOM}entry")[0]
    assert entry.findtext(f"{ATOM}title") == f"{HOSTILE} (Investigating)"  # plain text, as written
    html = entry.findtext(f"{ATOM}content")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    # the HTML carried in the entry has the record text escaped: no live tag inside it
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert "Public API (Major outage)" in html


def test_internal_incidents_absent_from_feeds():
    for data in (atom_feed(sample_repo(), NOW, PAGE), rss_feed(sample_repo(), NOW, PAGE)):
        assert b"INC-SECRET" not in data and b"Secret internal thing" not in data


def test_feeds_are_byte_identical_for_the_same_input():
    assert atom_feed(sample_repo(), NOW, PAGE) == atom_feed(sample_repo(), NOW, PAGE)
    assert rss_feed(sample_repo(), NOW, PAGE) == rss_feed(sample_repo(), NOW, PAGE)
    # nothing comes from the clock: a later build of the same records gives the same feed
    assert atom_feed(sample_repo(), NOW + timedelta(days=3), PAGE) == atom_feed(sample_repo(), NOW, PAGE)


def test_feed_keeps_the_50_most_recent():
    base = t("2026-01-01T00:00:00Z")
    incidents = tuple(
        inc(
            f"INC-{n:03d}",
            (base + timedelta(hours=n)).isoformat(),
            status="resolved",
            resolved=(base + timedelta(hours=n, minutes=30)).isoformat(),
        )
        for n in range(70)
    )
    r = Repository(Path("."), POLICY, incidents)
    parsed = feedparser.parse(rss_feed(r, NOW, PAGE))
    assert len(parsed.entries) == 50
    assert parsed.entries[0].link.endswith("/INC-069/") and parsed.entries[-1].link.endswith("/INC-020/")


def test_empty_repository_still_gives_valid_feeds():
    r = Repository(Path("."), POLICY)
    assert feedparser.parse(atom_feed(r, NOW, PAGE)).entries == []
    parsed = feedparser.parse(rss_feed(r, NOW, PAGE))
    assert not parsed.bozo and parsed.entries == []


# ---- RSS --------------------------------------------------------------------------------------


def test_rss_parses_with_items_links_and_dates():
    data = rss_feed(sample_repo(), NOW, PAGE)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.link == "https://status.example.com/"
    assert [e.id for e in parsed.entries] == [
        "https://status.example.com/incidents/INC-2/",
        "https://status.example.com/incidents/INC-1/",
    ]
    channel = ET.fromstring(data).find("channel")
    assert channel.findtext("lastBuildDate") == "Tue, 10 Mar 2026 09:05:00 +0000"
    item = channel.findall("item")[0]
    assert item.findtext("title") == f"{HOSTILE} (Investigating)"
    assert "<script>" not in data.decode()
    assert "&lt;script&gt;" in item.findtext("description")


# ---- iCalendar ----------------------------------------------------------------------------------


def test_ics_parses_back_with_one_event_per_public_maintenance():
    data = maintenance_calendar(sample_repo(), NOW, PAGE)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(line.endswith(b"\r") for line in data.split(b"\n")[:-1])  # CRLF line ends
    assert all(len(line) <= 76 for line in data.split(b"\r\n"))  # folded at 75 octets
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "incident-as-code" in str(cal["PRODID"])
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "maintenance-MNT-1@status.example.com",
        "maintenance-MNT-2@status.example.com",
    ]
    done, upcoming = events
    assert done.decoded("DTSTART") == t("2026-01-31T23:00:00Z")
    assert done.decoded("DTEND") == t("2026-02-01T02:00:00Z")
    assert done.decoded("DTSTART").utcoffset() == timedelta(0)
    assert done.decoded("DTSTAMP") == t("2026-02-01T01:50:00Z")  # the last update
    assert str(done["STATUS"]) == "CONFIRMED" and str(upcoming["STATUS"]) == "TENTATIVE"
    assert str(done["SUMMARY"]) == "Maintenance: Window MNT-1"
    assert str(done["URL"]) == "https://status.example.com/maintenance/MNT-1/"  # its own page
    description = str(done["DESCRIPTION"])
    assert description.startswith("Affected: Database <db>\nStatus: Completed")
    assert description.index("Done.") < description.index("Started.")  # newest first
    assert "Body text of the window." in description
    assert str(upcoming["SUMMARY"]) == f"Maintenance: {HOSTILE}"  # iCalendar text, escaped by the format
    assert b"MNT-SECRET" not in data


def test_ics_is_byte_identical_and_independent_of_the_clock():
    first = maintenance_calendar(sample_repo(), NOW, PAGE)
    assert first == maintenance_calendar(sample_repo(), NOW, PAGE)
    assert first == maintenance_calendar(sample_repo(), NOW + timedelta(days=40), PAGE)


def test_ics_hostile_text_cannot_break_the_structure():
    r = Repository(
        Path("."),
        POLICY,
        (),
        (),
        (
            mnt(
                "M",
                "2026-03-12T01:00:00Z",
                "2026-03-12T03:00:00Z",
                title="x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected; a,b",
            ),
        ),
    )
    cal = Calendar.from_ical(maintenance_calendar(r, NOW, PAGE))
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Maintenance: x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected; a,b"


def test_empty_calendar_is_valid():
    cal = Calendar.from_ical(maintenance_calendar(Repository(Path("."), POLICY), NOW, PAGE))
    assert cal.walk("VEVENT") == []


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        atom_feed(sample_repo(), datetime(2026, 3, 10), PAGE)
    with pytest.raises(ValueError):
        maintenance_calendar(sample_repo(), datetime(2026, 3, 10), PAGE)


def test_service_names_in_entry_html_are_escaped():
    hostile = Incident(
        id="I",
        title="t",
        severity="SEV-2",
        status="investigating",
        services=("db",),
        impact={"db": "partial_outage"},
        started_at=t("2026-03-10T09:00:00Z"),
        detected_at=t("2026-03-10T09:00:00Z"),
        updates=(Update(t("2026-03-10T09:10:00Z"), "investigating", "line one\nline <two>"),),
    )
    data = atom_feed(Repository(Path("."), POLICY, (hostile,)), NOW, PAGE)
    html = ET.fromstring(data).find(f"{ATOM}entry").findtext(f"{ATOM}content")
    assert "Database &lt;db&gt; (Partial outage)" in html
    assert "line one<br>line &lt;two&gt;" in html


def test_records_are_the_truth_whatever_now_is():
    # a build whose "now" (SOURCE_DATE_EPOCH) is before the records still publishes what they say
    r = sample_repo()
    early = datetime(2020, 1, 1, tzinfo=UTC)
    (event,) = [
        e for e in Calendar.from_ical(maintenance_calendar(r, early, PAGE)).walk("VEVENT") if "MNT-2" in str(e["UID"])
    ]
    assert "Planned." in str(event["DESCRIPTION"]) and int(event["SEQUENCE"]) == 1
    assert maintenance_calendar(r, early, PAGE) == maintenance_calendar(r, NOW, PAGE)
    assert atom_feed(r, early, PAGE) == atom_feed(r, NOW, PAGE)
