"""`incidents init`: turn an empty (or existing) git repository into a working incidents repository.

`plan(root, name, scheme)` lists the files to write (path -> bytes); `apply(...)` writes the
ones that do not exist yet - never overwriting, each write atomic - registers the merge driver
in the repository's git config, and reports what it wrote, what it kept and what is still
wrong (`problems`: a kept file that leaves the repository unable to pass the gate or build).

May import every layer below the operations, and the other operations (`init
--from-statuspage` imports a history); never the CLI or the plugin.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from incidents import REPOSITORY, __version__

SCHEMES = ("sev", "p")
MERGE_DRIVER = "incidents merge-file %O %A %B --path %P"
SCHEMA_FILE = ".incidents/record.schema.json"

# target path -> template file (under templates/)
TEMPLATES = {
    "policy/services.yml": "services.yml",
    "policy/notify.yml": "notify.yml",
    "incidents/README.md": "incidents-README.md",
    "mkdocs.yml": "mkdocs.yml",
    "mkdocs.internal.yml": "mkdocs.internal.yml",
    ".github/workflows/incidents.yml": "workflow-incidents.yml",
    ".github/workflows/incidents-ingest.yml": "workflow-incidents-ingest.yml",  # issue 23: detection
    ".github/workflows/incidents-probe.yml": "workflow-incidents-probe.yml",
    "policy/ingest.yml": "ingest.yml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".gitattributes": "gitattributes",
    ".gitignore": "gitignore",
}


class InitError(Exception):
    """init could not run as asked (exit 2)."""


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    git: list[str] = field(default_factory=list)  # what was done in git (init, config)
    problems: list[str] = field(default_factory=list)


def _template(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def _editor_settings() -> str:
    settings = {
        # Records are Markdown files whose front matter is YAML: opened as YAML, yaml-language-server
        # checks them against the record schema (the schema leaves the Markdown body alone).
        "files.associations": {"incidents/**/*.md": "yaml"},
        "yaml.schemas": {SCHEMA_FILE: ["incidents/**/*.md"]},
        "yaml.validate": True,
        "yaml.completion": True,
    }
    return json.dumps(settings, indent=2) + "\n"


def _extensions() -> str:
    return json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"


def _record_schema(policy_text: str, services_text: str) -> str:
    """The record schema under the policy being written (read as `incidents schema` reads it)."""
    import tempfile

    from incidents.policy.policy_file import load_policy
    from incidents.policy.schema import front_matter_schema

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "policy").mkdir()
        (Path(tmp) / "policy" / "policy.yml").write_text(policy_text, encoding="utf-8")
        (Path(tmp) / "policy" / "services.yml").write_text(services_text, encoding="utf-8")
        policy = load_policy(Path(tmp)).policy
    return json.dumps(front_matter_schema(policy, "record"), indent=2, ensure_ascii=False) + "\n"


def plan(root: Path, name: str, scheme: str) -> dict[str, str]:
    """Every file init writes, path (relative, `/`-separated) -> text."""
    if scheme not in SCHEMES:
        raise InitError(f"unknown scheme `{scheme}`; use one of {', '.join(SCHEMES)}")
    policy = _template(f"policy-{scheme}.yml")
    values = {
        "NAME": name,
        "VERSION": __version__,
        "REPOSITORY": REPOSITORY,
        "FIRST_SEVERITY": "SEV-1" if scheme == "sev" else "P0",
        "WARNING_SEVERITY": "SEV-3" if scheme == "sev" else "P2",  # policy/ingest.yml: `warning` alerts
    }
    files = {"policy/policy.yml": policy}
    for target, template in TEMPLATES.items():
        files[target] = _fill(_template(template), values)
    # An existing policy is the one the schema must describe.
    pol_path, svc_path = root / "policy" / "policy.yml", root / "policy" / "services.yml"
    policy_text = pol_path.read_text(encoding="utf-8") if pol_path.is_file() else files["policy/policy.yml"]
    services_text = svc_path.read_text(encoding="utf-8") if svc_path.is_file() else files["policy/services.yml"]
    files[SCHEMA_FILE] = _record_schema(policy_text, services_text)
    files[".vscode/settings.json"] = _editor_settings()
    files[".vscode/extensions.json"] = _extensions()
    files["docs/.gitkeep"] = ""  # MkDocs needs docs/ to exist, and git keeps no empty folder
    return files


def _write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; never replaces a file (exclusive create of a temp, then link)."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # fails if `path` appeared meanwhile: nothing is overwritten
    finally:
        os.unlink(tmp)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def _ensure_git(root: Path, result: InitResult) -> None:
    if shutil.which("git") is None:
        raise InitError("git is not installed; incidents init sets up a git repository")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        done = _git(root, "init", "-q")
        if done.returncode != 0:
            raise InitError(f"`git init` failed in {root}: {done.stderr.strip()}")
        result.git.append("git init (it was not a git repository)")
    current = _git(root, "config", "--local", "--get", "merge.incidents.driver")
    if current.returncode == 0 and current.stdout.strip() == MERGE_DRIVER:
        return
    if current.returncode == 0 and current.stdout.strip():
        result.kept.append(f"git config merge.incidents.driver (set to `{current.stdout.strip()}`)")
        return
    _git(root, "config", "--local", "merge.incidents.name", "incident records (union of updates)")
    done = _git(root, "config", "--local", "merge.incidents.driver", MERGE_DRIVER)
    if done.returncode != 0:
        raise InitError(f"`git config` failed in {root}: {done.stderr.strip()}")
    result.git.append(f'git config merge.incidents.driver "{MERGE_DRIVER}"')


def _problems(root: Path) -> list[str]:
    """What keeps the repository (as it now is) from passing the gate and building both sites."""
    from incidents.reading.validate import validate_root

    out = []
    report = validate_root(root)
    errors = [f for f in report.findings if f.level == "error"]
    for finding in errors[:10]:
        out.append(f"{finding.path}:{finding.line}: {finding.code} {finding.message}")
    if len(errors) > 10:
        out.append(f"... and {len(errors) - 10} more errors (run `incidents validate`)")
    for config, audience in (("mkdocs.yml", "public"), ("mkdocs.internal.yml", "internal")):
        try:
            text = (root / config).read_text(encoding="utf-8")
        except OSError:
            out.append(f"{config} cannot be read")
            continue
        if config == "mkdocs.internal.yml" and "INHERIT" not in text:
            out.append(f"{config} does not inherit mkdocs.yml (`INHERIT: mkdocs.yml`)")
        try:
            data = yaml.load(text, Loader=_LenientLoader) or {}
        except yaml.YAMLError as exc:
            out.append(f"{config} is not YAML: {exc}")
            continue
        plugins = data.get("plugins") if isinstance(data, dict) else None
        if config == "mkdocs.yml" and not _has_incidents_plugin(plugins):
            out.append(f"{config} does not enable the `incidents` plugin (plugins: [search, incidents])")
        if config == "mkdocs.internal.yml" and _audience(plugins) != audience:
            out.append(f"{config} does not set the plugin option `audience: internal`")
        docs = (data.get("docs_dir") if isinstance(data, dict) else None) or "docs"
        if config == "mkdocs.yml" and not (root / docs).is_dir():
            out.append(f"the docs folder `{docs}/` of {config} does not exist")
    return out


class _LenientLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!ENV` and `!!python/name:` tags; they are not needed to check it."""


