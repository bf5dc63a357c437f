"""Output that must not harm where it lands: terminals, JSON readers, spreadsheets; and times out of range."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.cli.metrics_format import format_csv
from incidents.findings import ERROR, Finding
from incidents.findings_output import format_github, format_json, format_text
from incidents.text import csv_cell, escape_controls, strip_controls

REPO = Path(__file__).resolve().parents[1]
ESC = "\x1b]0;pwned\x07\x1b[2J"


def test_text_output_shows_escape_sequences_instead_of_running_them():
    f = Finding("incidents/a\x1b[31m.md", 3, 1, ERROR, "unknown-service", f"unknown service `{ESC}`")
    text = format_text([f], 1)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in text and "incidents/a\\x1b[31m.md:3:1:" in text
    assert "\x1b" not in format_github([f])
    assert escape_controls("tab\tok\u202eevil") == "tab\tok\\u202eevil"


def test_json_output_stays_valid_with_a_non_utf8_file_name():
    name = os.fsdecode(b"incidents/bad\xff.md")  # as os.walk gives it: a lone surrogate
    out = format_json([Finding(name, 1, 1, ERROR, "missing-field", "x")], 1)
    doc = json.loads(out.encode("utf-8"))  # encodes: no lone surrogate left
    assert doc["findings"][0]["path"] == "incidents/bad\\xff.md"


def test_json_output_of_the_cli_with_a_non_utf8_file_name(tmp_path):
    root = tmp_path / "root"
    (root / "incidents").mkdir(parents=True)
    (root / "policy").mkdir()
    (root / "incidents" / os.fsdecode(b"bad\xff.md")).write_text("---\nid: x\n---\n")
    proc = subprocess.run(
        [sys.executable, "-m", "incidents", "validate", "--root", str(root), "--format", "json"],
        capture_output=True,
        cwd=REPO,
    )
    doc = json.loads(proc.stdout.decode("utf-8"))
    assert any(f["path"] == "incidents/bad\\xff.md" for f in doc["findings"])


def test_csv_cells_that_start_a_formula_are_neutralised():
    assert [csv_cell(v) for v in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "SEV-1", 3.5, -1.0)] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "SEV-1",
        3.5,
        -1.0,
    ]
    from incidents.metrics.figures import GROUP_KEYS

    group = dict.fromkeys(GROUP_KEYS)
    group.update(key='=HYPERLINK("http://evil","x")', count=1)
    text = format_csv([group], "severity")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0].startswith("'=")


def test_control_characters_are_stripped_for_xml():
    assert strip_controls("a\x0bb\x00c\td") == "a\ufffdb\ufffdc\td"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--as-of", "0001-01-01T00:00:00+01:00"],
        ["check", "--as-of", "9999-12-31T23:59:59-01:00"],
        ["metrics", "--since", "9999-12-31"],
        ["metrics", "--until", "0001-01-01"],
        ["metrics", "--until", "9999-12-31T23:59:59-01:00"],
    ],
)
def test_flags_out_of_range_are_exit_2_with_a_clear_error(args):
    result = CliRunner().invoke(cli, [*args, "--root", str(REPO)])
    assert result.exit_code == 2, result.output
    assert "out of range" in result.output and "Traceback" not in result.output


def test_a_record_at_the_end_of_time_is_a_finding_everywhere(tmp_path):
    src = REPO / "tests" / "fixtures" / "findings" / "timestamp_out_of_range"
    root = tmp_path / "root"
    import shutil

    shutil.copytree(src, root)
    shutil.copytree(REPO / "tests" / "fixtures" / "findings" / "_base" / "policy", root / "policy")
    runner = CliRunner()
    for args in (["validate"], ["check", "--as-of", "2026-03-01T00:00:00Z"], ["metrics"]):
        result = runner.invoke(cli, [*args, "--root", str(root)])
        assert result.exit_code == 1, (args, result.output)
        assert "9999-12-31T23:59:59Z` is out of range" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_source_date_epoch_at_the_end_of_time_is_a_clear_error(monkeypatch):
    from mkdocs.exceptions import PluginError

    from incidents.mkdocs_plugin.chrome import build_now

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    with pytest.raises(PluginError, match="SOURCE_DATE_EPOCH"):
        build_now()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "-5")
    with pytest.raises(PluginError, match="SOURCE_DATE_EPOCH"):
        build_now()
