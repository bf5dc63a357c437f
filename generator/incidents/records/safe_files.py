"""Whether one path may be read: a regular file inside the root, never a device, a FIFO or a way out.

A symlink leading outside the root (its text would be published), a device
(`/dev/zero` never ends), a FIFO (reading it waits forever) or a socket is an
`unsafe-file` error naming the path, and is never opened. Discovery
(`incidents.reading.discovery`) asks this of every file it walks; the policy
reader asks it of each policy file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from incidents.findings import ERROR, Finding


def inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def rel_path(root: Path, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def unsafe(rel: str, what: str) -> Finding:
    return Finding(
        rel, 1, 1, ERROR, "unsafe-file", f"{what}; it is not read (records are regular files inside the root)"
    )


def check_entry(root: Path, root_real: str, path: str, rel: str | None = None) -> Finding | None:
    """None when `path` is a regular file inside the root (following a symlink to check its target)."""
    rel = rel_path(root, path) if rel is None else rel
    try:
        st = os.lstat(path)
    except OSError as exc:
        return Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}")
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(path)
        if not inside(real, root_real):
            return unsafe(rel, f"a symlink leading outside the root (to `{real}`)")
        try:
            st = os.stat(path)
        except OSError:
            return unsafe(rel, "a symlink whose target does not exist")
    what = _kind(st.st_mode)
    return unsafe(rel, f"{what}, not a regular file") if what else None


def check_file(root: Path, rel: str) -> Finding | None:
    """For a single known file (policy/policy.yml, policy/notify.yml): None when it is absent or a regular
    file inside the root; else the `unsafe-file` finding, so a FIFO is never opened nor a symlink followed
    out of the root."""
    path = os.path.join(root, rel)
    if not os.path.lexists(path):
        return None
    return check_entry(root, os.path.realpath(root), path)
