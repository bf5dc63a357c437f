"""What a build must survive (FORMAT.md section 8): every record that validates builds, a body that
cannot be rendered in time is an error naming its file, and a failed build leaves the previous site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile import HOSTILE_RECORDS, PATHOLOGICAL
from lxml import etree
from siteroot import MAINT_UPCOMING, STANDARD, build, write_root

pytestmark = pytest.mark.site


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = write_root(tmp_path_factory.mktemp("hostile") / "root", HOSTILE_RECORDS)
    result = build(root)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output
    return result.site


def test_hostile_records_build(hostile_site):
    status = (hostile_site / "index.html").read_text()
    assert status.count('id="__config"') == 1  # the theme's own: the record's lost its id
    assert "evil.test" not in status and 'name="q"' not in status and '{"base": "javascript' in status
    assert 'data-md-component="search" name="x"' not in status and "color:red" not in status
    feed = etree.fromstring((hostile_site / "history.atom").read_bytes())  # well-formed XML
    assert any("Database" in (t.text or "") for t in feed.iter("{http://www.w3.org/2005/Atom}title"))
    postmortem = (hostile_site / "postmortems" / "INC-2026-0001" / "index.html").read_text()
    assert postmortem.count("level") >= 260  # the deep list is shown, all of it
    page = (hostile_site / "incidents" / "INC-2026-0001" / "index.html").read_text()
    assert "\x0b" not in page and "\x01" not in page and "Database \ufffd failover" in page


def test_failed_builds_leave_the_previous_site_as_it_was(tmp_path):
    root = write_root(tmp_path / "root")
    first = build(root)
    assert first.returncode == 0, first.output
    before = snapshot(first.site)
    assert "index.html" in before and leftovers(root) == []

    # 1. a record with an error
    (root / "incidents" / "2026" / "BAD.md").write_text(
        STANDARD["incidents/2026/INC-2026-0002.md"].replace("SEV-1", "SEV-9").replace("0002", "0003")
    )
    failed = build(root)
    assert failed.returncode != 0 and "INC-2026-0003" not in failed.output or "BAD.md" in failed.output
    assert snapshot(first.site) == before and leftovers(root) == []
    (root / "incidents" / "2026" / "BAD.md").unlink()

    # 2. a body that takes too long to render: an error naming the file, in bounded time
    slow = root / "incidents" / "maintenance" / "MNT-2026-0009.md"
    slow.write_text(MAINT_UPCOMING.replace("MNT-2026-0002", "MNT-2026-0009") + PATHOLOGICAL + "\n")
    text = (root / "mkdocs.yml").read_text().replace("  - incidents\n", "  - incidents:\n      render_timeout: 0.5\n")
    (root / "mkdocs.yml").write_text(text)
    failed = build(root)
    assert failed.returncode != 0
    assert re.search(
        r"incidents/maintenance/MNT-2026-0009\.md:\d+:1: error the Markdown body took longer", failed.output
    ), failed.output
    assert "Traceback" not in failed.output
    assert snapshot(first.site) == before and leftovers(root) == []
    slow.unlink()

    # 3. a warning under --strict (MkDocs aborts after on_post_build): the previous site stays too
    rec = root / "incidents" / "2026" / "INC-2026-0002.md"
    rec.write_text(rec.read_text().replace("title: Elevated API errors", 'title: "Elevated \\v API errors"'))
    failed = build(root, strict=True)
    assert failed.returncode != 0 and "title-control-character" in failed.output
    assert snapshot(first.site) == before and leftovers(root) == []

    # and a good build replaces it, as a folder others can read
    ok = build(root)
    assert ok.returncode == 0, ok.output
    assert snapshot(ok.site) != before and leftovers(root) == []
    assert oct(ok.site.stat().st_mode & 0o777) != oct(0o700)