def _ignore_tag(loader, suffix, node):
    return None


_LenientLoader.add_multi_constructor("!", _ignore_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def _plugin_entries(plugins) -> dict:
    if isinstance(plugins, dict):
        return dict(plugins.items())
    out = {}
    for item in plugins or []:
        if isinstance(item, str):
            out[item] = {}
        elif isinstance(item, dict):
            out.update(item)
    return out


def _has_incidents_plugin(plugins) -> bool:
    return "incidents" in _plugin_entries(plugins)


def _audience(plugins) -> str | None:
    options = _plugin_entries(plugins).get("incidents") or {}
    if not isinstance(options, dict):
        return None
    if options.get("publish_internal") is True:
        return "internal"
    return options.get("audience", "public")


def refresh_schema(root: Path) -> None:
    """Rewrite the editor schema from the repository's policy (after an import added services)."""
    import os

    text = _record_schema(
        (root / "policy" / "policy.yml").read_text(encoding="utf-8"),
        (root / "policy" / "services.yml").read_text(encoding="utf-8"),
    )
    path = root / SCHEMA_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def apply(root: Path, name: str | None = None, scheme: str = "sev") -> InitResult:
    """Write what is missing under `root` (created if needed); never overwrite a file."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    result = InitResult(root)
    _ensure_git(root, result)
    files = plan(root, name or f"{root.name} status", scheme)
    for rel, text in files.items():
        path = root / rel
        if path.exists() or path.is_symlink():
            result.kept.append(rel)
            continue
        try:
            _write_new(path, text)
        except FileExistsError:
            result.kept.append(rel)
            continue
        except OSError as exc:
            raise InitError(f"cannot write {rel}: {exc.strerror or exc}") from None
        result.written.append(rel)
    result.problems = _problems(root)
    return result
