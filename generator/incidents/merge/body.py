"""The Markdown body: merged as git merges text; a conflict always ends with a line end."""

from __future__ import annotations

import os
import subprocess
import tempfile

from incidents.merge.state import MARKER, MergeState


def _ended(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def merge_text(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """git's own line merge (`git merge-file -p`); markers where it conflicts.

    A result with conflicts ends with a line end (git leaves the last marker's line open when a side
    ends without one), so the markers are whole lines for the next tool and for the reader.
    """
    with tempfile.TemporaryDirectory(prefix="incidents-merge-") as tmp:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = os.path.join(tmp, name)
            with open(p, "wb") as fh:
                fh.write(data)
            names.append(p)
        try:
            proc = subprocess.run(
                ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", *names],
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            proc = None
    if proc is None or proc.returncode < 0:
        # No git here: the whole file as one conflict.
        out = (
            b"<" * MARKER + b" ours\n" + _ended(ours) + b"=" * MARKER + b"\n" + _ended(theirs) + b">" * MARKER
        ) + b" theirs\n"
        return out, False
    clean = proc.returncode == 0
    return (proc.stdout if clean else _ended(proc.stdout)), clean


def merge_body(m: MergeState) -> None:
    o = "".join(m.ours.body_lines())
    t = "".join(m.theirs.body_lines())
    b = "".join(m.base.body_lines()) if m.base is not None else ""
    if t in (o, b):
        return
    start = m.ours.fm_close + 1
    end = len(m.ours.ed.lines)
    if o == b:
        m.ops.splice_raw(start, end, t)
        return
    text, clean = merge_text(b.encode("utf-8"), o.encode("utf-8"), t.encode("utf-8"))
    m.ops.splice_raw(start, end, text.decode("utf-8"))
    if not clean:
        m.conflicts.append(f"{m.path}: conflict in the Markdown body")
