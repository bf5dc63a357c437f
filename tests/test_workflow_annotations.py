"""The GitHub side: the workflow, the pre-commit hook and the composite action parse and say what they should;
the workflow's validate step, run here on a broken file, prints the annotation lines GitHub expects."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "roundtrip"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
TAG_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(rel: str):
    return yaml.safe_load((REPO / rel).read_text(encoding="utf-8"))


def workflow():
    wf = load(".github/workflows/incidents.yml")
    # PyYAML reads the bare key `on` as the boolean True.
    wf["on"] = wf.pop(True, wf.get("on"))
    return wf


def all_steps(doc) -> list[dict]:
    if "jobs" in doc:
        return [step for job in doc["jobs"].values() for step in job.get("steps", [])]
    return doc["runs"]["steps"]


def test_workflow_triggers_and_jobs():
    wf = workflow()
    assert "pull_request" in wf["on"]
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["on"]["schedule"][0]["cron"]
    gate = wf["jobs"]["gate"]
    runs = [s.get("run", "") for s in gate["steps"]]
    assert "pip install -c constraints.txt ." in runs
    assert "incidents validate --format github --no-cache" in runs  # a cache is never trusted from a checkout
    assert "incidents check --no-cache" in runs
    python = next(s for s in gate["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    site = wf["jobs"]["site"]
    site_runs = " ".join(s.get("run", "") for s in site["steps"])
    assert "mkdocs build" in site_runs
    uses = [s.get("uses", "") for s in all_steps(wf)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "site"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_every_action_is_pinned_to_a_full_sha_with_its_tag():
    for rel in (".github/workflows/incidents.yml", "action.yml"):
        text = (REPO / rel).read_text(encoding="utf-8")
        doc = workflow() if rel.endswith("incidents.yml") else load(rel)
        used = [s["uses"] for s in all_steps(doc) if "uses" in s]
        assert used, rel
        for ref in used:
            assert PINNED.match(ref), f"{rel}: {ref} is not pinned to a commit SHA"
        for line in text.splitlines():
            if re.match(r"^\s*(- )?uses: ", line):
                assert TAG_COMMENT.search(line), f"{rel}: `{line.strip()}` lacks its `# vX.Y.Z` comment"


def test_pre_commit_hook():
    hooks = load(".pre-commit-hooks.yaml")
    hook = next(h for h in hooks if h["id"] == "incidents-validate")
    assert hook["entry"] == "incidents validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.match(hook["files"], "incidents/2026/INC-2026-0001.md")
    assert re.match(hook["files"], "policy/policy.yml")
    assert not re.match(hook["files"], "generator/incidents/cli/__init__.py")


def test_composite_action():
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    runs = [s.get("run", "") for s in steps]
    assert any("pip install" in r and "$GITHUB_ACTION_PATH" in r for r in runs)
    assert any("incidents validate" in r and "--format github --no-cache" in r for r in runs)
    assert any("incidents check" in r and "--format github --no-cache" in r for r in runs)
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs reach scripts through env, never spliced into the script"


def test_codeowners_and_template():
    owners = (REPO / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert re.search(r"^/policy/\s+@acme/sre-leads$", owners, flags=re.M)
    template = (REPO / ".github/pull_request_template.md").read_text(encoding="utf-8")
    assert "incidents new" in template and "incidents update" in template and "- [ ]" in template


def _broken_root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "policy", root / "policy")
    (root / "incidents" / "2026").mkdir(parents=True)
    text = (FIXTURES / "updates_in_middle.before.md").read_text(encoding="utf-8")
    text = text.replace("severity: SEV-2", "severity: SEV-7").replace("services: [web, api]", "services: [web, apii]")
    (root / "incidents" / "2026" / "INC-2026-0109.md").write_text(text, encoding="utf-8")
    return root


def test_the_workflow_validate_step_annotates_a_broken_file(tmp_path):
    root = _broken_root(tmp_path)
    step = next(s for s in workflow()["jobs"]["gate"]["steps"] if "incidents validate" in s.get("run", ""))
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(shlex.split(step["run"]), cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines, proc.stderr
    for line in lines:
        assert re.match(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[\w-]+::\S", line), line
    assert (
        "::error file=incidents/2026/INC-2026-0109.md,line=4,col=11,title=unknown-severity::unknown severity `SEV-7`"
        in proc.stdout
    )
    assert any(
        l.startswith("::error file=incidents/2026/INC-2026-0109.md,line=6,")
        and "title=unknown-service::" in l
        and "did you mean `api`" in l
        for l in lines
    )
    assert "1 file" not in proc.stdout  # the summary goes to stderr, so the log shows only workflow commands
    assert re.search(r"\d+ errors?, \d+ warnings? in \d+ files?", proc.stderr)


def test_annotation_escaping(tmp_path):
    root = _broken_root(tmp_path)
    bad = root / "incidents" / "2026" / "a,b:c.md"
    bad.write_text("---\nid: X\ntitle: 100% done\n", encoding="utf-8")  # never closed
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    proc = subprocess.run(
        ["incidents", "validate", "--format", "github"], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert "::error file=incidents/2026/a%2Cb%3Ac.md,line=1,col=1,title=unclosed-front-matter::" in proc.stdout
