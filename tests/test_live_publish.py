"""An update committed on the default branch reaches the built `api/v2/summary.json` by the workflow's own
steps (fresh checkout, `incidents validate --format github`, `mkdocs build --strict`), with no network.
Prints how long that took (`pytest -s` shows it); the figure is a measurement, never asserted."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "roundtrip"
pytestmark = [pytest.mark.site, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]

MKDOCS = """site_name: Acme Status
site_url: https://status.example.com/
theme:
  name: material
plugins:
  - incidents
"""


def env() -> dict:
    return dict(
        os.environ,
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        GIT_AUTHOR_NAME="Alice",
        GIT_AUTHOR_EMAIL="alice@example.com",
        GIT_COMMITTER_NAME="Alice",
        GIT_COMMITTER_EMAIL="alice@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        SOURCE_DATE_EPOCH="1775037600",
        NO_MKDOCS_2_WARNING="1",
    )


def run(cwd: Path, args: list[str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc.stdout


def workflow_steps() -> list[list[str]]:
    """The `run:` steps of the workflow's gate and site jobs after the install step, as argument lists."""
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "incidents.yml").read_text(encoding="utf-8"))
    steps = []
    for job in ("gate", "site"):
        for step in wf["jobs"][job]["steps"]:
            command = step.get("run", "")
            if command.startswith(("incidents validate", "mkdocs build")):
                steps.append(shlex.split(command))
    return steps


def deploy(origin: Path, work: Path) -> dict:
    """What the workflow does on a push: a fresh checkout, then its gate and build steps."""
    if work.exists():
        shutil.rmtree(work)
    run(origin.parent, ["git", "clone", "-q", "--depth", "1", str(origin), str(work)])
    for args in workflow_steps():
        run(work, args)
    return json.loads((work / "_site" / "api" / "v2" / "summary.json").read_text(encoding="utf-8"))


def test_an_update_on_main_reaches_the_built_summary_json(tmp_path):
    steps = workflow_steps()
    assert [a[:2] for a in steps] == [["incidents", "validate"], ["mkdocs", "build"]]
    origin = tmp_path / "status"
    origin.mkdir()
    run(origin, ["git", "init", "-q", "-b", "main"])
    shutil.copytree(FIXTURES / "policy", origin / "policy")
    (origin / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (origin / "docs").mkdir()
    (origin / "docs" / ".keep").write_text("", encoding="utf-8")
    run(
        origin,
        [
            "incidents",
            "new",
            "--severity",
            "SEV-2",
            "--title",
            "API errors",
            "--service",
            "api",
            "--impact",
            "partial_outage",
            "--role",
            "commander=alice",
            "--at",
            "2026-04-01T09:00:00Z",
            "--message",
            "We are investigating errors on the API.",
        ],
    )
    run(origin, ["git", "add", "-A"])
    run(origin, ["git", "commit", "-q", "-m", "Declare"])
    before = deploy(origin, tmp_path / "ci")
    assert [i["status"] for i in before["incidents"]] == ["investigating"]

    started = time.perf_counter()
    run(
        origin,
        [
            "incidents",
            "update",
            "INC-2026-0001",
            "--status",
            "identified",
            "--at",
            "2026-04-01T09:20:00Z",
            "--message",
            "A bad deploy; rolling back.",
        ],
    )
    run(origin, ["git", "commit", "-q", "-am", "INC-2026-0001: identified"])
    committed = time.perf_counter()
    after = deploy(origin, tmp_path / "ci")
    built = time.perf_counter()

    incident = after["incidents"][0]
    assert incident["status"] == "identified"
    assert incident["incident_updates"][0]["body"] == "A bad deploy; rolling back."
    assert after["status"]["indicator"] == "major"
    line = (
        f"update + commit {committed - started:.2f} s; checkout + validate + mkdocs build "
        f"{built - committed:.2f} s; commit -> summary.json changed {built - committed:.2f} s"
    )
    out = REPO / "test-output"
    out.mkdir(exist_ok=True)
    (out / "live-publish.txt").write_text(line + "\n", encoding="utf-8")
    print(line)
