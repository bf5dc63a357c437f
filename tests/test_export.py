"""`incidents export`: tidy tables, and the manual's DuckDB query reproduces `metrics --by severity` over many roots."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidents.cli import cli
from test_golden import golden_root

HERE = Path(__file__).resolve().parent
MANUAL = HERE.parent / "manual" / "scale.md"
_spec = importlib.util.spec_from_file_location("bench_corpus", HERE.parent / "benchmarks" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

AS_OF = "2026-11-15T00:00:00Z"
FIGURES = (
    "count",
    "mttd_median_min",
    "mtta_median_min",
    "mtti_median_min",
    "mttr_median_min",
    "mttr_mean_min",
    "mttr_p90_min",
    "ack_within_target_pct",
    "resolve_within_target_pct",
    "detect_within_target_pct",
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def manual_sql(name: str) -> str:
    text = MANUAL.read_text(encoding="utf-8")
    m = re.search(rf"<!-- sql: {name} -->\n```sql\n(.*?)\n```", text, re.S)
    assert m, f"manual/scale.md has no SQL block marked <!-- sql: {name} -->"
    return m.group(1)


@pytest.fixture(scope="module")
def three_roots(tmp_path_factory):
    """Three repositories with the same policy and different histories, and the union of their records."""
    base = tmp_path_factory.mktemp("org")
    roots = []
    for k, (n, seed) in enumerate(((70, 11), (45, 12), (90, 13))):
        root = base / f"team-{k}"
        corpus.generate(root, n, seed=seed, postmortem_every=3, maintenance=2)
        for path in (root / "incidents").rglob("*.md"):  # ids unique across the organisation
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("INC-", f"T{k}-INC-").replace("MNT-", f"T{k}-MNT-"), encoding="utf-8")
        roots.append(root)
    union = base / "union"
    shutil.copytree(roots[0] / "policy", union / "policy")
    for root in roots:
        shutil.copytree(root / "incidents", union / "incidents" / root.name)
    return roots, union


def test_manual_sql_over_three_exports_equals_metrics_on_their_union(three_roots, tmp_path, monkeypatch):
    roots, union = three_roots
    for root in roots:
        result = invoke("export", "--root", str(root), "--out", str(tmp_path / "exports" / root.name))
        assert result.exit_code == 0, result.output
    metrics = invoke("metrics", "--root", str(union), "--by", "severity", "--format", "json", "--as-of", AS_OF)
    assert metrics.exit_code == 0, metrics.output
    expected = [g for g in json.loads(metrics.stdout)["groups"] if g["count"]]
    assert sum(g["count"] for g in expected) == 70 + 45 + 90
    assert all(g["mttr_median_min"] is not None and g["ack_within_target_pct"] is not None for g in expected)

    monkeypatch.chdir(tmp_path)
    relation = duckdb.sql(manual_sql("metrics-by-severity"))
    got = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
    assert [g["key"] for g in got] == [g["key"] for g in expected]
    for mine, theirs in zip(got, expected):
        for figure in FIGURES:
            a, b = mine[figure], theirs[figure]
            if b is None:
                assert a is None, (mine["key"], figure, a)
                continue
            # metrics' JSON is unrounded; a build that rounds to 1 decimal still matches its own rounding.
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or round(a, 1) == b, (mine["key"], figure, a, b)


def test_formats_hold_the_same_rows(three_roots, tmp_path):
    root = three_roots[0][0]
    for fmt in ("parquet", "csv", "jsonl"):
        result = invoke(
            "export",
            "--root",
            str(root),
            "--format",
            fmt,
            "--out",
            str(tmp_path / fmt),
            "--repository",
            "acme/payments",
        )
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in (tmp_path / fmt).iterdir()) == sorted(
            f"{t}.{fmt}" for t in ("incidents", "updates", "action_items")
        )
        assert f"incidents.{fmt}: 70 rows" in result.output
    table = pq.read_table(tmp_path / "parquet" / "incidents.parquet")
    assert table.schema.field("started_at").type.tz == "UTC"
    services_type = table.schema.field("services").type
    assert services_type.value_type == "string" and str(services_type).startswith("list<")
    parquet_rows = table.to_pylist()
    with open(tmp_path / "csv" / "incidents.csv", newline="", encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    jsonl_rows = [json.loads(line) for line in (tmp_path / "jsonl" / "incidents.jsonl").read_text().splitlines()]
    assert len(parquet_rows) == len(csv_rows) == len(jsonl_rows) == 70
    for p, c, j in zip(parquet_rows, csv_rows, jsonl_rows):
        assert p["repository"] == c["repository"] == j["repository"] == "acme/payments"
        assert p["id"] == c["id"] == j["id"]
        assert p["services"] == json.loads(c["services"]) == j["services"]
        assert dict(p["impact_by_service"]) == json.loads(c["impact_by_service"]) == j["impact_by_service"]
        started = p["started_at"].isoformat().replace("+00:00", "Z")
        assert started == c["started_at"] == j["started_at"]
        for col in ("mttr_min", "mtta_min"):
            assert p[col] == (float(c[col]) if c[col] else None) == j[col]
    updates = pq.read_table(tmp_path / "parquet" / "updates.parquet").to_pylist()
    assert len(updates) == sum(1 for _ in (tmp_path / "jsonl" / "updates.jsonl").open())
    assert {u["incident_id"] for u in updates} <= {p["id"] for p in parquet_rows}
    items = pq.read_table(tmp_path / "parquet" / "action_items.parquet").to_pylist()
    assert items and all(i["status"] in ("open", "done", "cancelled") for i in items)


def test_timestamps_are_utc_and_missing_intervals_null(tmp_path):
    root = golden_root("valid_all_types", tmp_path)
    path = next(p for p in (root / "incidents").rglob("INC-*.md") if ".postmortem" not in p.name)
    text = path.read_text(encoding="utf-8")
    started = re.search(r"^started_at: (\S+)$", text, re.M).group(1)
    result = invoke("export", "--root", str(root), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    row = next(r for r in rows if r["path"] == path.relative_to(root).as_posix())
    assert row["started_at"].endswith("Z")
    from incidents.records.timestamps import iso_utc, parse_timestamp

    assert row["started_at"] == iso_utc(parse_timestamp(started))
    for r in rows:
        if r["resolved_at"] is None:
            assert r["mttr_min"] is None


def test_errors_write_nothing_and_parquet_needs_out(tmp_path):
    root = golden_root("valid_all_types", tmp_path)
    result = invoke("export", "--root", str(root))
    assert result.exit_code == 2 and "--out" in result.stderr
    (root / "incidents" / "broken.md").write_text("---\nid: [\n---\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("export", "--root", str(root), "--out", str(out))
    assert result.exit_code == 1
    assert "incidents/broken.md:" in result.stderr and "nothing was written" in result.stderr
    assert not out.exists()


def test_export_csv_to_stdout_is_the_incidents_table(tmp_path):
    root = golden_root("valid_all_types", tmp_path)
    result = invoke("export", "--root", str(root), "--format", "csv", "--repository", "r")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and rows[0]["repository"] == "r" and "severity_rank" in rows[0]


HOSTILE_TITLE = '"=HYPERLINK(\\"https://evil.example\\",\\"Reset\\") \\e[2J\\a"'


def test_csv_cells_are_never_formulas_or_escapes_and_files_follow_the_umask(tmp_path):
    """Issue 19: a title `=HYPERLINK(...)` was a live formula in the exported CSV and ESC/BEL went through;
    the files were 0600 whatever the umask."""
    import os
    import stat

    root = golden_root("valid_all_types", tmp_path)
    path = root / "incidents" / "2026" / "INC-2026-0001.md"
    text = path.read_text().replace("title: Slow API responses", f"title: {HOSTILE_TITLE}")
    text = text.replace("message: We are looking into slow API responses.", "message: '@SUM(A1) +1'")
    path.write_text(text)
    assert invoke("validate", "--root", str(root)).exit_code == 0
    for umask, expected in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        old = os.umask(umask)
        try:
            out = tmp_path / f"out-{umask:o}"
            result = invoke("export", "--root", str(root), "--format", "csv", "--out", str(out))
        finally:
            os.umask(old)
        assert result.exit_code == 0, result.output
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
        assert modes == dict.fromkeys(("incidents.csv", "updates.csv", "action_items.csv"), expected)
    incidents = (out / "incidents.csv").read_text(encoding="utf-8")
    updates = (out / "updates.csv").read_text(encoding="utf-8")
    assert "\x1b" not in incidents and "\x07" not in incidents
    rows = list(csv.DictReader(io.StringIO(incidents)))
    title = next(r["title"] for r in rows if r["id"] == "INC-2026-0001")
    assert title.startswith("'=HYPERLINK(") and "\ufffd[2J\ufffd" in title
    message = next(r for r in csv.DictReader(io.StringIO(updates)) if r["incident_id"] == "INC-2026-0001")
    assert message["message"] == "'@SUM(A1) +1"
    assert {r["imported"] for r in rows} == {"false"}
    stdout = invoke("export", "--root", str(root), "--format", "csv").stdout
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert next(r["title"] for r in csv.DictReader(io.StringIO(stdout)) if r["id"] == "INC-2026-0001") == title


def test_imported_incidents_are_marked_and_have_no_mtta(tmp_path):
    root = golden_root("valid_all_types", tmp_path)
    path = root / "incidents" / "2026" / "INC-2026-0001.md"
    source = "source: {system: statuspage, id: abc123, url: 'https://status.example.com/incidents/abc123'}\n"
    path.write_text(path.read_text().replace("roles:\n", source + "roles:\n", 1))
    assert invoke("validate", "--root", str(root)).exit_code == 0
    for fmt in ("csv", "jsonl"):
        out = invoke("export", "--root", str(root), "--format", fmt).stdout
        rows = list(csv.DictReader(io.StringIO(out))) if fmt == "csv" else [json.loads(x) for x in out.splitlines()]
        row = next(r for r in rows if r["id"] == "INC-2026-0001")
        assert row["imported"] in ("true", True)
        assert row["mtta_min"] in ("", None) and row["mttd_min"] in ("", None)
        assert row["mttr_min"] not in ("", None)  # MTTR counts
    invoke("export", "--root", str(root), "--out", str(tmp_path / "pq"))
    table = pq.read_table(tmp_path / "pq" / "incidents.parquet").to_pylist()
    assert [r["imported"] for r in table if r["id"] == "INC-2026-0001"] == [True]
