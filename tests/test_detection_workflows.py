"""The detection workflows `incidents init` writes: incidents-ingest.yml (repository_dispatch `alert`)
and incidents-probe.yml (every 5 minutes), both clean under actionlint and zizmor; the untrusted
`client_payload` reaches the command through a file, never through `${{ }}` in a script; and the
policy/ingest.yml init writes validates under both severity schemes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BIN = Path(sys.executable).parent
WORKFLOWS = (".github/workflows/incidents-ingest.yml", ".github/workflows/incidents-probe.yml")


def tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is missing: install the test extras (pip install -e '.[test]')"
    return found


@pytest.fixture(scope="module", params=["sev", "p"])
def fresh(request, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp(f"init-{request.param}")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    proc = subprocess.run(
        [sys.executable, "-m", "incidents", "init", ".", "--scheme", request.param],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


def test_the_written_ingest_yml_validates(fresh):
    assert (fresh / "policy/ingest.yml").is_file()
    proc = subprocess.run([sys.executable, "-m", "incidents", "validate"], cwd=fresh, capture_output=True, text=True)
    assert proc.returncode == 0 and "0 errors, 0 warnings in 4 files" in proc.stdout, proc.stdout + proc.stderr


def test_actionlint_and_zizmor_find_nothing(fresh):
    paths = [str(fresh / w) for w in WORKFLOWS]
    lint = subprocess.run([tool("actionlint"), "-no-color", *paths], capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", *paths], capture_output=True, text=True, timeout=120
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr


def test_triggers_concurrency_and_no_payload_interpolated_into_a_script(fresh):
    ingest = yaml.safe_load((fresh / WORKFLOWS[0]).read_text())
    probe = yaml.safe_load((fresh / WORKFLOWS[1]).read_text())
    assert ingest[True] == {"repository_dispatch": {"types": ["alert"]}}  # YAML 1.1 reads `on:` as True
    assert probe[True]["schedule"] == [{"cron": "*/5 * * * *"}]
    for wf in (ingest, probe):
        assert wf["concurrency"]["cancel-in-progress"] is False and wf["concurrency"]["group"]
        assert wf["permissions"] == {}
    for path in WORKFLOWS:
        for step_run in re.findall(r"run: \|?(.*?)(?=\n      - |\Z)", (fresh / path).read_text(), re.S):
            assert "${{" not in step_run, step_run
    assert "incidents probe" in (fresh / WORKFLOWS[1]).read_text()
    assert "git add probes incidents" in (fresh / WORKFLOWS[1]).read_text()
