"""The status page as customers know it (FORMAT.md section 8): "Past incidents" day by day for 15 days
with "No incidents reported." on quiet days, ungrouped services never under an empty heading, one
vocabulary; the internal home answers "what is open, how bad, who leads it, for how long"; no empty
headings; durations in one format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from siteroot import RESOLVED, SERVICES, STANDARD, build, write_root

pytestmark = pytest.mark.site

UNGROUPED = SERVICES + "  - id: status\n    name: Status Widget\n"
# Resolved long ago (outside the 15 days of "Past incidents": only in history/), and one whose
# body renders to nothing (an HTML comment): no "Details" heading for it.
OLD = RESOLVED.replace("INC-2026-0001", "INC-2025-0007").replace("2026-03-10", "2025-11-02")
EMPTY_BODY = (
    RESOLVED.replace("INC-2026-0001", "INC-2026-0003")
    .replace("2026-03-10", "2026-03-12")
    .split("---\n## What happened")[0]
    + "---\n<!-- nothing to say yet -->\n"
)


def make(tmp: Path, options: str = "") -> Path:
    records = dict(STANDARD)
    records["incidents/2025/INC-2025-0007.md"] = OLD
    records["incidents/2026/INC-2026-0003.md"] = EMPTY_BODY
    result = build(write_root(tmp / "root", records, options=options, services=UNGROUPED), strict=True)
    assert result.returncode == 0, result.output
    return result.site


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("public"))


@pytest.fixture(scope="module")
def internal(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("internal"), ":\n      audience: internal")


def page(site: Path, rel: str = "") -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def past_days(html: str) -> list[tuple[str, str]]:
    section = html[html.index('id="inc-past"') :]
    return re.findall(
        r'<h3 class="inc-day__date" id="day-([0-9-]+)">[^<]*</h3>\s*(<ul|<p class="inc-empty">[^<]*)', section
    )


def test_past_incidents_day_by_day_for_15_days(public):
    html = page(public)
    days = past_days(html)
    assert [d for d, _ in days][:2] == ["2026-03-15", "2026-03-14"] and len(days) == 15
    assert days[-1][0] == "2026-03-01"
    by_day = dict(days)
    assert by_day["2026-03-10"] == "<ul" and by_day["2026-03-12"] == "<ul" and by_day["2026-03-15"] == "<ul"
    assert by_day["2026-03-11"] == '<p class="inc-empty">No incidents reported.'
    section = html[html.index('id="inc-past"') :]
    assert "INC-2026-0001" in section and "INC-2025-0007" not in section  # older: in history/ only
    assert "INC-2025-0007" in page(public, "history") and "Recent incidents" not in html


def test_ungrouped_service_never_sits_under_an_empty_heading(public):
    html = page(public)
    for heading in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S):
        assert re.sub(r"<[^>]+>", "", heading).strip(), "an empty heading"
    alone = html[html.index('data-service="status"') - 400 : html.index('data-service="status"')]
    assert 'class="inc-group inc-group--single"' in alone and "inc-group__name" not in alone
    assert '<h3 class="inc-service__name">Status Widget</h3>' in html


def test_incident_page_speaks_the_badges_words(public):
    html = page(public, "incidents/INC-2026-0002")
    assert 'Impact</dt><dd><span class="inc-pill inc-partial_outage">Partial outage</span>' in html
    assert not re.search(r">\s*(minor|major|critical)\s*<", html)


def test_internal_home_answers_what_how_bad_who_how_long(internal):
    html = page(internal)
    card = html[html.index('id="inc-open"') : html.index('id="inc-services"')]
    # the open public incident: severity, who leads it, since when (now 12:00, detected 10:03)
    first = card[card.index("Elevated API errors") :]
    assert "<dt>Severity</dt><dd>SEV-1 · Critical</dd>" in first
    assert "<dt>Led by</dt><dd>alice" in first and "1 hr 57 min since detection" in first
    # the internal incident is open too, marked
    assert "SECRET-INTERNAL-TITLE" in card and "inc-pill inc-internal" in card


def test_public_home_names_nobody(public):
    html = page(public)
    assert "Led by" not in html and "alice" not in html and "SECRET" not in html


def test_no_empty_details_heading_and_one_duration_format(internal):
    html = page(internal, "incidents/INC-2026-0003")
    assert 'id="details"' not in html
    assert "Time to detect: <strong>2 min</strong>" in html
    assert not re.search(r"<strong>\d+[smhd]</strong>", html)  # no "0m" next to "7 sec"
    assert 'id="details"' in page(internal, "incidents/INC-2026-0001")


def test_logo_option_and_the_neutral_default(tmp_path, public):
    assert '<svg class="inc-header__logo"' in page(public)  # no logo configured: the neutral status mark
    root = write_root(tmp_path / "root", options=":\n      logo: images/acme.svg\n      page_name: Acme Status")
    (root / "docs" / "images").mkdir(parents=True)
    (root / "docs" / "images" / "acme.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    result = build(root, strict=True)
    assert result.returncode == 0, result.output
    history = page(result.site, "history")
    assert '<img class="inc-header__logo" src="../images/acme.svg" alt=""' in history
    assert '<span class="inc-header__name">Acme Status</span>' in history
