"""Sizes the house rules bound: modules over 400 lines and functions over 60, in the package.

`python tools/code_size.py` lists them (and the longest classes); `tests/test_architecture.py`
fails on any module or function over its limit.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "generator" / "incidents"
MODULE_LIMIT = 400
FUNCTION_LIMIT = 60


def long_modules(limit: int = MODULE_LIMIT) -> list[tuple[str, int]]:
    out = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append((str(path.relative_to(PACKAGE_ROOT.parent)), n))
    return out


def definitions(kind: type | tuple[type, ...]) -> list[tuple[str, int]]:
    """(path:line name, length in lines) of every definition of `kind`, longest first."""
    out = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, kind):
                length = node.end_lineno - node.lineno + 1
                out.append((f"{path.relative_to(PACKAGE_ROOT.parent)}:{node.lineno} {node.name}", length))
    return sorted(out, key=lambda item: -item[1])


def long_functions(limit: int = FUNCTION_LIMIT) -> list[tuple[str, int]]:
    return [d for d in definitions((ast.FunctionDef, ast.AsyncFunctionDef)) if d[1] > limit]


if __name__ == "__main__":
    for name, n in long_modules():
        print(f"module   {n:4d}  {name}")
    for name, n in long_functions():
        print(f"function {n:4d}  {name}")
    for name, n in definitions(ast.ClassDef)[:10]:
        print(f"class    {n:4d}  {name}")
    sys.exit(1 if long_modules() or long_functions() else 0)
