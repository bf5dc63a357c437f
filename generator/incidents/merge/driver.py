"""The three-way merge of one record file (`incidents merge-file BASE OURS THEIRS`).

Key by key, over the front matter's top-level keys:

* `updates`, `timeline`, `escalations`: the union of both sides' entries in
  time order, an entry both sides hold once; THEIRS' new entries are copied
  line for line into OURS' list, before the first of OURS' entries that is
  later (so OURS' own lines never move);
* `status`: the status of the latest update once the updates were merged;
* a lifecycle timestamp (`started_at` ... `resolved_at`): the earliest value
  either side set;
* any other key: the side that changed it (a key added, changed or removed on
  one side only); changed differently on both sides, it is a conflict: OURS
  gets git-style markers around that key's lines.

The Markdown body merges as git merges text (`git merge-file`). Whatever is
not changed keeps its bytes. A result without conflicts is read back with the
one reader and must hold exactly the merged values; a file the merge cannot
edit line by line (not a record, a flow-style front matter) is merged as git
merges text, so the driver is never worse than git's own merge.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from incidents.merge.layout import Layout, LayoutError, read_layout
from incidents.records.model import LIFECYCLE
from incidents.records.source import read_record
from incidents.records.timestamps import TimestampError, parse_timestamp

LISTS = ("updates", "timeline", "escalations")
MARKER = 7
_MISSING = object()


@dataclass
class MergeResult:
    data: bytes
    conflicts: list[str] = field(default_factory=list)  # what conflicted, one line each
    fallback: str | None = None  # why the file was merged as text

    @property
    def clean(self) -> bool:
        return not self.conflicts


class _Ops:
    """Line splices on OURS' original line indexes, applied bottom-up."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.ops: list[tuple[int, int, int, list[str]]] = []

    def splice(self, start: int, end: int, new_lines: list[str]) -> None:
        self.ops.append((start, end, len(self.ops), new_lines))


def _instant(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value).astimezone(UTC)
    except TimestampError:
        return None


def _reindent(lines: list[str], delta: int) -> list[str] | None:
    if delta >= 0:
        return [(" " * delta + line) if line.strip() else line for line in lines]
    cut = -delta
    out = []
    for line in lines:
        if line.strip() and line[:cut].strip():
            return None
        out.append(line[cut:] if line.strip() else line)
    return out


def _trim_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


