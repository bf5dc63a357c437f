"""The core installs what the gate needs (click and PyYAML); every other command names the extra it
needs when its packages are missing, and exits 2 - never an ImportError traceback; `[all]` is the whole
package in one command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

BLOCKER = """
import sys
BLOCKED = set({blocked!r})
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in BLOCKED:
            raise ImportError(f'{{name}} is not installed here')
sys.meta_path.insert(0, Block())
"""


def run_without(tmp_path: Path, blocked: list[str], *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    (tmp_path / "sitecustomize.py").write_text(BLOCKER.format(blocked=blocked))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO / "generator")]))
    return subprocess.run(
        [sys.executable, "-m", "incidents", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_core_is_what_the_gate_needs_and_all_is_everything():
    assert names(PROJECT["dependencies"]) == {"click", "pyyaml"}
    extras = PROJECT["optional-dependencies"]
    assert extras["all"] == ["incident-as-code[calendars,metrics,export,site,import,notify]"]
    everything = set()
    for extra in ("calendars", "metrics", "export", "site", "import", "notify"):
        everything |= names(extras[extra]) - {"incident-as-code"}
    # every third-party package the code imports is in one extra
    for needed in ("pandas", "scipy", "pyarrow", "mkdocs", "mkdocs-material", "jinja2", "markdown", "nh3"):
        assert needed in everything, needed
    for needed in ("feedgen", "icalendar", "matplotlib", "requests", "markdownify", "holidays"):
        assert needed in everything, needed
    constraints = {line.split("==")[0].lower() for line in (REPO / "constraints.txt").read_text().splitlines()}
    assert everything <= constraints


@pytest.mark.parametrize(
    "blocked, args, extra",
    [
        (["pandas", "scipy"], ["metrics"], "metrics"),
        (["pyarrow"], ["export", "--format", "csv", "--out", "{tmp}"], "export"),
        (["requests"], ["import", "statuspage", "--dry-run", "x.json"], "import"),
    ],
)
def test_a_command_without_its_extra_says_which_to_install(tmp_path, blocked, args, extra):
    args = [a.replace("{tmp}", str(tmp_path / "out")) for a in args]
    proc = run_without(tmp_path, blocked, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"pip install 'incident-as-code[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_needs_no_extra_and_a_country_calendar_names_its_extra(tmp_path):
    root = tmp_path / "root"
    (root / "policy").mkdir(parents=True)
    (root / "incidents").mkdir()
    policy = (REPO / "tests/fixtures/findings/_base/policy/policy.yml").read_text()
    policy += "\ncalendar:\n  timezone: Europe/Berlin\n  working_hours: '09:00-17:00'\n  holidays: {country: DE}\n"
    (root / "policy/policy.yml").write_text(policy)
    (root / "policy/services.yml").write_bytes(
        (REPO / "tests/fixtures/findings/_base/policy/services.yml").read_bytes()
    )
    proc = run_without(tmp_path, ["holidays"], "validate", "--no-cache", "--root", str(root))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "pip install 'incident-as-code[calendars]'" in proc.stdout, proc.stdout
    plain = run_without(tmp_path, ["pandas", "mkdocs", "holidays"], "validate", "--no-cache")  # the demo
    assert plain.returncode == 0 and "Traceback" not in plain.stderr, plain.stdout + plain.stderr
