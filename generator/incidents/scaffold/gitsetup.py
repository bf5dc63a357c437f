"""The git side of `init`: a repository to work in, and the merge driver for records.

The driver setting runs `incidents merge-file` when `incidents` is on PATH and otherwise git's own
line merge (`git merge-file`, standard conflict markers): a merge made where the tool is missing (a
GUI client, a virtual environment not activated) is never resolved by keeping one side. git puts
each `%` placeholder into the command shell-quoted; `sh -c SCRIPT %O %A %B %P` hands them to the
script as `$0`..`$3`; `exec` makes the exit status the merge's (0 clean, non-zero: a conflict).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

MERGE_DRIVER = (
    "sh -c '"
    'command -v incidents >/dev/null 2>&1 && exec incidents merge-file "$0" "$1" "$2" --path "$3"'
    ' || exec git merge-file -L ours -L base -L theirs "$1" "$0" "$2"'
    "' %O %A %B %P"
)
# What init 0.2.1 and before wrote: replaced by MERGE_DRIVER (it kept one side when the tool was missing).
OLD_DRIVERS = ("incidents merge-file %O %A %B --path %P",)


class GitError(Exception):
    """git is missing or refused (init exits 2)."""


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def ensure_repository(root: Path) -> list[str]:
    """`git init` when `root` is not in a work tree; what was done, in words."""
    if shutil.which("git") is None:
        raise GitError("git is not installed; incidents init sets up a git repository")
    inside = git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        return []
    done = git(root, "init", "-q")
    if done.returncode != 0:
        raise GitError(f"`git init` failed in {root}: {done.stderr.strip()}")
    return ["git init (it was not a git repository)"]


def default_branch(root: Path) -> str | None:
    """The branch HEAD names (in a fresh repository: git's default, `master` or `main`), or None."""
    found = git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    return (found.stdout.strip() or None) if found.returncode == 0 else None


def configure_merge_driver(root: Path) -> tuple[list[str], list[str]]:
    """Register the merge driver; (what was done, what was kept as the team set it)."""
    current = git(root, "config", "--local", "--get", "merge.incidents.driver")
    value = current.stdout.strip() if current.returncode == 0 else ""
    if value == MERGE_DRIVER:
        return [], []
    if value and value not in OLD_DRIVERS:
        return [], [f"git config merge.incidents.driver (set to `{value}`)"]
    git(root, "config", "--local", "merge.incidents.name", "incident records (union of updates)")
    done = git(root, "config", "--local", "merge.incidents.driver", MERGE_DRIVER)
    if done.returncode != 0:
        raise GitError(f"`git config` failed in {root}: {done.stderr.strip()}")
    what = "replaced the driver that kept one side without `incidents`: " if value else ""
    return [f"git config merge.incidents.driver {what}{MERGE_DRIVER}"], []
