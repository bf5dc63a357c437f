"""`pip install .` gives the console script, the MkDocs plugin entry point and the templates."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_entry_points_are_registered_in_this_environment():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("incidents") == "incidents.cli:main"
    plugins = {ep.name: ep.value for ep in entry_points(group="mkdocs.plugins")}
    assert plugins.get("incidents") == "incidents.mkdocs_plugin.plugin:IncidentsPlugin"


@pytest.mark.slow
def test_wheel_holds_package_templates_and_entry_points(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    wheel = next(tmp_path.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        ep_name = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        parser = configparser.ConfigParser()
        parser.read_string(zf.read(ep_name).decode())
    assert parser["console_scripts"]["incidents"] == "incidents.cli:main"
    assert parser["mkdocs.plugins"]["incidents"] == "incidents.mkdocs_plugin.plugin:IncidentsPlugin"
    assert "incidents/cli/__init__.py" in names
    assert any(n.startswith("incidents/mkdocs_plugin/templates/") for n in names), "templates ship in the wheel"
    for lang in ("de", "fr", "es", "ja", "pt_BR"):  # the catalogs the plugin compiles at build time
        assert f"incidents/mkdocs_plugin/locale/{lang}/LC_MESSAGES/incidents.po" in names, lang
    assert not any(n.startswith(("tests/", "generator/", "benchmarks/", "incidents/20")) for n in names)
    assert not any(n.endswith(".md") and n.startswith("incidents/") and "/templates/" not in n for n in names), (
        "no record ships in the wheel"
    )
    assert not any(n.split("/")[0] == "generator" for n in names), "no top-level `generator` module any more"