class _Merge:
    def __init__(self, base: Layout | None, ours: Layout, theirs: Layout, path: str):
        self.base, self.ours, self.theirs, self.path = base, ours, theirs, path
        self.ops = _Ops(ours)
        self.expected = dict(ours.data)
        self.conflicts: list[str] = []
        self.merged_lists: dict[str, list] = {}
        self.contributed: set[str] = set()  # lists to which THEIRS added entries

    # -- values ----------------------------------------------------------------------------
    def value(self, side: Layout | None, key: str):
        if side is None:
            return _MISSING
        return side.data.get(key, _MISSING)

    def run(self) -> None:
        keys = list(self.ours.order) + [k for k in self.theirs.order if k not in self.ours.data]
        if self.base is not None:
            keys += [k for k in self.base.order if k not in keys]
        for key in LISTS:
            if key in keys:
                self.merge_list(key)
        for key in keys:
            if key in LISTS:
                continue
            if key == "status":
                continue
            self.merge_key(key)
        if "status" in keys:
            self.merge_status()

    def merge_key(self, key: str) -> None:
        b, o, t = self.value(self.base, key), self.value(self.ours, key), self.value(self.theirs, key)
        if t in (o, b):
            return  # theirs did not change it, or both made the same change: OURS as it is
        if o == b:
            self.take_theirs(key)
            return
        if key in LIFECYCLE:
            self.earliest(key, o, t)
            return
        self.conflict(key, "both sides changed it differently")

    def earliest(self, key: str, o, t) -> None:
        if o is _MISSING or o is None:
            self.take_theirs(key)
            return
        if t is _MISSING or t is None:
            return
        oi, ti = _instant(o), _instant(t)
        if oi is None or ti is None:
            self.conflict(key, "both sides set it and one is not a timestamp")
            return
        if ti < oi:
            self.take_theirs(key)

    def merge_status(self) -> None:
        key = "status"
        b, o, t = self.value(self.base, key), self.value(self.ours, key), self.value(self.theirs, key)
        updates = self.merged_lists.get("updates")
        if updates is not None and "updates" in self.contributed:
            latest = updates[-1].get("status") if isinstance(updates[-1], dict) else None
            if isinstance(latest, str) and latest != o:
                self.set_scalar(key, latest)
            return
        if t in (o, b):
            return
        if o == b:
            self.take_theirs(key)
            return
        if updates:
            latest = updates[-1].get("status") if isinstance(updates[-1], dict) else None
            if isinstance(latest, str):
                if latest != o:
                    self.set_scalar(key, latest)
                return
        self.conflict(key, "both sides changed it differently")

    # -- lists -----------------------------------------------------------------------------
    def merge_list(self, key: str) -> None:
        b, o, t = self.value(self.base, key), self.value(self.ours, key), self.value(self.theirs, key)
        if t in (o, b):
            if isinstance(o, list):
                self.merged_lists[key] = list(o)
            return
        if o == b or o is _MISSING or o is None or o == []:
            self.take_theirs(key)
            if isinstance(t, list):
                self.merged_lists[key] = list(t)
                self.contributed.add(key)
            return
        if not isinstance(t, list) or not isinstance(o, list):
            self.conflict(key, "both sides changed it and one is not a list")
            return
        new = []
        for item in t:
            if item not in o and item not in new and (not isinstance(b, list) or item not in b):
                new.append(item)
        if not new:
            self.merged_lists[key] = list(o)
            return
        ours_items, theirs_items = self.ours.items(key), self.theirs.items(key)
        dash_o, dash_t = self.ours.dash_column(key), self.theirs.dash_column(key)
        if ours_items is None or theirs_items is None or dash_o is None or dash_t is None:
            self.conflict(
                key, "both sides added entries and a list is not written one `- ` entry per item; merge it by hand"
            )
            return
        times_o = [_instant(x.get("at")) if isinstance(x, dict) else None for x in o]
        slots: dict[int, list[tuple[dict, list[str]]]] = {}
        for item in new:
            start, end = theirs_items[t.index(item)]
            text = _reindent(_trim_blank_tail(self.theirs.lines(start, end)), dash_o - dash_t)
            if text is None:
                self.conflict(key, "THEIRS' entries are indented less than OURS'; merge it by hand")
                return
            when = _instant(item.get("at")) if isinstance(item, dict) else None
            pos = len(o)
            if when is not None:
                pos = next((j for j, tj in enumerate(times_o) if tj is not None and tj > when), len(o))
            slots.setdefault(pos, []).append((item, text))
        merged: list = []
        for j in range(len(o) + 1):
            merged.extend(item for item, _ in slots.get(j, []))
            if j < len(o):
                merged.append(o[j])
        for pos, entries in slots.items():
            at = ours_items[pos][0] if pos < len(o) else ours_items[-1][1]
            for _, text in entries:
                self.ops.splice(at, at, text)
        self.expected[key] = merged
        self.merged_lists[key] = merged
        self.contributed.add(key)

    # -- edits -----------------------------------------------------------------------------
    def insertion_line(self, key: str) -> int:
        """Where a key that only THEIRS has goes in OURS: after the nearest key before it in THEIRS."""
        order = self.theirs.order
        index = order.index(key) if key in order else len(order)
        for prev in reversed(order[:index]):
            if prev in self.ours.blocks:
                return self.ours.blocks[prev][1]
        for nxt in order[index + 1 :]:
            if nxt in self.ours.blocks:
                return self.ours.blocks[nxt][0]
        return self.ours.fm_close

    def take_theirs(self, key: str) -> None:
        t = self.value(self.theirs, key)
        new_lines = self.theirs.block(key) if t is not _MISSING else []
        if key in self.ours.blocks:
            start, end = self.ours.blocks[key]
            self.ops.splice(start, end, new_lines)
        elif new_lines:
            at = self.insertion_line(key)
            self.ops.splice(at, at, new_lines)
        if t is _MISSING:
            self.expected.pop(key, None)
        else:
            self.expected[key] = t

    def set_scalar(self, key: str, value: str) -> None:
        """Replace a one-line scalar value in place (as `update` writes a status)."""
        node = self.ours.value_node((key,))
        if node is None or node.kind != "scalar" or node.start[0] != node.end[0] or node.style in ("|", ">"):
            self.conflict(key, f"it should become `{value}` but is not written on one line")
            return
        line, col = node.start
        text = self.ours.ed.content(line)
        token = {"'": f"'{value}'", '"': f'"{value}"'}.get(node.style or "", value)
        self.ops.splice(line, line + 1, [text[:col] + token + text[node.end[1] :]])
        self.expected[key] = value

    def conflict(self, key: str, why: str) -> None:
        ours = self.ours.block(key) if key in self.ours.blocks else []
        theirs = self.theirs.block(key) if key in self.theirs.blocks else []
        lines = ["<" * MARKER + " ours", *ours, "=" * MARKER, *theirs, ">" * MARKER + " theirs"]
        if key in self.ours.blocks:
            start, end = self.ours.blocks[key]
            self.ops.splice(start, end, lines)
        else:
            at = self.insertion_line(key)
            self.ops.splice(at, at, lines)
        self.conflicts.append(f"{self.path}: conflict in `{key}`: {why}")

    # -- the body --------------------------------------------------------------------------
    def merge_body(self) -> None:
        o = "".join(self.ours.body_lines())
        t = "".join(self.theirs.body_lines())
        b = "".join(self.base.body_lines()) if self.base is not None else ""
        if t in (o, b):
            return
        start = self.ours.fm_close + 1
        end = len(self.ours.ed.lines)
        if o == b:
            self._splice_raw(start, end, t)
            return
        text, clean = merge_text(b.encode("utf-8"), o.encode("utf-8"), t.encode("utf-8"))
        self._splice_raw(start, end, text.decode("utf-8"))
        if not clean:
            self.conflicts.append(f"{self.path}: conflict in the Markdown body")

    def _splice_raw(self, start: int, end: int, text: str) -> None:
        # Lines with their own ends: split and hand over without adding line ends.
        lines = text.splitlines(keepends=True)
        self.ops.ops.append((start, end, len(self.ops.ops), _Raw(lines)))


