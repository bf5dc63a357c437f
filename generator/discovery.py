"""Which files a root holds: the one place that walks incidents/.

`record_files` is the single discovery function every reader uses (validate,
check, metrics, the MkDocs plugin, the authoring commands, the cache). Checks
of what kind of file a path is (symlinks leading outside the root, FIFOs,
devices, unreadable folders) belong here, beside the walk.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import RootError

INCIDENTS_DIR = "incidents"
POLICY_DIR = "policy"


def check_root(root: Path) -> Path:
    """The root as a Path, or RootError when it cannot hold a repository."""
    root = Path(root)
    if not root.exists():
        raise RootError(f"the root `{root}` does not exist")
    if not root.is_dir():
        raise RootError(f"the root `{root}` is not a folder")
    if not (root / INCIDENTS_DIR).is_dir() and not (root / POLICY_DIR).is_dir():
        raise RootError(f"`{root}` has neither a policy/ nor an incidents/ folder; "
                        "run from your incidents repository or pass --root")
    return root


def is_record_name(name: str) -> bool:
    """`*.md`, except README.md and names starting with `_` (FORMAT.md section 2)."""
    return name.endswith(".md") and name != "README.md" and not name.startswith("_")


def record_files(root: Path) -> list[str]:
    """Every record file under incidents/, as sorted `/`-separated paths relative to the root."""
    base = Path(root) / INCIDENTS_DIR
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            if is_record_name(name):
                out.append(f"{rel_dir}/{name}")
    out.sort()
    return out
