"""Committing what detection wrote, and pushing it: one writer at a time, a rejected push rebased and retried.

`sync(repo)` brings the checkout up to date before a write (`git pull --rebase`, when the branch has an
upstream); `commit_and_push(repo, paths, message)` commits exactly `paths` and pushes, and when the push
is rejected (someone pushed first) rebases on what is there and pushes again, up to `RETRIES` times.
The caller holds the lock: two requests never interleave their git commands.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from incidents.ingest import IngestError

RETRIES = 5
_ENV = {"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
_AUTHOR = ("incidents-ingest", "incidents-ingest@localhost")


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, **_ENV)
    env.setdefault("GIT_AUTHOR_NAME", _AUTHOR[0])
    env.setdefault("GIT_AUTHOR_EMAIL", _AUTHOR[1])
    env.setdefault("GIT_COMMITTER_NAME", _AUTHOR[0])
    env.setdefault("GIT_COMMITTER_EMAIL", _AUTHOR[1])
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise IngestError(f"git {args[0]} failed: {(proc.stderr or proc.stdout).strip()[:500]}")
    return proc


def has_upstream(repo: Path) -> bool:
    return _git(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False).returncode == 0


def check_checkout(repo: Path) -> None:
    """Refuse a folder that is not the top of a git work tree."""
    proc = _git(repo, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0 or Path(proc.stdout.strip()).resolve() != Path(repo).resolve():
        raise IngestError(f"{repo} is not the top folder of a git checkout")


def sync(repo: Path) -> None:
    """Bring the checkout up to date with its upstream (a no-op without one)."""
    if has_upstream(repo):
        _pull_rebase(repo)


def _pull_rebase(repo: Path) -> None:
    proc = _git(repo, "pull", "--rebase", "--autostash", "--quiet", check=False)
    if proc.returncode != 0:
        _git(repo, "rebase", "--abort", check=False)
        raise IngestError(f"git pull --rebase failed: {(proc.stderr or proc.stdout).strip()[:500]}")


def commit_and_push(repo: Path, paths: list[str], message: str, *, push: bool = True) -> str | None:
    """Commit `paths` (nothing when they are unchanged); push with rebase-and-retry. The new HEAD, or None."""
    if not paths:
        return None
    _git(repo, "add", "--", *paths)
    if _git(repo, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 0:
        return None
    _git(repo, "commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
    head = _git(repo, "rev-parse", "HEAD").stdout.strip()
    if push and has_upstream(repo):
        head = push_with_retry(repo)
    return head


def push_with_retry(repo: Path) -> str:
    last = ""
    for attempt in range(RETRIES):
        proc = _git(repo, "push", "--quiet", check=False)
        if proc.returncode == 0:
            return _git(repo, "rev-parse", "HEAD").stdout.strip()
        last = (proc.stderr or proc.stdout).strip()
        _pull_rebase(repo)  # someone pushed first: our commit goes on top of theirs
        time.sleep(0.1 * (attempt + 1))
    raise IngestError(f"git push was rejected {RETRIES} times; the commit is kept locally: {last[:300]}")
