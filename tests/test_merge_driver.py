"""`incidents merge-file` as git runs it: a real repository, `.gitattributes` and `merge.incidents.driver`;
two responders update one incident on two branches; `git merge` is clean, the record validates with every
update in time order and every line of both sides kept byte for byte; a true conflict leaves markers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incidents.merge import merge_records

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "roundtrip"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
INC = "incidents/2026/INC-2026-0001.md"


def env() -> dict:
    return dict(
        os.environ,
        PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        GIT_AUTHOR_NAME="Alice",
        GIT_AUTHOR_EMAIL="alice@example.com",
        GIT_COMMITTER_NAME="Alice",
        GIT_COMMITTER_EMAIL="alice@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )


def run(root: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=root, env=env(), capture_output=True, text=True, timeout=120)
    if ok:
        assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc


def make_repo(tmp_path: Path) -> Path:
    """A repository with the merge driver registered exactly as the manual says, and one open incident."""
    root = tmp_path / "status"
    root.mkdir()
    run(root, "git", "init", "-q", "-b", "main")
    shutil.copytree(FIXTURES / "policy", root / "policy")
    (root / ".gitattributes").write_bytes((REPO / ".gitattributes").read_bytes())
    run(root, "git", "config", "merge.incidents.driver", "incidents merge-file %O %A %B --path %P")
    run(
        root,
        "incidents",
        "new",
        "--severity",
        "SEV-2",
        "--title",
        "API errors",
        "--service",
        "api",
        "--impact",
        "partial_outage",
        "--role",
        "commander=alice",
        "--at",
        "2026-04-01T09:00:00Z",
        "--message",
        "We are investigating errors on the API.",
    )
    run(root, "git", "add", ".")
    run(root, "git", "commit", "-q", "-m", "Declare INC-2026-0001")
    return root


def update(root: Path, status: str, at: str, message: str) -> None:
    run(root, "incidents", "update", "INC-2026-0001", "--status", status, "--at", at, "--message", message)
    run(root, "git", "commit", "-q", "-am", f"INC-2026-0001: {message}")


def test_gitattributes_registers_the_driver_for_records():
    text = (REPO / ".gitattributes").read_text(encoding="utf-8")
    assert "incidents/**/*.md merge=incidents" in text.splitlines()


def test_two_branches_update_one_incident_and_merge_cleanly(tmp_path):
    root = make_repo(tmp_path)
    run(root, "git", "switch", "-q", "-c", "comms")
    update(root, "identified", "2026-04-01T09:20:00Z", "A bad deploy; rolling back. (comms lead)")
    theirs = (root / INC).read_bytes()
    run(root, "git", "switch", "-q", "main")
    update(root, "identified", "2026-04-01T09:10:00Z", "Errors traced to the 08:55 deploy. (commander)")
    update(root, "monitoring", "2026-04-01T09:30:00Z", "Rolled back; error rate is falling. (commander)")
    ours = (root / INC).read_bytes()

    merge = run(root, "git", "merge", "--no-edit", "comms", ok=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert "CONFLICT" not in merge.stdout
    assert run(root, "git", "status", "--porcelain").stdout == ""

    merged = (root / INC).read_bytes()
    text = merged.decode()
    messages = [line.split("message: ", 1)[1] for line in text.splitlines() if "message: " in line]
    assert messages == [
        '"We are investigating errors on the API."',
        '"Errors traced to the 08:55 deploy. (commander)"',
        '"A bad deploy; rolling back. (comms lead)"',
        '"Rolled back; error rate is falling. (commander)"',
    ]
    assert "\nstatus: monitoring\n" in text  # the latest update's status
    # Every line of ours is there byte for byte, and every list line of theirs (its `status:` and
    # lifecycle times lose to the latest update and the earliest times).
    merged_lines = merged.splitlines(keepends=True)
    for line in ours.splitlines(keepends=True):
        assert line in merged_lines, line
    for line in theirs.splitlines(keepends=True):
        assert line in merged_lines or line.startswith((b"status:", b"acknowledged_at:", b"identified_at:")), line
    assert b"acknowledged_at: 2026-04-01T09:10:00Z\n" in merged_lines
    assert len(merged.splitlines()) == len(ours.splitlines()) + 3  # theirs' one update item
    check = run(root, "incidents", "validate", ok=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_true_conflict_leaves_markers_and_fails_the_merge(tmp_path):
    root = make_repo(tmp_path)
    run(root, "git", "switch", "-q", "-c", "comms")
    original = (root / INC).read_text(encoding="utf-8")
    (root / INC).write_text(original.replace('title: "API errors"', "title: API errors in EU"), encoding="utf-8")
    update(root, "identified", "2026-04-01T09:20:00Z", "Rolling back. (comms lead)")
    run(root, "git", "switch", "-q", "main")
    (root / INC).write_text(original.replace('title: "API errors"', "title: Elevated API error rate"), encoding="utf-8")
    update(root, "identified", "2026-04-01T09:10:00Z", "Traced to a deploy. (commander)")

    merge = run(root, "git", "merge", "--no-edit", "comms", ok=False)
    assert merge.returncode != 0
    assert "CONFLICT (content): Merge conflict in incidents/2026/INC-2026-0001.md" in merge.stdout
    assert f"{INC}: conflict in `title`: both sides changed it differently" in merge.stderr
    text = (root / INC).read_text(encoding="utf-8")
    assert "<<<<<<< ours\ntitle: Elevated API error rate\n=======\ntitle: API errors in EU\n>>>>>>> theirs\n" in text
    # What does not conflict is merged all the same: both updates are there.
    assert "Rolling back. (comms lead)" in text and "Traced to a deploy. (commander)" in text
    assert run(root, "git", "diff", "--name-only", "--diff-filter=U").stdout.strip() == INC


BASE = b"""\xef\xbb\xbf---\r
id: INC-2026-0109   # keep this comment\r
title: 'Billing page errors'\r
severity: SEV-2\r
status: investigating\r
services: [web, api]\r
impact: partial_outage\r
started_at: 2026-03-10T14:00:00Z\r
detected_at: 2026-03-10T14:02:00Z\r
# the updates customers see\r
updates:\r
    -   at: '2026-03-10T14:05:00Z'\r
        status: investigating\r
        message: >-\r
          The billing page\r
          shows errors.\r
