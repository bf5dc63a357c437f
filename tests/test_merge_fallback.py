"""A merge never silently keeps one side (FORMAT section 10 and 11): real `git merge` runs in a temporary
repository with the merge-driver setting `incidents init` writes, with `incidents` on PATH and with PATH
stripped of it (a GUI client, a virtual environment not activated). Both sides rewording one update is a
conflict, not two updates at one `at`; a body conflict ends with a line end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incidents.merge import merge_records
from incidents.scaffold import MERGE_DRIVER

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
INC = "incidents/2026/INC-2026-0001.md"

RECORD = """---
id: INC-2026-0001
title: API errors
severity: SEV-3
status: identified
services: [api]
impact: partial_outage
started_at: 2026-04-01T09:00:00Z
detected_at: 2026-04-01T09:02:00Z
acknowledged_at: 2026-04-01T09:04:00Z
roles: {commander: alice}
updates:
  - at: 2026-04-01T09:05:00Z
    status: investigating
    message: We are investigating errors on the API.
  - at: 2026-04-01T09:20:00Z
    status: identified
    message: A bad deploy; rolling back.
---
## What we know

Errors started after the 08:55 deploy.
"""


def path_without_incidents() -> str:
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "incidents").exists()]
    return os.pathsep.join(keep)


def env(with_tool: bool) -> dict:
    path = path_without_incidents()
    if with_tool:
        path = str(Path(sys.executable).parent) + os.pathsep + path
    return dict(
        os.environ,
        PATH=path,
        PYTHONPATH=str(REPO / "generator") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        GIT_AUTHOR_NAME="Alice",
        GIT_AUTHOR_EMAIL="alice@example.com",
        GIT_COMMITTER_NAME="Alice",
        GIT_COMMITTER_EMAIL="alice@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )


def git(root: Path, *args: str, with_tool: bool = True, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["git", *args], cwd=root, env=env(with_tool), capture_output=True, text=True, timeout=120)
    if ok:
        assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc


def two_sides(tmp_path: Path, ours: str, theirs: str, with_tool: bool) -> tuple[Path, subprocess.CompletedProcess]:
    """A repository set up as init sets it up; RECORD, then OURS on `master` and THEIRS on `comms`; merge."""
    root = tmp_path / "status"
    root.mkdir()
    git(root, "init", "-q", "-b", "master")
    (root / ".gitattributes").write_text("incidents/**/*.md merge=incidents\n")
    git(root, "config", "merge.incidents.driver", MERGE_DRIVER)
    (root / INC).parent.mkdir(parents=True)
    (root / INC).write_text(RECORD)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "declare")
    git(root, "switch", "-q", "-c", "comms")
    (root / INC).write_text(theirs)
    git(root, "commit", "-q", "-am", "theirs")
    git(root, "switch", "-q", "master")
    (root / INC).write_text(ours)
    git(root, "commit", "-q", "-am", "ours")
    return root, git(root, "merge", "--no-edit", "comms", with_tool=with_tool, ok=False)


def reword(text: str, new: str) -> str:
    return text.replace("message: A bad deploy; rolling back.", f"message: {new}")


def test_the_stripped_path_really_has_no_incidents():
    assert shutil.which("incidents", path=path_without_incidents()) is None
    assert shutil.which("git", path=path_without_incidents()) is not None


@pytest.mark.parametrize("with_tool", [True, False], ids=["incidents on PATH", "PATH without incidents"])
def test_both_sides_rewording_one_update_is_a_conflict(tmp_path, with_tool):
    ours = reword(RECORD, "The 08:55 deploy broke the API; rolling it back.")
    theirs = reword(RECORD, "A bad deploy broke the API; we are rolling it back.")
    root, merge = two_sides(tmp_path, ours, theirs, with_tool)
    assert merge.returncode == 1, merge.stdout + merge.stderr
    assert "CONFLICT" in merge.stdout
    text = (root / INC).read_text()
    assert "<<<<<<< ours" in text and "=======" in text and ">>>>>>> theirs" in text
    assert "The 08:55 deploy broke the API" in text and "A bad deploy broke the API" in text
    # the driver marks the whole `updates:` key; git's line merge only the message line
    assert text.count("at: 2026-04-01T09:20:00Z") == (2 if with_tool else 1)
    assert text.endswith("\n")
    assert "incidents/2026/INC-2026-0001.md" in git(root, "diff", "--name-only", "--diff-filter=U").stdout


@pytest.mark.parametrize("with_tool", [True, False], ids=["incidents on PATH", "PATH without incidents"])
def test_both_sides_adding_an_update_never_keeps_one_side(tmp_path, with_tool):
    """With the tool: one clean union. Without it: git's own markers, both updates in the file: neither
    way is a responder's update lost at `git add`."""
    add = "  - at: 2026-04-01T09:{m}:00Z\n    status: identified\n    message: {msg}\n---\n"
    ours = RECORD.replace("---\n## What", add.format(m="30", msg="Rollback half done. (commander)") + "## What")
    theirs = RECORD.replace("---\n## What", add.format(m="35", msg="Customers told by email. (comms)") + "## What")
    root, merge = two_sides(tmp_path, ours, theirs, with_tool)
    text = (root / INC).read_text()
    assert "Rollback half done. (commander)" in text and "Customers told by email. (comms)" in text
    if with_tool:
        assert merge.returncode == 0, merge.stdout + merge.stderr
        assert text.index("Rollback half done") < text.index("Customers told by email")
        assert "<<<<<<<" not in text
    else:
        assert merge.returncode == 1 and "CONFLICT" in merge.stdout
        assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text


def test_one_side_rewording_and_the_other_adding_merge_cleanly(tmp_path):
    theirs = reword(RECORD, "A bad deploy (08:55); rolling back.")
    added = "  - at: 2026-04-01T09:40:00Z\n    status: identified\n    message: Rollback done.\n"
    ours = RECORD.replace("---\n## What", added + "---\n## What")
    root, merge = two_sides(tmp_path, ours, theirs, with_tool=True)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    text = (root / INC).read_text()
    assert "A bad deploy (08:55); rolling back." in text and "A bad deploy; rolling back." not in text
    assert text.count("at: 2026-04-01T09:20:00Z") == 1 and "Rollback done." in text


@pytest.mark.parametrize("with_tool", [True, False], ids=["incidents on PATH", "PATH without incidents"])
def test_a_body_conflict_ends_with_a_line_end(tmp_path, with_tool):
    ours = RECORD.rstrip("\n").replace("08:55 deploy.", "08:55 deploy of the API.")
    theirs = RECORD.rstrip("\n").replace("08:55 deploy.", "08:55 deploy (build 4411).")
    root, merge = two_sides(tmp_path, ours, theirs, with_tool)
    assert merge.returncode == 1 and "CONFLICT" in merge.stdout
    text = (root / INC).read_text()
    assert "08:55 deploy of the API." in text and "08:55 deploy (build 4411)." in text
    assert text.endswith(">>>>>>> theirs\n"), repr(text[-40:])


def test_merge_records_same_at_is_a_conflict_and_a_body_conflict_ends_with_a_line_end():
    base = RECORD.encode()
    ours = reword(RECORD, "Wording A.").encode()
    theirs = reword(RECORD, "Wording B.").encode()
    result = merge_records(base, ours, theirs, INC)
    assert not result.clean and any("2026-04-01T09:20:00Z" in c for c in result.conflicts)
    body = merge_records(base, base.rstrip(b"\n") + b" A", base.rstrip(b"\n") + b" B", INC)
    assert not body.clean and body.data.endswith(b">>>>>>> theirs\n")
