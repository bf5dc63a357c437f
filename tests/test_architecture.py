"""The layout is a rule, not a hope: layers, no cycle, sizes, docstrings, and the drawing in the manual.

- every import points down the layers of `tools/import_graph.py` (or sideways inside a layer) and no
  set of modules imports itself back;
- `validate` and `check` import neither MkDocs nor pandas/numpy (the pull-request gate stays lean);
- no module over 400 lines, no function over 60;
- each subpackage's `__init__.py` says what it owns and what it may import;
- manual/architecture.md holds the drawing `tools/import_graph.py` makes today.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import code_size
import import_graph

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "generator" / "incidents"


def test_every_import_points_down_the_layers():
    assert import_graph.violations(import_graph.graph()) == []


def test_no_import_cycle():
    assert import_graph.cycles(import_graph.graph()) == []


def test_the_layer_check_catches_an_upward_import_and_a_cycle():
    edges = {"incidents.records.model": {"incidents.cli"}, "incidents.cli": set()}
    assert import_graph.violations(edges) == ["incidents.records.model (records) imports incidents.cli (faces)"]
    loop = {"incidents.rules.a": {"incidents.rules.b"}, "incidents.rules.b": {"incidents.rules.a"}}
    assert import_graph.cycles(loop) == [["incidents.rules.a", "incidents.rules.b"]]


def test_every_module_belongs_to_a_layer():
    for module in import_graph.modules():
        import_graph.layer_of(module)  # raises KeyError naming the module otherwise


def test_no_generator_package_any_more():
    tracked = subprocess.run(["git", "ls-files", "generator"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert tracked and all(path.startswith("generator/incidents/") for path in tracked), [
        path for path in tracked if not path.startswith("generator/incidents/")
    ]


@pytest.mark.parametrize("command", ["validate", "check"])
def test_the_gate_commands_import_no_site_or_dataframe_library(command):
    code = (
        "import sys\n"
        "from incidents.cli import cli\n"
        f"try:\n    cli.main(['{command}', '--root', {str(REPO)!r}, '--no-cache'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('mkdocs', 'pandas', 'numpy', 'scipy', 'matplotlib') if m in sys.modules)\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", out.stdout[-500:]


def test_no_module_over_400_lines():
    assert code_size.long_modules() == []


def test_no_function_over_60_lines():
    assert code_size.long_functions() == []


def test_the_size_check_counts_what_it_says(tmp_path, monkeypatch):
    pkg = tmp_path / "incidents"
    pkg.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    (pkg / "long.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n    return x0\n")
    monkeypatch.setattr(code_size, "PACKAGE_ROOT", pkg)
    assert [name.split()[-1] for name, _ in code_size.long_functions()] == ["long"]
    assert code_size.long_modules(limit=10) and not code_size.long_modules()


def test_every_subpackage_says_what_it_owns_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc or "may import" in doc, f"{init.relative_to(REPO)}: no 'May import' line"


def test_the_manual_draws_todays_import_graph():
    page = (REPO / "manual" / "architecture.md").read_text()
    drawing = import_graph.mermaid()
    assert drawing in page, (
        "manual/architecture.md holds a stale drawing of the import graph: "
        "run `python tools/import_graph.py` and paste its output into the page"
    )
