"""An incident page says whether a resolved incident is closed or still under observation (`closed_at`,
a severity's `observe_for`), on the public site and on the internal one."""

from __future__ import annotations

from siteroot import OPEN, RESOLVED, build, write_root

CLOSED = RESOLVED.replace(
    "resolved_at: 2026-03-10T12:00:00Z\n", "resolved_at: 2026-03-10T12:00:00Z\nclosed_at: 2026-03-11T12:00:00Z\n"
)
OBSERVED = RESOLVED.replace("INC-2026-0001", "INC-2026-0003")


def test_closed_and_under_observation_on_the_incident_pages(tmp_path):
    records = {
        "incidents/2026/INC-2026-0001.md": CLOSED,
        "incidents/2026/INC-2026-0002.md": OPEN,
        "incidents/2026/INC-2026-0003.md": OBSERVED,
    }
    for audience in ("public", "internal"):
        root = write_root(tmp_path / audience, records, options=f":\n      audience: {audience}")
        result = build(root)
        assert result.returncode == 0, result.output
        closed, observed, open_ = (
            (result.site / "incidents" / inc_id / "index.html").read_text()
            for inc_id in ("INC-2026-0001", "INC-2026-0003", "INC-2026-0002")
        )
        assert 'class="inc-pill inc-closed">Closed<' in closed and "Under observation" not in closed
        assert "<dt>Closed</dt>" in closed and "2026-03-11" in closed
        assert 'class="inc-pill inc-observing">Under observation<' in observed and ">Closed<" not in observed
        assert "Under observation" not in open_ and ">Closed<" not in open_
