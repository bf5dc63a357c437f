"""Writing what `init` writes: never through a symlink that leads out of the root, never over a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def escape(root: Path, rel: str) -> str | None:
    """Why writing `rel` under `root` would land outside `root` (a symlink on the way), or None.

    `root` is already resolved. Every existing component of the path is looked at, the file itself
    included: a symlink whose target (followed to the end) is outside the root refuses the file.
    """
    current = root
    parts = rel.split("/")
    for i, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            target = Path(os.path.realpath(current))
            if not _inside(target, root):
                shown = "/".join(parts[: i + 1])
                return f"`{shown}` is a symlink to {target}, outside {root}"
        elif not current.exists():
            return None
    return None


def read_inside(root: Path, rel: str) -> str | None:
    """The text of `rel` when it is a file inside the root (through no escaping symlink), else None."""
    path = root / rel
    if escape(root, rel) is not None or not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; never replaces a file (exclusive create of a temp, then link)."""
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