class _Raw(list):
    """Lines that already carry their line ends (the body)."""


def _apply(ops: _Ops) -> bytes:
    ed = ops.layout.ed
    lines = list(ed.lines)
    for start, end, _, new in sorted(ops.ops, key=lambda op: (op[0], op[1], op[2]), reverse=True):
        if isinstance(new, _Raw):
            lines[start:end] = list(new)
            continue
        nl = ed.newline_near(min(start, len(lines) - 1)) if lines else "\n"
        if start > 0 and new and not lines[start - 1].endswith(("\n", "\r")):
            lines[start - 1] += nl
        lines[start:end] = [text + nl for text in new]
    out = "".join(lines).encode("utf-8")
    return (b"\xef\xbb\xbf" + out) if ed.bom else out


def merge_text(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """git's own line merge (`git merge-file -p`); markers where it conflicts."""
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
            b"<" * MARKER
            + b" ours\n"
            + ours
            + (b"" if ours.endswith(b"\n") or not ours else b"\n")
            + b"=" * MARKER
            + b"\n"
            + theirs
            + (b"" if theirs.endswith(b"\n") or not theirs else b"\n")
            + b">" * MARKER
            + b" theirs\n"
        )
        return out, False
    return proc.stdout, proc.returncode == 0


def merge_records(base: bytes, ours: bytes, theirs: bytes, path: str = "record.md") -> MergeResult:
    """Merge THEIRS (and BASE, the common ancestor; empty when both added the file) into OURS."""
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    try:
        o = read_layout(ours, path)
        t = read_layout(theirs, path)
        b = read_layout(base, path) if base.strip() else None
    except LayoutError as exc:
        data, clean = merge_text(base, ours, theirs)
        return MergeResult(
            data, [] if clean else [f"{path}: conflicting text (merged as git merges text)"], fallback=str(exc)
        )
    m = _Merge(b, o, t, path)
    m.run()
    m.merge_body()
    data = _apply(m.ops)
    if m.conflicts:
        return MergeResult(data, m.conflicts)
    check, _ = read_record(data, path)
    body_ok = check is not None
    if check is None or check.front_matter.data != m.expected or not body_ok:
        text, clean = merge_text(base, ours, theirs)
        return MergeResult(
            text,
            [] if clean else [f"{path}: conflicting text (merged as git merges text)"],
            fallback="the line-by-line merge would not read back as the merged values",
        )
    return MergeResult(data)
