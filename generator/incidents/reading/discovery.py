"""Which files a root holds: the one place that walks incidents/.

`record_files` is the single discovery function every reader uses (validate,
check, metrics, the MkDocs plugin, the authoring commands, the cache).

A record file is read only when it is a regular file inside the root
(FORMAT.md section 8). A symlink leading outside the root (its text would be
published), a device (`/dev/zero` never ends), a FIFO (reading it waits
forever) or a socket is an `unsafe-file` error naming the path, and is never
opened. A folder that cannot be listed is an `unreadable-folder` error: its
records would otherwise be missed in silence. Symlinked folders inside the root
are followed once (a loop is not). `scan_records` gives the files and those
findings; `validate` reports them.
"""

from __future__ import annotations

import os
from pathlib import Path

from incidents.errors import RootError
from incidents.findings import ERROR, Finding
from incidents.records.safe_files import check_entry, check_file, inside, rel_path, unsafe  # noqa: F401 - check_file re-exported

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
        raise RootError(
            f"`{root}` has neither a policy/ nor an incidents/ folder; "
            "run from your incidents repository or pass --root"
        )
    return root


def is_record_name(name: str) -> bool:
    """`*.md`, except README.md and names starting with `_` (FORMAT.md section 2)."""
    return name.endswith(".md") and name != "README.md" and not name.startswith("_")


def record_files(root: Path) -> list[str]:
    """Every record file under incidents/, as sorted `/`-separated paths relative to the root
    (only regular files inside the root; `scan_records` also says what was left out and why)."""
    return scan_records(root)[0]


def scan_records(root: Path, stats: dict | None = None) -> tuple[list[str], list[Finding]]:
    """Every record file under incidents/ (sorted `/`-separated paths relative to the root), and
    the findings about files and folders that must not or cannot be read. `stats`, when given, receives
    each regular file's `os.stat_result` by path (from its directory entry: the cache's stat shortcut)."""
    root = Path(root)
    base = root / INCIDENTS_DIR
    found: list[str] = []
    findings: list[Finding] = []
    if not base.exists() and not base.is_symlink():
        return found, findings
    _Walk(root, found, findings, stats).folder(os.fspath(base), INCIDENTS_DIR)
    found.sort()
    return found, findings


class _Walk:
    """One walk of incidents/ with `os.scandir`: a file's kind comes from its directory entry, and its
    path relative to the root is built as text, so a regular file costs no system call of its own."""

    def __init__(self, root: Path, found: list[str], findings: list[Finding], stats: dict | None = None):
        self.root = root
        self.stats = stats
        self.root_real = os.path.realpath(root)
        self.found = found
        self.findings = findings
        self.seen: set[str] = set()

    def folder(self, path: str, rel: str) -> None:
        real_dir = os.path.realpath(path)
        if real_dir in self.seen:  # a symlink loop, or a folder reached twice
            return
        self.seen.add(real_dir)
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError as err:
            where = err.filename if isinstance(err.filename, str) else path
            self.findings.append(
                Finding(
                    rel_path(self.root, where),
                    1,
                    1,
                    ERROR,
                    "unreadable-folder",
                    f"cannot list the folder ({err.strerror}); its records would be missed",
                )
            )
            return
        folders: list = []
        files: list = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (folders if is_dir else files).append(entry)
        keep = []
        for entry in sorted(folders, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not inside(real, self.root_real):
                    self.findings.append(
                        unsafe(f"{rel}/{entry.name}", f"a symlink leading outside the root (to `{real}`)")
                    )
                    continue
            keep.append(entry)
        for entry in files:
            if is_record_name(entry.name):
                self.file(entry, f"{rel}/{entry.name}")
        for entry in keep:
            self.folder(entry.path, f"{rel}/{entry.name}")

    def file(self, entry: os.DirEntry, rel: str) -> None:
        try:
            if entry.is_file(follow_symlinks=False):  # the common case: from the directory entry
                self.found.append(rel)
                if self.stats is not None:
                    self.stats[rel] = entry.stat(follow_symlinks=False)
                return
            problem = check_entry(self.root, self.root_real, entry.path, rel)
        except OSError as exc:
            problem = Finding(rel, 1, 1, ERROR, "unreadable", f"cannot read the file: {exc.strerror}")
        if problem is None:
            self.found.append(rel)
        else:
            self.findings.append(problem)
