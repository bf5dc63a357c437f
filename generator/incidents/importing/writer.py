"""Stage every file an import writes, check it, then write them all or none.

Each file's new bytes are written to a temp file beside it first; only when all
temp files exist, and one `sync` has put them on disk (one for the whole import
rather than an fsync per file: a history of a thousand incidents is a thousand
files), are they renamed into place (new files by hard link, which fails rather
than overwrite). A failure before that point removes the temp
files: the repository is as it was. A file that changed on disk since it was
read is refused.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from incidents.authoring import AuthoringError
from incidents.authoring.atomic import _default_mode, _fsync_dir, _unlink


@dataclass(frozen=True, slots=True)
class Staged:
    rel: str
    data: bytes
    action: str  # new | updated
    kind: str  # incident | maintenance | postmortem | services
    original: bytes | None = None  # what was read, for the changed-on-disk check


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _sync(paths: list[str]) -> None:
    """Every temp file on disk before any rename (os.sync where there is one, else an fsync each)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - platforms without sync()
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit(root: Path, staged: list[Staged]) -> None:
    temps: list[tuple[Staged, Path, str]] = []
    made: list[Path] = []
    try:
        for item in staged:
            target = root / item.rel
            folder = target.parent
            missing = []
            probe = folder
            while not probe.exists():
                missing.append(probe)
                probe = probe.parent
            folder.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            if item.original is None:
                if target.exists():
                    raise AuthoringError(f"{item.rel} appeared while the import was being prepared; run it again")
                mode = _default_mode()
            else:
                if target.read_bytes() != item.original:
                    raise AuthoringError(f"{item.rel} changed while the import was being prepared; run it again")
                mode = target.stat().st_mode & 0o7777
            temps.append((item, target, _write_temp(folder, target.name, item.data, mode)))
        _sync([tmp for _, _, tmp in temps])
    except BaseException:
        for _, _, tmp in temps:
            _unlink(tmp)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    for item, target, tmp in temps:
        try:
            if item.original is None:
                os.link(tmp, target)
                _unlink(tmp)
            else:
                os.replace(tmp, target)
        except OSError:
            _unlink(tmp)
            raise
    for folder in {target.parent for _, target, _ in temps}:
        _fsync_dir(folder)


__all__ = ["Staged", "commit"]
