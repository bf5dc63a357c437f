"""Honest metrics for an imported history: imported records count for MTTR and frequency, never for MTTD,
MTTA or MTTI (Statuspage records no detection and no acknowledgement), and every output says how many were
left out. Payloads: the fixtures of tests/fixtures/statuspage (their sources are in its README)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import FIXTURES, run

AS_OF = "2026-12-01T00:00:00Z"
OWN = """\
---
id: INC-2026-0001
title: Our own incident
severity: SEV-2
status: resolved
services: [general]
impact: partial_outage
started_at: 2026-02-10T14:00:00Z
detected_at: 2026-02-10T14:05:00Z
acknowledged_at: 2026-02-10T14:45:00Z
resolved_at: 2026-02-10T15:00:00Z
updates:
  - {at: 2026-02-10T14:45:00Z, status: investigating, message: Looking.}
  - {at: 2026-02-10T15:00:00Z, status: resolved, message: Fixed.}
---
"""


def metrics_json(root, *args: str) -> list[dict]:
    result = run("metrics", "--root", root, "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["groups"]


@pytest.fixture
def imported(root):
    result = run("import", "statuspage", "--root", root, FIXTURES / "github-incidents-2024.json")
    assert result.exit_code == 0, result.output
    assert run("validate", "--root", root).exit_code == 0
    return root


def test_imported_records_never_give_mtta_or_mttd_and_say_how_many_were_left_out(imported):
    groups = metrics_json(imported)
    counted = [g for g in groups if g["count"]]
    assert counted and sum(g["count"] for g in groups) >= 2
    for g in counted:
        assert g["imported_count"] == g["count"]
        for m in ("mttd", "mtta", "mtti"):
            assert g[f"{m}_n"] == 0 and g[f"{m}_median_min"] is None, (g["key"], m)
        # each imported incident had an acknowledgement bound (its first update) and was left out of MTTA
        assert g["mtta_excluded_imported"] == g["count"]
        assert g["mttd_excluded_imported"] == g["count"]
        assert g["ack_within_target_pct"] is None and g["detect_within_target_pct"] is None
        assert g["mttr_n"] == g["count"] and g["mttr_median_min"] is not None  # MTTR counts
    quarters = metrics_json(imported, "--by", "quarter")
    assert sum(g["count"] for g in quarters) == sum(g["count"] for g in counted)  # frequency counts
    assert all(g["incidents_per_week"] > 0 for g in quarters)


def test_source_own_imported_and_all(imported):
    (imported / "incidents" / "2026").mkdir()
    (imported / "incidents" / "2026" / "INC-2026-0001.md").write_text(OWN)
    assert run("validate", "--root", imported).exit_code == 0
    every = {g["key"]: g for g in metrics_json(imported)}
    own = {g["key"]: g for g in metrics_json(imported, "--source", "own")}
    theirs = {g["key"]: g for g in metrics_json(imported, "--source", "imported")}
    assert sum(g["count"] for g in own.values()) == 1
    assert own["SEV-2"]["mtta_median_min"] == 40.0 and own["SEV-2"]["imported_count"] == 0
    assert own["SEV-2"]["ack_within_target_pct"] == 0.0  # 40 min against a 30 min target
    assert sum(g["count"] for g in theirs.values()) + 1 == sum(g["count"] for g in every.values())
    assert all(g["mtta_n"] == 0 for g in theirs.values())
    # all: the own incident alone gives MTTA; the imported ones are counted as left out
    assert every["SEV-2"]["mtta_n"] == 1 and every["SEV-2"]["mtta_median_min"] == 40.0
    assert every["SEV-2"]["mtta_excluded_imported"] == every["SEV-2"]["count"] - 1
    bad = run("metrics", "--root", imported, "--source", "theirs")
    assert bad.exit_code == 2


def test_the_text_and_csv_say_it_too(imported):
    text = run("metrics", "--root", imported, "--as-of", AS_OF)
    assert text.exit_code == 0
    assert "never for MTTD, MTTA or MTTI" in text.stdout
    assert "left out of MTTD" in text.stdout
    out = run("metrics", "--root", imported, "--as-of", AS_OF, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"imported_count", "mttd_excluded_imported", "mtta_excluded_imported", "mtti_excluded_imported"} <= set(
        rows[0]
    )
    assert sum(int(r["mtta_excluded_imported"]) for r in rows) >= 2
    own = run("metrics", "--root", imported, "--as-of", AS_OF, "--source", "own")
    assert "No team-written incident started in this repository" in own.stdout


def test_the_cache_carries_the_flag(imported, tmp_path):
    cold = metrics_json(imported, "--cache-dir", str(tmp_path / "c"))
    warm = metrics_json(imported, "--cache-dir", str(tmp_path / "c"))
    assert cold == warm == metrics_json(imported, "--no-cache")
