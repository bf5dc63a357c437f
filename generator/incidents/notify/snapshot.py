"""The records as they were at a git revision: `git archive` of policy/ and incidents/ into a temp folder,
then the same validation as `incidents validate` (only valid records count); and the records at every
commit between two revisions that changed them, so each event is seen in the commit that made it."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from incidents.errors import IncidentsError
from incidents.reading.validate import Repository, validate_root


class GitError(IncidentsError):
    """git could not answer (not a repository, an unknown revision)."""


@dataclass(frozen=True)
class Snapshot:
    rev: str  # the full commit id
    repo: Repository | None  # None when the revision has neither policy/ nor incidents/
    committed_at: datetime


def _git(root: Path, *args: str, binary: bool = False):
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None
    if proc.returncode != 0:
        raise GitError(
            proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"git {' '.join(args)} failed"
        )
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


def resolve(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
    except GitError:
        raise GitError(f"`{rev}` is not a commit of the git repository at {root}") from None


def _prefix(root: Path) -> str:
    return _git(root, "rev-parse", "--show-prefix").strip()


def _trees(root: Path, sha: str, prefix: str) -> str:
    """The object ids of policy/ and incidents/ at a commit: equal ids, equal records."""
    return _git(root, "ls-tree", sha, "--", f"{prefix}policy", f"{prefix}incidents")


def first_parent_chain(root: Path, old: str, new: str) -> list[str]:
    """The commits from `old` (excluded) to `new` (included) along first parents, oldest first; just
    `new` when it does not descend from `old`."""
    if old == new:
        return []
    shas = _git(root, "rev-list", "--first-parent", "--reverse", f"{old}..{new}", "--").split()
    if not shas or shas[-1] != new:
        return [new]
    return shas


def snapshots_between(root: Path, old: Snapshot, new_rev: str) -> Iterator[Snapshot]:
    """The records at every commit after `old` up to `new_rev` that changed policy/ or incidents/
    (and always at `new_rev`), oldest first: one snapshot at a time."""
    prefix = _prefix(root)
    new = resolve(root, new_rev)
    chain = first_parent_chain(root, old.rev, new)
    last = _trees(root, old.rev, prefix)
    for sha in chain:
        trees = _trees(root, sha, prefix)
        if trees == last and sha != new:
            continue
        last = trees
        yield snapshot(root, sha)


def snapshot(root: Path, rev: str) -> Snapshot:
    sha = resolve(root, rev)
    prefix = _prefix(root)
    when = datetime.fromisoformat(_git(root, "show", "-s", "--format=%cI", sha).strip())
    present = _git(root, "ls-tree", "--name-only", sha, "--", f"{prefix}policy", f"{prefix}incidents").split()
    if not present:
        return Snapshot(sha, None, when)
    data = _git(root, "archive", "--format=tar", sha, "--", *present, binary=True)
    with tempfile.TemporaryDirectory(prefix="incidents-notify-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        base = Path(tmp) / prefix if prefix else Path(tmp)
        try:
            report = validate_root(base)
        except IncidentsError:
            return Snapshot(sha, None, when)
        return Snapshot(sha, report.repository, when)