roles: {commander: carol}\r
---\r
\r
Body text.\r
"""


def _add(base: bytes, after: bytes, lines: bytes) -> bytes:
    return base.replace(after, after + lines, 1)


def test_merge_records_keeps_every_byte_and_takes_what_one_side_changed():
    ours = _add(
        BASE,
        b"        shows errors.\r\n",
        b"    -   at: '2026-03-10T14:20:00Z'\r\n        status: identified\r\n        message: Ours.\r\n",
    )
    ours = ours.replace(b"status: investigating\r\nservices", b"status: identified\r\nservices")
    ours = _add(
        ours,
        b"detected_at: 2026-03-10T14:02:00Z\r\n",
        b"acknowledged_at: 2026-03-10T14:06:00Z\r\nidentified_at: 2026-03-10T14:20:00Z\r\n",
    )
    theirs = _add(
        BASE,
        b"        shows errors.\r\n",
        b"    -   at: '2026-03-10T14:10:00Z'\r\n        status: investigating\r\n        message: Theirs.\r\n",
    )
    theirs = _add(theirs, b"detected_at: 2026-03-10T14:02:00Z\r\n", b"acknowledged_at: 2026-03-10T14:04:00Z\r\n")
    theirs = theirs.replace(b"roles: {commander: carol}", b"roles: {commander: carol, scribe: dave}")
    result = merge_records(BASE, ours, theirs, "incidents/x.md")
    assert result.clean, result.conflicts
    assert result.fallback is None
    expected = ours.replace(b"acknowledged_at: 2026-03-10T14:06:00Z", b"acknowledged_at: 2026-03-10T14:04:00Z")
    expected = _add(
        expected,
        b"        shows errors.\r\n",
        b"    -   at: '2026-03-10T14:10:00Z'\r\n        status: investigating\r\n        message: Theirs.\r\n",
    )
    expected = expected.replace(b"roles: {commander: carol}", b"roles: {commander: carol, scribe: dave}")
    assert result.data == expected


def test_identical_entries_once_and_the_earliest_lifecycle_value():
    one = b"  - at: 2026-03-10T14:20:00Z\n    status: identified\n    message: Same text.\n"
    base = (
        b"---\nid: X-1\nstatus: investigating\nstarted_at: 2026-03-10T14:00:00Z\nupdates:\n"
        b"  - at: 2026-03-10T14:05:00Z\n    status: investigating\n    message: First.\n---\nBody\n"
    )
    ours = base.replace(
        b"status: investigating\nstarted", b"status: identified\nidentified_at: 2026-03-10T14:21:00Z\nstarted"
    ).replace(b"First.\n", b"First.\n" + one)
    theirs = base.replace(
        b"status: investigating\nstarted", b"status: identified\nidentified_at: 2026-03-10T15:20:00+01:00\nstarted"
    ).replace(b"First.\n", b"First.\n" + one)
    result = merge_records(base, ours, theirs, "x.md")
    assert result.clean
    # 15:20+01:00 is 14:20Z, earlier than ours' 14:21Z; the shared update appears once.
    assert result.data == ours.replace(
        b"identified_at: 2026-03-10T14:21:00Z", b"identified_at: 2026-03-10T15:20:00+01:00"
    )
    assert result.data.count(b"Same text.") == 1


def test_the_body_merges_as_text_and_conflicts_with_markers():
    base = b"---\nid: X-1\ntitle: T\n---\nline one\n\nline two\n"
    ours = base.replace(b"line one", b"line ONE")
    theirs = base.replace(b"line two", b"line TWO")
    result = merge_records(base, ours, theirs, "x.md")
    assert result.clean and result.data == b"---\nid: X-1\ntitle: T\n---\nline ONE\n\nline TWO\n"
    clash = merge_records(base, ours, base.replace(b"line one", b"line 1"), "x.md")
    assert not clash.clean and clash.conflicts == ["x.md: conflict in the Markdown body"]
    assert b"<<<<<<< ours\nline ONE\n=======\nline 1\n>>>>>>> theirs\n" in clash.data
    assert clash.data.startswith(b"---\nid: X-1\ntitle: T\n---\n")


def test_a_file_that_is_not_a_record_merges_as_git_merges_text():
    base = b"no front matter\n\n\nsecond\n"
    result = merge_records(
        base, b"no front matter\n\n\nsecond, ours\n", b"no front matter changed\n\n\nsecond\n", "x.md"
    )
    assert result.clean and result.fallback
    assert result.data == b"no front matter changed\n\n\nsecond, ours\n"
