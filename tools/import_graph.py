"""The package's import graph, its layers, and the arrows that break them.

`python tools/import_graph.py` prints the graph of subpackages as a Mermaid
drawing (what `manual/architecture.md` embeds); `tests/test_architecture.py`
uses `module_imports`, `layer_of` and `violations` to hold the rule that every
arrow points down and no module imports itself back through others.

Layers, lowest first: a module may import from its own layer or any lower one,
never a higher one. Within the operations layer the packages may use each
other (`init --from-statuspage` runs an import) as long as no cycle forms.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "generator" / "incidents"

# (layer name, the top-level names under `incidents` that belong to it), lowest first
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("vocabulary", ("__init__", "findings", "codes", "errors", "text", "findings_output")),
    ("records", ("records",)),
    ("policy", ("policy",)),
    ("rules", ("rules",)),
    ("metrics", ("metrics",)),
    ("reading", ("reading",)),
    ("gates", ("gates",)),
    ("publish", ("publish",)),
    ("operations", ("authoring", "importing", "ingest", "notify", "merge", "scaffold", "probe")),
    ("faces", ("mkdocs_plugin", "cli", "__main__")),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def module_imports(path: Path, known: set[str]) -> set[str]:
    """The package modules `path` imports (at any depth in the file: lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise ValueError(f"{path}: relative import (the package uses absolute imports)")
            base = node.module or ""
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def top_name(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> int:
    top = top_name(module)
    for rank, (_, names) in enumerate(LAYERS):
        if top in names:
            return rank
    raise KeyError(f"{module}: no layer lists `{top}` (add it to tools/import_graph.py LAYERS)")


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: module_imports(p, known) - {m} for m, p in mods.items()}


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Every import from a lower layer to a higher one."""
    out = []
    for src, targets in sorted(edges.items()):
        for dst in sorted(targets):
            if dst == "incidents":
                continue  # the version and repository constants
            if layer_of(dst) > layer_of(src):
                out.append(f"{src} ({LAYERS[layer_of(src)][0]}) imports {dst} ({LAYERS[layer_of(dst)][0]})")
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w == "incidents" or w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph folded to the top-level names under `incidents` (the drawing's boxes)."""
    out: dict[str, set[str]] = defaultdict(set)
    for src, targets in edges.items():
        for dst in targets:
            a, b = top_name(src), top_name(dst)
            if a != b and b != "__init__":
                out[a].add(b)
    return out


def mermaid() -> str:
    """The subpackages in their layers and the imports between them. The vocabulary (findings, codes,
    errors, text) is one box that every layer may use: arrows into it are left out."""
    edges = package_edges(graph())
    vocabulary = set(LAYERS[0][1])
    lines = ["```mermaid", "flowchart BT"]
    for rank, (name, tops) in enumerate(LAYERS):
        present = [t for t in tops if (PACKAGE_ROOT / t).is_dir()]
        if rank == 0:
            lines.append(f'  vocabulary["1. vocabulary: {", ".join(t for t in tops if not t.startswith("_"))}"]')
            continue
        if not present:
            continue
        lines.append(f'  subgraph L{rank + 1}["{rank + 1}. {name}"]')
        lines += [f"    {t}" for t in present]
        lines.append("  end")
    for src in sorted(edges):
        if src in vocabulary or src == "__main__":
            continue
        for dst in sorted(edges[src]):
            if dst not in vocabulary:
                lines.append(f"  {src} --> {dst}")
    lines.append("```")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--check" in sys.argv:
        edges = graph()
        problems = violations(edges) + [" <-> ".join(c) for c in cycles(edges)]
        print("\n".join(problems) or "no upward import, no cycle")
        sys.exit(1 if problems else 0)
    sys.stdout.write(mermaid())
