"""incidents.publish.badge: the overall status as a shields-style flat SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidents.policy.policy_file import Policy, Service
from incidents.publish import status
from incidents.publish.badge import COLORS, status_badge, text_width
from incidents.reading.validate import Repository
from incidents.records.model import Incident, Update

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize(
    "indicator,color",
    [
        ("none", "#4c1"),
        ("minor", "#dfb317"),
        ("major", "#fe7d37"),
        ("critical", "#e05d44"),
        ("maintenance", "#007ec6"),
    ],
)
def test_colour_by_indicator(indicator, color):
    root = parse(status_badge(indicator, "Some Text"))
    rects = root.find(f"{SVG}g").findall(f"{SVG}rect")
    assert rects[0].get("fill") == "#555"  # the label side
    assert rects[1].get("fill") == color  # the status side
    assert COLORS[indicator] == color


def test_texts_title_and_widths_add_up():
    svg = status_badge("none", "All Systems Operational")
    root = parse(svg)
    assert root.get("aria-label") == "status: All Systems Operational"
    assert root.findtext(f"{SVG}title") == "status: All Systems Operational"
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert texts == ["status", "status", "All Systems Operational", "All Systems Operational"]
    rects = root.find(f"{SVG}g").findall(f"{SVG}rect")
    label_w, value_w = int(rects[0].get("width")), int(rects[1].get("width"))
    assert int(root.get("width")) == label_w + value_w
    assert int(rects[1].get("x")) == label_w
    # widths from the Verdana table: "status" = 5.73+4.33+6.61+4.33+6.96+5.73 = 33.69 -> 34 + 10 padding
    assert text_width("status") == pytest.approx(33.69)
    assert label_w == 44
    assert value_w == round(text_width("All Systems Operational")) + 10


def test_longer_text_gives_a_wider_badge_and_the_same_text_the_same_bytes():
    short = status_badge("minor", "Minor Service Outage")
    long = status_badge("major", "Partial System Outage")
    assert int(parse(long).get("width")) > int(parse(short).get("width"))
    assert status_badge("major", "Partial System Outage") == long


def test_hostile_text_is_escaped():
    hostile = "<script>alert(\"x\")</script> & 'q' <img onerror=alert(1)>"
    svg = status_badge("critical", hostile)
    assert "<script>" not in svg and "<img" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.get("aria-label") == f"status: {hostile}"
    assert [el.text for el in root.iter(f"{SVG}text")][2] == hostile
    assert not [el for el in root.iter() if el.tag.endswith(("script", "img"))]


def test_unknown_indicator_is_grey_not_an_error():
    rects = parse(status_badge("weird", "?")).find(f"{SVG}g").findall(f"{SVG}rect")
    assert rects[1].get("fill") == "#9f9f9f"


def test_non_ascii_text_has_a_width():
    assert text_width("Статус 状态") > text_width("Статус")
    parse(status_badge("none", "Alles in Ordnung ✓ 状态"))


def test_badge_from_the_page_status():
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    started = datetime(2026, 3, 10, 9, tzinfo=UTC)
    incident = Incident(
        id="I",
        title="t",
        severity="SEV-1",
        status="investigating",
        services=("api",),
        impact={"api": "major_outage"},
        started_at=started,
        detected_at=started,
        updates=(Update(started, "investigating", "x"),),
    )
    repo = Repository(Path("."), Policy(services=(Service("api", "API", 0),)), (incident,))
    page = status.page_status(repo, now)
    root = parse(status_badge(page.indicator, page.description))
    assert root.get("aria-label") == "status: Major System Outage"
    assert root.find(f"{SVG}g").findall(f"{SVG}rect")[1].get("fill") == "#e05d44"
