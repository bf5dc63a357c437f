"""`incidents metrics` and `incidents check` through the click CLI: formats and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from incidents.cli import cli

POLICY = """\
severities:
  - id: SEV-1
    name: Critical
    acknowledge_within: 15m
    resolve_within: 1h
    update_every: 2h
    postmortem: {required: true, due_within: 48h}
  - id: SEV-2
    name: Major
roles: [commander]
priorities: [P1]
postmortem:
  required_sections: [Summary]
  placeholders: ["TBD"]
"""

SERVICES = "services:\n  - id: api\n    name: API\n  - id: web\n    name: Web\n"


def incident(inc_id, started, acknowledged, resolved, severity="SEV-1", services="[api]", extra=""):
    return f"""---
id: {inc_id}
title: Incident {inc_id}
severity: {severity}
status: resolved
services: {services}
impact: major_outage
started_at: {started}
detected_at: {started}
acknowledged_at: {acknowledged}
resolved_at: {resolved}
updates:
  - at: {resolved}
    status: resolved
    message: "Fixed; 100% back, see https://example.com/a,b"
{extra}---

Narrative.
"""


# A: SEV-1 started 2026-01-05T10:00Z, MTTA 10, MTTR 40; B: SEV-1 started 2026-02-10T09:00Z, MTTA 20, MTTR 80
# SEV-1: count 2, MTTA median 15, MTTR median 60, mean 60, p90 40 + 0.9*40 = 76; ack 50%, resolve 50%
A = incident("A", "2026-01-05T10:00:00Z", "2026-01-05T10:10:00Z", "2026-01-05T10:40:00Z", services="[api, web]")
B = incident("B", "2026-02-10T09:00:00Z", "2026-02-10T09:20:00Z", "2026-02-10T10:20:00Z")
PM_B = """---
type: postmortem
incident: B
status: published
date: 2026-02-11
authors: [alice]
action_items: []
---
## Summary

A bad deploy.
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "policy").mkdir()
    (tmp_path / "incidents").mkdir()
    (tmp_path / "policy" / "policy.yml").write_text(POLICY)
    (tmp_path / "policy" / "services.yml").write_text(SERVICES)
    (tmp_path / "incidents" / "A.md").write_text(A)
    (tmp_path / "incidents" / "B.md").write_text(B)
    (tmp_path / "incidents" / "B.postmortem.md").write_text(PM_B)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


# -- metrics ------------------------------------------------------------------


