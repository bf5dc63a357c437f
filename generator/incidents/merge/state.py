"""The state of one three-way merge and the line edits it makes in OURS.

The per-key rules (`keys.py`, `lists.py`, `body.py`) decide; this module holds what they share (the
three sides, the values the result must read back as, the conflicts) and the edits: take THEIRS'
lines for a key, rewrite a one-line scalar, put conflict markers around a key.
"""

from __future__ import annotations

from datetime import UTC, datetime

from incidents.merge.layout import Layout
from incidents.records.timestamps import TimestampError, parse_timestamp

MARKER = 7
MISSING = object()


class Raw(list):
    """Lines that already carry their line ends (the body)."""


class Ops:
    """Line splices on OURS' original line indexes, applied bottom-up."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.ops: list[tuple[int, int, int, list[str]]] = []

    def splice(self, start: int, end: int, new_lines: list[str]) -> None:
        self.ops.append((start, end, len(self.ops), new_lines))

    def splice_raw(self, start: int, end: int, text: str) -> None:
        """Replace lines with `text` whose lines carry their own ends."""
        self.ops.append((start, end, len(self.ops), Raw(text.splitlines(keepends=True))))


def instant(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value).astimezone(UTC)
    except TimestampError:
        return None


class MergeState:
    def __init__(self, base: Layout | None, ours: Layout, theirs: Layout, path: str):
        self.base, self.ours, self.theirs, self.path = base, ours, theirs, path
        self.ops = Ops(ours)
        self.expected = dict(ours.data)
        self.conflicts: list[str] = []
        self.merged_lists: dict[str, list] = {}
        self.contributed: set[str] = set()  # lists to which THEIRS added entries

    def value(self, side: Layout | None, key: str):
        if side is None:
            return MISSING
        return side.data.get(key, MISSING)

    def values(self, key: str) -> tuple:
        """(base, ours, theirs) values of a top-level key (MISSING where absent)."""
        return self.value(self.base, key), self.value(self.ours, key), self.value(self.theirs, key)

    def keys(self) -> list[str]:
        keys = list(self.ours.order) + [k for k in self.theirs.order if k not in self.ours.data]
        if self.base is not None:
            keys += [k for k in self.base.order if k not in keys]
        return keys

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
        new_lines = self.theirs.block(key) if t is not MISSING else []
        if key in self.ours.blocks:
            start, end = self.ours.blocks[key]
            self.ops.splice(start, end, new_lines)
        elif new_lines:
            at = self.insertion_line(key)
            self.ops.splice(at, at, new_lines)
        if t is MISSING:
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


def apply_ops(ops: Ops) -> bytes:
    ed = ops.layout.ed
    lines = list(ed.lines)
    for start, end, _, new in sorted(ops.ops, key=lambda op: (op[0], op[1], op[2]), reverse=True):
        if isinstance(new, Raw):
            lines[start:end] = list(new)
            continue
        nl = ed.newline_near(min(start, len(lines) - 1)) if lines else "\n"
        if start > 0 and new and not lines[start - 1].endswith(("\n", "\r")):
            lines[start - 1] += nl
        lines[start:end] = [text + nl for text in new]
    out = "".join(lines).encode("utf-8")
    return (b"\xef\xbb\xbf" + out) if ed.bom else out
