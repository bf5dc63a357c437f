"""`incidents validate` through click's CliRunner (and once as the installed script): exit codes, the
three output formats, `--strict`, no heavy imports, and never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.findings_output import escape_data, escape_property

FINDINGS = Path(__file__).parent / "fixtures" / "findings"
CASES = sorted(p.name for p in FINDINGS.iterdir() if p.is_dir() and not p.name.startswith("_"))
INCIDENT = (FINDINGS / "valid_incident" / "incidents" / "2026" / "INC-2026-0001.md").read_text()
TEXT_LINE = re.compile(
    r"^(?P<path>[^:\s][^:]*):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<level>error|warning) "
    r"(?P<code>[a-z0-9-]+) (?P<message>.+)$"
)
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings? in \d+ files?$")
GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning) file=(?P<file>[^,:]*),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"title=(?P<title>[^,:]*)::(?P<message>[^\r\n]*)$"
)


def make_root(tmp_path: Path, case: str = "valid_incident") -> Path:
    root = tmp_path / "root"
    shutil.copytree(FINDINGS / case, root, ignore=shutil.ignore_patterns("expected.json"))
    if not (root / "policy").exists():
        shutil.copytree(FINDINGS / "_base" / "policy", root / "policy")
    return root


def run(*args: str):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def expected_of(case: str) -> dict:
    return json.loads((FINDINGS / case / "expected.json").read_text())


# -- exit codes -------------------------------------------------------------------------------------


def test_clean_root_exits_0(tmp_path):
    result = run("--root", str(make_root(tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 errors, 0 warnings in 3 files\n"


def test_errors_exit_1(tmp_path):
    result = run("--root", str(make_root(tmp_path, "unknown_service")))
    assert result.exit_code == 1
    assert "unknown-service" in result.stdout


def test_warnings_alone_exit_0(tmp_path):
    result = run("--root", str(make_root(tmp_path, "key_typo")))
    assert result.exit_code == 1  # the typo also leaves `severity` missing
    result = run("--root", str(make_root(tmp_path / "w", "impact_map_incomplete")))
    assert result.exit_code == 0
    assert ": warning impact-incomplete " in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml"],
        ["--bogus"],
        ["--strict=yes"],
        ["extra-argument"],
    ],
)
def test_bad_flag_exits_2(tmp_path, args):
    result = run("--root", str(make_root(tmp_path)), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_root_exits_2(tmp_path):
    result = run("--root", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_root_that_is_a_file_exits_2(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run("--root", str(tmp_path / "file"))
    assert result.exit_code == 2


def test_root_without_policy_and_incidents_exits_2(tmp_path):
    (tmp_path / "docs").mkdir()
    result = run("--root", str(tmp_path))
    assert result.exit_code == 2
    assert "policy/" in result.stderr and "incidents/" in result.stderr
    assert result.stdout == ""


def test_root_without_policy_is_a_finding(tmp_path):
    root = make_root(tmp_path)
    shutil.rmtree(root / "policy")
    result = run("--root", str(root), "--format", "json")
    assert result.exit_code == 1
    codes = {(f["path"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert ("policy/policy.yml", "policy-missing") in codes
    assert ("policy/services.yml", "policy-missing") in codes


def test_root_without_incidents_folder_is_clean(tmp_path):
    root = make_root(tmp_path)
    shutil.rmtree(root / "incidents")
    result = run("--root", str(root))
    assert result.exit_code == 0
    assert result.stdout == "0 errors, 0 warnings in 2 files\n"


def test_default_root_is_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(make_root(tmp_path, "unknown_severity"))
    result = run()
    assert result.exit_code == 1
    assert result.stdout.startswith("incidents/2026/INC-2026-0001.md:4:11: error unknown-severity ")


# -- --strict ----------------------------------------------------------------------------------------


def test_strict_turns_warnings_into_errors(tmp_path):
    root = make_root(tmp_path, "impact_map_incomplete")
    plain = run("--root", str(root), "--format", "json")
    strict = run("--root", str(root), "--format", "json", "--strict")
    assert plain.exit_code == 0 and strict.exit_code == 1
    p, s = json.loads(plain.stdout), json.loads(strict.stdout)
    assert [f["level"] for f in p["findings"]] == ["warning"]
    assert [f["level"] for f in s["findings"]] == ["error"]
    assert s["summary"] == {"files": 3, "errors": 1, "warnings": 0}
    text = run("--root", str(root), "--strict")
    assert text.exit_code == 1
    assert ": error impact-incomplete " in text.stdout
    assert text.stdout.splitlines()[-1] == "1 error, 0 warnings in 3 files"
    github = run("--root", str(root), "--strict", "--format", "github")
    assert github.exit_code == 1 and github.stdout.startswith("::error ")


def test_strict_on_a_clean_root_exits_0(tmp_path):
    assert run("--root", str(make_root(tmp_path)), "--strict").exit_code == 0


# -- formats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["yaml11_booleans_in_text", "billion_laughs", "policy_bad_duration", "key_typo"])
def test_text_format(tmp_path, case):
    result = run("--root", str(make_root(tmp_path, case)))
    lines = result.stdout.splitlines()
    expected = expected_of(case)
    assert len(lines) == len(expected["findings"]) + 1
    for line, finding in zip(lines, expected["findings"]):
        m = TEXT_LINE.match(line)
        assert m, line
        assert (m["path"], int(m["line"]), int(m["col"]), m["level"], m["code"], m["message"]) == (
            finding["path"],
            finding["line"],
            finding["column"],
            finding["level"],
            finding["code"],
            finding["message"],
        )
    assert SUMMARY.match(lines[-1])
    s = expected["summary"]
    assert lines[-1] == (
        f"{s['errors']} error{'s' * (s['errors'] != 1)}, {s['warnings']} warning"
        f"{'s' * (s['warnings'] != 1)} in {s['files']} file{'s' * (s['files'] != 1)}"
    )


@pytest.mark.parametrize(
    "case", ["valid_incident", "unknown_service", "postmortem_bad_action_item", "policy_unknown_key"]
)
def test_json_format_shape(tmp_path, case):
    result = run("--root", str(make_root(tmp_path, case)), "--format", "json")
    doc = json.loads(result.stdout)
    assert list(doc) == ["findings", "summary"]
    assert list(doc["summary"]) == ["files", "errors", "warnings"]
    assert all(isinstance(v, int) for v in doc["summary"].values())
    for f in doc["findings"]:
        assert list(f) == ["path", "line", "column", "level", "code", "message"]
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
        assert f["level"] in ("error", "warning")
    assert doc == expected_of(case)
    assert result.exit_code == (1 if doc["summary"]["errors"] else 0)


def test_github_format(tmp_path):
    root = make_root(tmp_path, "unknown_service")
    result = run("--root", str(root), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "::error file=incidents/2026/INC-2026-0001.md,line=6,col=17,title=unknown-service::"
        "unknown service `paymnts`; did you mean `payments`?"
    ]
    assert "1 error, 0 warnings in 3 files" in result.stderr


def test_github_format_escapes(tmp_path):
    """A path with `,` and `:` and a message with `%`, CR and LF stay one well-formed command."""
    root = make_root(tmp_path)
    target = root / "incidents" / "2026" / "INC-2026-0001.md"
    odd = root / "incidents" / "2026" / "a,b:c%d.md"
    odd.write_text(
        INCIDENT.replace("id: INC-2026-0001", "id: INC-2026-0002").replace(
            "services: [api]", 'services: [api, "pay\\nme%nts\\r"]'
        )
    )
    target.unlink()
    result = run("--root", str(root), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    m = GITHUB_LINE.match(lines[0])
    assert m, lines[0]
    assert m["file"] == "incidents/2026/a%2Cb%3Ac%25d.md"
    assert m["title"] == "unknown-service"
    assert (m["line"], m["col"]) == ("6", "17")
    assert m["message"] == "unknown service `pay%0Ame%25nts%0D`; did you mean `payments`?"


def test_text_format_keeps_one_finding_a_line(tmp_path):
    """A value with a line break does not break the text format's one-finding-a-line rule."""
    root = make_root(tmp_path)
    target = root / "incidents" / "2026" / "INC-2026-0001.md"
    target.write_text(INCIDENT.replace("services: [api]", 'services: [api, "pay\\nme\\rnts"]'))
    result = run("--root", str(root))
    lines = result.stdout.splitlines()
    assert len(lines) == 2, lines
    assert TEXT_LINE.match(lines[0]) and SUMMARY.match(lines[1])
    assert lines[0].endswith("unknown service `pay\\nme\\rnts`; did you mean `payments`?")
    doc = json.loads(run("--root", str(root), "--format", "json").stdout)
    assert doc["findings"][0]["message"] == "unknown service `pay\nme\rnts`; did you mean `payments`?"