def test_metrics_json_is_the_contract_shape(root):
    result = run("metrics", "--root", root, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["groups"]
    sev1, sev2 = doc["groups"]
    contract = {
        "key": "SEV-1",
        "count": 2,
        "mttd_median_min": 0.0,
        "mtta_median_min": 15.0,
        "mtti_median_min": None,
        "mttr_median_min": 60.0,
        "mttr_mean_min": 60.0,
        "mttr_p90_min": 76.0,
        "ack_within_target_pct": 50.0,
        "resolve_within_target_pct": 50.0,
        "detect_within_target_pct": None,
    }
    assert list(sev1)[: len(contract)] == list(contract)  # the contract's keys first, in its order
    assert {k: sev1[k] for k in contract} == contract
    # honest figures: sample sizes, MTTA mean, no median interval for n = 2
    assert (sev1["mttd_n"], sev1["mtta_n"], sev1["mtti_n"], sev1["mttr_n"]) == (2, 2, 0, 2)
    assert sev1["mtta_mean_min"] == 15.0 and sev1["mttr_median_ci_low_min"] is None
    assert sev2["key"] == "SEV-2" and sev2["count"] == 0 and sev2["mttr_median_min"] is None


@pytest.mark.parametrize(
    "by, keys",
    [
        ("severity", ["SEV-1", "SEV-2"]),
        ("service", ["api", "web"]),
        ("month", ["2026-01", "2026-02"]),
        ("quarter", ["2026-Q1"]),
    ],
)
def test_metrics_every_grouping(root, by, keys):
    doc = json.loads(run("metrics", "--root", root, "--by", by, "--format", "json").stdout)
    assert [g["key"] for g in doc["groups"]] == keys
    assert ("mtbf_mean_min" in doc["groups"][0]) == (by == "service")
    assert ("availability_pct" in doc["groups"][0]) == (by == "service")
    assert ("mttr_trend" in doc["groups"][0]) == (by in ("month", "quarter"))


def test_metrics_by_service_mtbf(root):
    doc = json.loads(run("metrics", "--root", root, "--by", "service", "--format", "json").stdout)
    api, web = doc["groups"]
    # api: A 2026-01-05T10:00Z -> B 2026-02-10T09:00Z = 35 d 23 h = 51780 min
    assert (api["count"], api["mtbf_mean_min"]) == (2, 51780.0)
    assert (web["count"], web["mtbf_mean_min"]) == (1, None)


@pytest.mark.parametrize(
    "since, until, count",
    [
        ("2026-02-10T09:00:00Z", None, 1),  # inclusive
        ("2026-02-10T09:00:01Z", None, 0),
        (None, "2026-02-10T09:00:00Z", 1),  # exclusive
        (None, "2026-02-11", 2),  # a date is midnight UTC
        ("2026-01-01", "2026-02-01", 1),
    ],
)
def test_metrics_since_until(root, since, until, count):
    args = ["metrics", "--root", root, "--format", "json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    doc = json.loads(run(*args).stdout)
    assert doc["groups"][0]["count"] == count


def test_metrics_csv_has_a_header_row(root):
    result = run("metrics", "--root", root, "--format", "csv", "--by", "service")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header = rows[0]
    assert header[:3] == ["service", "count", "mttd_median_min"]  # the key column is named after --by
    mtbf = header.index("mtbf_mean_min")
    assert rows[1][0] == "api" and rows[1][mtbf] == "51780.0"
    assert rows[2][0] == "web" and rows[2][mtbf] == ""  # null -> empty cell


@pytest.mark.parametrize("by", ["severity", "service", "month", "quarter"])
def test_metrics_csv_key_column_is_the_grouping(root, by):
    rows = list(csv.reader(io.StringIO(run("metrics", "--root", root, "--format", "csv", "--by", by).stdout)))
    assert rows[0][0] == by


def test_metrics_csv_and_json_are_unrounded(root):
    # A third SEV-2 incident: MTTR 1 min 20 s = 4/3 min; JSON and CSV keep 1.3333333333333333
    (root / "incidents" / "C.md").write_text(
        incident("C", "2026-03-01T00:00:00Z", "2026-03-01T00:00:10Z", "2026-03-01T00:01:20Z", severity="SEV-2")
    )
    doc = json.loads(run("metrics", "--root", root, "--format", "json").stdout)
    assert doc["groups"][1]["mttr_median_min"] == 4 / 3
    rows = list(csv.DictReader(io.StringIO(run("metrics", "--root", root, "--format", "csv").stdout)))
    assert float(rows[1]["mttr_median_min"]) == 4 / 3 and rows[1]["mttr_median_min"] == repr(4 / 3)
    assert "1.3 min" in run("metrics", "--root", root).stdout  # the text rounds


@pytest.mark.parametrize("since, until", [("2026-03-01", "2026-02-01"), ("2026-02-01", "2026-02-01")])
def test_metrics_empty_range_is_exit_2(root, since, until):
    result = run("metrics", "--root", root, "--since", since, "--until", until)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --since {since} is not before --until {until}: the range is empty "
        "(--since is inclusive, --until exclusive)\n"
    )


def test_metrics_range_without_incidents_says_so(root):
    result = run("metrics", "--root", root, "--since", "2030-01-01")
    assert result.exit_code == 0
    assert "No incident started since 2030-01-01: nothing to measure." in result.stdout


def test_metrics_availability_as_of(root):
    # api: A major 10:00-10:40 (40 min) and B major 09:00-10:20 (80 min) = 120 min of downtime.
    # Window: earliest started_at (A, 2026-01-05T10:00Z) to --as-of 2026-02-14T10:00Z = 40 days = 57600 min.
    # availability = 100 * (1 - 120 / 57600) = 99.791666...
    doc = json.loads(
        run("metrics", "--root", root, "--by", "service", "--as-of", "2026-02-14T10:00:00Z", "--format", "json").stdout
    )
    api = doc["groups"][0]
    assert api["downtime_min"] == 120.0
    assert api["availability_pct"] == pytest.approx(100 * (1 - 120 / 57600), abs=1e-12)
    text = run("metrics", "--root", root, "--by", "service", "--as-of", "2026-02-14T10:00:00Z").stdout
    assert "from 2026-01-05 10:00 UTC to 2026-02-14 10:00 UTC" in text and "api: 99.792%" in text


def test_metrics_text_table(root):
    result = run("metrics", "--root", root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["severity", "count"]
    # MTTD 0, MTTA 15, MTTR median 60 = 1 h 00 min, p90 76 min = 1 h 16 min: durations read as durations
    assert lines[2].split()[:2] == ["SEV-1", "2"] and "1 h 16 min" in lines[2] and "15.0 min" in lines[2]
    assert lines[3].split()[:3] == ["SEV-2", "0", "-"]
    assert "2 incidents" in result.stdout and "MTTR from started_at" in result.stdout


def test_metrics_refuses_broken_records(root):
    (root / "incidents" / "C.md").write_text("---\nid: C\n---\n")
    result = run("metrics", "--root", root, "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "incidents/C.md:" in result.stderr and "missing-field" in result.stderr


@pytest.mark.parametrize("flag", ["--since", "--until"])
def test_metrics_bad_date_is_exit_2_in_one_line(root, flag):
    result = run("metrics", "--root", root, flag, "2026-13-01")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and flag in result.stderr


def test_metrics_missing_root_is_exit_2(tmp_path):
    result = run("metrics", "--root", tmp_path / "nope")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_metrics_root_without_incidents(root):
    for p in (root / "incidents").iterdir():
        p.unlink()
    doc = json.loads(run("metrics", "--root", root, "--format", "json", "--by", "month").stdout)
    assert doc == {"groups": []}
    result = run("metrics", "--root", root)
    assert result.exit_code == 0 and "0 incidents" in result.stdout


# -- check --------------------------------------------------------------------

# A is SEV-1, resolved 2026-01-05T10:40Z: its postmortem (none) is due 2026-01-07T10:40Z.


def test_check_before_due_warns_and_exits_0(root):
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:39:59Z")
    assert result.exit_code == 0
    assert "incidents/A.md:11:1: warning postmortem-missing A:" in result.stdout
    # B was acknowledged 20 minutes after detection (target 15m): a past miss, a warning.
    assert "incidents/B.md:10:1: warning ack-late B was acknowledged 20m after detection" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "0 errors, 2 warnings in 5 files"


def test_check_strict_makes_the_warning_fail(root):
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:39:59Z", "--strict")
    assert result.exit_code == 1


def test_check_at_due_fails_text(root):
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:40:00Z")
    assert result.exit_code == 1
    assert "incidents/A.md:11:1: error postmortem-missing A:" in result.stdout


def test_check_json(root):
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:40:00Z", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["summary"] == {"files": 5, "errors": 1, "warnings": 1}
    finding, ack = doc["findings"]
    assert ack["code"] == "ack-late" and ack["level"] == "warning" and ack["path"] == "incidents/B.md"
    assert finding["path"] == "incidents/A.md" and finding["line"] == 11 and finding["column"] == 1
    assert finding["level"] == "error" and finding["code"] == "postmortem-missing"
    assert finding["message"].startswith("A: ")


def test_check_github(root):
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:40:00Z", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=incidents/A.md,line=11,col=1,title=postmortem-missing::A: ")
    assert "2026-01-07T10%3A40" not in result.stdout  # `:` is escaped in properties, not in the message


def test_check_includes_validate_findings(root):
    (root / "incidents" / "B.md").write_text(B.replace("title:", "colour: red\ntitle:"))
    result = run("check", "--root", root, "--as-of", "2026-01-07T10:40:00Z")
    assert "warning unknown-field" in result.stdout and "error postmortem-missing" in result.stdout


def test_check_clean_root_exits_0(root):
    (root / "incidents" / "A.md").write_text(A.replace("severity: SEV-1", "severity: SEV-2"))
    (root / "incidents" / "B.md").write_text(
        B.replace("acknowledged_at: 2026-02-10T09:20:00Z", "acknowledged_at: 2026-02-10T09:15:00Z")
    )
    result = run("check", "--root", root, "--as-of", "2030-01-01T00:00:00Z")
    assert result.exit_code == 0
    assert result.stdout == "0 errors, 0 warnings in 5 files\n"


@pytest.mark.parametrize("bad", ["yesterday", "2026-01-07T10:40:00", "2026-02-30"])
def test_check_bad_as_of_is_exit_2_in_one_line(root, bad):
    result = run("check", "--root", root, "--as-of", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "--as-of" in result.stderr


def test_check_as_of_date_is_midnight_utc(root):
    assert run("check", "--root", root, "--as-of", "2026-01-07").exit_code == 0
    assert run("check", "--root", root, "--as-of", "2026-01-08").exit_code == 1


def test_check_defaults_to_now(root):
    # Years after every date in the root: the missing postmortem is long due.
    result = run("check", "--root", root)
    assert result.exit_code == 1 and "error postmortem-missing" in result.stdout


def test_validate_does_not_import_pandas():
    code = (
        "import sys; from incidents.cli import cli; "
        "sys.argv=['incidents','validate','--help']\n"
        "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit: pass\n"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("command", ["validate", "check"])
def test_validate_and_check_never_load_pandas_or_scipy(root, command):
    # the gate stays light: the statistics (pandas, numpy, scipy) load only when metrics are computed
    code = (
        "import sys; from incidents.cli import cli\n"
        f"sys.argv=['incidents', {command!r}, '--root', {str(root)!r}, '--no-cache']\n"
        "try:\n    cli.main(standalone_mode=False)\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
