"""Every file `init` writes: the list, and the text of each.

To add a file, add a line to TEMPLATES (a template under templates/, `@@KEY@@` filled from
`values()`) or to GENERATED (text built from the policy being written). The order is the order of
`init`'s output.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

from incidents import REPOSITORY, __version__
from incidents.scaffold.editor import extensions, settings, tasks
from incidents.scaffold.install import Pin, installed_pin
from incidents.scaffold.safety import read_inside

SCHEMES = ("sev", "p")
SCHEMA_FILE = ".incidents/record.schema.json"

# target path -> template file (under templates/); the policy is `policy-<scheme>.yml`
TEMPLATES: dict[str, str] = {
    "policy/services.yml": "services.yml",
    "policy/notify.yml": "notify.yml",
    "incidents/README.md": "incidents-README.md",
    "mkdocs.yml": "mkdocs.yml",
    "mkdocs.internal.yml": "mkdocs.internal.yml",
    ".github/workflows/incidents.yml": "workflow-incidents.yml",
    ".github/workflows/incidents-ingest.yml": "workflow-incidents-ingest.yml",
    ".github/workflows/incidents-probe.yml": "workflow-incidents-probe.yml",
    "policy/ingest.yml": "ingest.yml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".gitattributes": "gitattributes",
    ".gitignore": "gitignore",
}


class InitError(Exception):
    """init could not run as asked (exit 2)."""


@dataclass(frozen=True)
class Options:
    name: str
    scheme: str = "sev"
    site_url: str | None = None
    pin: Pin | None = None  # None: how this copy was installed


def template(name: str) -> str:
    return resources.files("incidents.scaffold").joinpath("templates", name).read_text(encoding="utf-8")


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def check_url(url: str) -> str:
    """The site URL as mkdocs.yml's `site_url` (http or https, with a host), or InitError."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in url.strip()):
        raise InitError(f"--url `{url}` is not an http(s) URL with a host, e.g. https://status.example.com/")
    return url.strip()


def _site_url_line(url: str | None) -> str:
    if url:
        return f"site_url: {json.dumps(check_url(url))}   # feeds, the API and notifications link from here"
    return (
        "# site_url: https://status.example.com/   # SET IT: feeds, the API and notifications need absolute\n"
        "#                                         # links (incidents notify refuses to run without it)"
    )


def values(options: Options) -> dict[str, str]:
    pin = options.pin or installed_pin()
    return {
        "NAME": options.name,
        # YAML strings (JSON is YAML): a name with `:` or `#` stays one string
        "NAME_YAML": json.dumps(options.name, ensure_ascii=False),
        "INTERNAL_NAME_YAML": json.dumps(f"{options.name} (internal)", ensure_ascii=False),
        "VERSION": __version__,
        "PIN": pin.tail,
        "REPOSITORY": REPOSITORY,
        "FIRST_SEVERITY": "SEV-1" if options.scheme == "sev" else "P0",
        "WARNING_SEVERITY": "SEV-3" if options.scheme == "sev" else "P2",  # policy/ingest.yml: `warning` alerts
        "SITE_URL": _site_url_line(options.site_url),
    }


def record_schema(policy_text: str, services_text: str) -> str:
    """The record schema under the policy being written (read as `incidents schema` reads it)."""
    from incidents.policy.policy_file import load_policy
    from incidents.policy.schema import front_matter_schema

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "policy").mkdir()
        (Path(tmp) / "policy" / "policy.yml").write_text(policy_text, encoding="utf-8")
        (Path(tmp) / "policy" / "services.yml").write_text(services_text, encoding="utf-8")
        policy = load_policy(Path(tmp)).policy
    return json.dumps(front_matter_schema(policy, "record"), indent=2, ensure_ascii=False) + "\n"


def _schema(root: Path, files: dict[str, str]) -> str:
    # An existing policy (inside the root) is the one the schema must describe.
    policy = read_inside(root, "policy/policy.yml") or files["policy/policy.yml"]
    services = read_inside(root, "policy/services.yml") or files["policy/services.yml"]
    return record_schema(policy, services)


# target path -> its text from (root, the files so far)
GENERATED: dict[str, Callable[[Path, dict[str, str]], str]] = {
    SCHEMA_FILE: _schema,
    ".vscode/settings.json": lambda root, files: settings(),
    ".vscode/tasks.json": lambda root, files: tasks(),
    ".vscode/extensions.json": lambda root, files: extensions(),
    "docs/.gitkeep": lambda root, files: "",  # MkDocs needs docs/ to exist, and git keeps no empty folder
}


def plan(root: Path, options: Options) -> dict[str, str]:
    """Every file init writes, path (relative, `/`-separated) -> text."""
    if options.scheme not in SCHEMES:
        raise InitError(f"unknown scheme `{options.scheme}`; use one of {', '.join(SCHEMES)}")
    filled = values(options)
    files = {"policy/policy.yml": template(f"policy-{options.scheme}.yml")}
    for target, name in TEMPLATES.items():
        files[target] = fill(template(name), filled)
    for target, build in GENERATED.items():
        files[target] = build(root, files)
    return files