def test_escape_functions():
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"


def test_github_format_clean_prints_nothing_on_stdout(tmp_path):
    result = run("--root", str(make_root(tmp_path)), "--format", "github")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 errors, 0 warnings in 3 files" in result.stderr


# -- never a traceback ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_no_traceback_for_any_golden_case(tmp_path, case, fmt):
    result = CliRunner().invoke(cli, ["validate", "--root", str(make_root(tmp_path, case)), "--format", fmt])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == (1 if expected_of(case)["summary"]["errors"] else 0)
    assert "Traceback" not in result.output
    assert "internal-error" not in result.output


# -- the installed script and its imports ---------------------------------------------------------------


def _script() -> str:
    candidate = Path(sys.executable).with_name("incidents")
    return str(candidate) if candidate.exists() else shutil.which("incidents")


def test_installed_script(tmp_path):
    script = _script()
    assert script, "the console script `incidents` is not installed"
    root = make_root(tmp_path, "duplicate_key_top")
    proc = subprocess.run(
        [script, "validate", "--root", str(root), "--format", "json"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == expected_of("duplicate_key_top")
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [script, "validate", "--root", str(tmp_path / "missing")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.startswith("Error: ")


HEAVY = ("mkdocs", "pandas", "matplotlib", "jinja2", "ruamel", "ruamel.yaml")


def test_validate_imports_nothing_heavy(tmp_path):
    root = make_root(tmp_path, "unknown_service")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from incidents.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['validate', '--root', {str(root)!r}, '--format', 'json'])\n"
        "assert result.exit_code == 1, result.output\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_github_format_warning_level(tmp_path):
    result = run("--root", str(make_root(tmp_path, "policy_unknown_key")), "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "::warning file=policy/policy.yml,line=19,col=1,title=unknown-field::"
        "unknown policy key `role_for_tags`; did you mean `roles_for_tags`?"
    ]
