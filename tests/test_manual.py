"""The manual (manual/, built from mkdocs.docs.yml) documents everything the code accepts.

When one of these fails, its message names what is missing and where to write it:
- a command or option without help text: the command reference is generated from `--help`;
- a plugin option without a `# comment` above it in the config class: the plugin reference is
  generated from those comments;
- a record field or policy key (a `*_KEYS` tuple the validator reads) without a table row
  ``| `key` |`` on manual/reference/records.md or manual/reference/policy.md;
- an example that does not validate: fix it, or mark a deliberately wrong one with
  `<!-- invalid: CODE -->` on the line before its fence (the test then checks it reports CODE).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

import incidents
import reference
from incidents.codes import CODES, codes_table

REPO = Path(__file__).resolve().parent.parent
MANUAL = REPO / "manual"
PAGES = sorted(MANUAL.rglob("*.md"))

# Where the keys each part of the code reads must be documented (a row ``| `key` |``).
KEY_PAGES = [
    ("incidents.rules", MANUAL / "reference" / "records.md"),
    ("incidents.records.model", MANUAL / "reference" / "records.md"),
    ("incidents.policy.policy_file", MANUAL / "reference" / "policy.md"),
    ("incidents.policy.severities", MANUAL / "reference" / "policy.md"),
    ("incidents.policy.templates", MANUAL / "reference" / "policy.md"),
    ("incidents.notify", None),  # policy/notify.yml: any page of the manual
]


def _manual_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


# -- commands and options ---------------------------------------------------------

COMMANDS = reference.walk_commands()


@pytest.mark.parametrize("doc", COMMANDS, ids=[d.name for d in COMMANDS])
def test_every_command_and_option_has_help(doc):
    assert (doc.command.help or "").strip(), (
        f"`{doc.name}` has no help text (its docstring): the command reference is generated from it"
    )
    for param in doc.command.params:
        if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
            assert (param.help or "").strip(), (
                f"`{doc.name} {'/'.join(param.opts)}` has no help= text: the command reference is generated from it"
            )


def test_the_command_reference_lists_every_command_and_option():
    page = reference.commands_markdown()
    assert len(COMMANDS) >= 7
    for doc in COMMANDS:
        assert f"## `{doc.name}`" in page, doc.name
        assert f"Usage: {doc.name}" in page, doc.name
        for param in doc.command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    assert f"`{opt}" in page or f", {opt}" in page, (doc.name, opt)


def test_the_help_in_the_reference_is_what_the_command_prints():
    from click.testing import CliRunner

    from incidents.cli import cli

    doc = next(d for d in COMMANDS if d.path == ("validate",))
    out = CliRunner().invoke(cli, ["validate", "--help"], prog_name="incidents", terminal_width=80).output
    assert out.strip() == reference.help_text(doc).strip()


# -- finding codes -----------------------------------------------------------------


def test_the_codes_page_lists_every_code():
    page = reference.codes_markdown()
    assert codes_table() in page
    for code, (level, meaning) in CODES.items():
        assert f"| `{code}` | {level} |" in page
        assert meaning.strip(), code


# -- plugin options ------------------------------------------------------------------


def test_every_plugin_option_is_documented():
    from incidents.mkdocs_plugin.plugin import IncidentsPlugin

    rows = {name: text for name, _, _, text in reference.plugin_options()}
    assert set(rows) == {name for name, _ in IncidentsPlugin.config_class._schema}
    undocumented = sorted(name for name, text in rows.items() if not text)
    assert not undocumented, (
        f"plugin options without a `# comment` line right above them in the config class "
        f"(the plugin reference is generated from it): {undocumented}"
    )
    page = reference.plugin_options_markdown()
    for name in rows:
        assert f"| `{name}` |" in page


# -- record fields and policy keys ------------------------------------------------------


def _key_constants() -> list[tuple[str, str, tuple[str, ...], Path | None]]:
    """(module, constant, keys, page) for every `*_KEYS` tuple of text in the modules of KEY_PAGES."""
    found = []
    names = [m.name for m in pkgutil.walk_packages(incidents.__path__, "incidents.")]
    for name in names:
        page = next(
            (
                pg
                for prefix, pg in KEY_PAGES
                if name == prefix or name.startswith(prefix + ".") or name.startswith(prefix + "_")
            ),
            False,
        )
        if page is False:
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                attr.endswith("_KEYS")
                and isinstance(value, (tuple, list, frozenset, set))
                and value
                and all(isinstance(v, str) for v in value)
            ):
                found.append((name, attr, tuple(value), page))
    return found


KEY_CONSTANTS = _key_constants()


def test_the_key_constants_are_found():
    found = {(m, a) for m, a, _, _ in KEY_CONSTANTS}
    assert ("incidents.rules.incident", "INCIDENT_KEYS") in found
    assert ("incidents.policy.severities", "SEVERITY_KEYS") in found


@pytest.mark.parametrize("module,attr,keys,page", KEY_CONSTANTS, ids=[f"{m}.{a}" for m, a, _, _ in KEY_CONSTANTS])
def test_every_record_field_and_policy_key_is_documented(module, attr, keys, page):
    if page is None:
        text, where = _manual_text(), "any page of manual/"
        missing = [k for k in keys if f"`{k}`" not in text]
    else:
        text, where = page.read_text(encoding="utf-8"), str(page.relative_to(REPO))
        missing = [k for k in keys if not re.search(rf"^\| `{re.escape(k)}` \|", text, re.M)]
    assert not missing, (
        f"{module}.{attr} accepts {missing}, which {where} does not document "
        f"(add a table row starting with | `key` | to the table of that mapping)"
    )


# -- examples ------------------------------------------------------------------------------

FENCE = re.compile(
    r"(?P<marker><!-- invalid: (?P<code>[a-z0-9-]+) -->\n)?(?:<!--[^\n]*-->\n)?"
    r"```(?P<lang>[\w-]*)\n(?P<body>.*?)\n```",
    re.S,
)


def examples(page: Path) -> list[dict]:
    out = []
    text = page.read_text(encoding="utf-8")
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start("body")) + 1
        out.append(
            {
                "lang": m.group("lang"),
                "body": m.group("body") + "\n",
                "invalid": m.group("code"),
                "where": f"{page.relative_to(REPO)}:{line}",
            }
        )
    return out


def _kind(ex: dict) -> str | None:
    """record / policy / services for the examples that are one of those; else None."""
    body = ex["body"]
    if ex["lang"] in ("markdown", "md") and body.startswith("---\n"):
        return "record"
    if ex["lang"] != "yaml":
        return None
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    if "severities" in data:
        return "policy"
    if set(data) == {"services"}:
        return "services"
    if data.get("type") in ("incident", "postmortem", "maintenance") or {"id", "severity"} <= set(data):
        return "record"
    return None


def _root(tmp: Path, name: str) -> Path:
    root = tmp / name
    (root / "incidents").mkdir(parents=True)
    shutil.copytree(REPO / "policy", root / "policy")
    return root


def _write(root: Path, kind: str, body: str, n: int) -> None:
    if kind == "record":
        text = body if body.startswith("---\n") else f"---\n{body}---\n"
        (root / "incidents" / f"example-{n}.md").write_text(text, encoding="utf-8")
    else:
        (root / "policy" / f"{'policy' if kind == 'policy' else 'services'}.yml").write_text(body, encoding="utf-8")


def _findings(root: Path):
    from incidents.reading.validate import validate_root

    return validate_root(root).findings


PAGES_WITH_EXAMPLES = [p for p in PAGES if any(_kind(e) for e in examples(p))]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=[str(p.relative_to(MANUAL)) for p in PAGES_WITH_EXAMPLES])
def test_every_record_and_policy_example_validates(page, tmp_path):
    valid_records = []
    for n, ex in enumerate(examples(page)):
        kind = _kind(ex)
        if kind is None:
            continue
        if ex["invalid"]:
            root = _root(tmp_path, f"invalid-{n}")
            _write(root, kind, ex["body"], n)
            codes = {f.code for f in _findings(root)}
            assert ex["invalid"] in codes, f"{ex['where']}: marked invalid: {ex['invalid']} but reports {sorted(codes)}"
        elif kind == "record":
            valid_records.append((n, ex))
        else:
            root = _root(tmp_path, f"policy-{n}")
            _write(root, kind, ex["body"], n)
            errors = [str(f) for f in _findings(root) if f.level == "error" or f.code == "unknown-field"]
            assert not errors, f"{ex['where']}: this {kind} example does not validate: {errors}"
    if valid_records:
        # The records of one page are validated together (a postmortem names the incident above it).
        root = _root(tmp_path, "records")
        for n, ex in valid_records:
            _write(root, "record", ex["body"], n)
        bad = [str(f) for f in _findings(root) if f.level == "error" or f.code == "unknown-field"]
        assert not bad, f"{page.relative_to(REPO)}: record examples do not validate: {bad}"


def test_every_yaml_and_json_example_parses():
    import json

    for page in PAGES:
        for ex in examples(page):
            if ex["lang"] == "yaml" and not ex["invalid"]:
                try:
                    yaml.safe_load(ex["body"])
                except yaml.YAMLError as exc:
                    pytest.fail(f"{ex['where']}: this YAML example does not parse: {exc}")
            if ex["lang"] == "json" and not ex["invalid"]:
                json.loads(ex["body"])


# -- the project documents itself ------------------------------------------------------------


def test_nothing_points_outside_the_project():
    for path in [REPO / "README.md", REPO / "CHANGELOG.md", *PAGES]:
        text = path.read_text(encoding="utf-8")
        for bad in ("../shared", "/work/", "FORMAT.md"):
            assert bad not in text, f"{path.relative_to(REPO)} refers to `{bad}`, outside the project"


def test_readme_is_short_and_its_links_resolve():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text) < 6000, "README.md is meant to stay short: the manual holds the rest"
    assert "make demo" in text and "make test" in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("http://", "https://")):
            assert (REPO / target).exists(), f"README.md links to {target}, which does not exist"


def test_the_committed_command_reference_is_what_the_code_generates():
    """manual/reference/commands.md is readable without building the manual; it must be the code's truth.
    After changing a command: `python tools/reference.py --write`."""
    for rel, make in reference.COMMITTED.items():
        committed = (MANUAL / rel).read_text(encoding="utf-8")
        assert committed == make(), f"manual/{rel} is stale: run `python tools/reference.py --write`"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(manual/reference/commands.md)" in readme and "(manual/importing.md)" in readme
    index = (MANUAL / "index.md").read_text(encoding="utf-8")
    assert "(importing.md)" in index and "(reference/commands.md)" in index


@pytest.mark.site
@pytest.mark.slow
def test_the_manual_builds_strict(tmp_path):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.docs.yml", "-d", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for page in [
        "index.html",
        "reference/commands/index.html",
        "reference/codes/index.html",
        "reference/plugin/index.html",
        "reference/records/index.html",
        "reference/policy/index.html",
        "changelog/index.html",
    ]:
        assert (out / page).is_file(), page
    commands = (out / "reference/commands/index.html").read_text(encoding="utf-8")
    assert "incidents validate" in commands and "--strict" in commands
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, html
        assert 'data-md-color-scheme="slate"' in text or "slate" in text, html


def test_angle_brackets_in_help_survive_in_tables():
    page = reference.commands_markdown()
    assert "incidents/&lt;year&gt;/&lt;id&gt;.md" in page  # `incidents new`'s short help
    assert reference._cell("a `<x>` b <y> |") == "a `<x>` b &lt;y&gt; \\|"
