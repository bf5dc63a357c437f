"""`incidents update`: append a public update to a hand-written incident, byte for byte.

The file is never re-dumped. The reader's map of positions says where the
`status` value, the lifecycle keys and the `updates:` list are; libyaml's
event marks (the same parser the reader uses) say where each of them ends.
The edit is then a handful of targeted text operations on the original
lines (their CRLF/LF endings and a BOM kept as they were):

* the `status` value token is replaced in place, in its quoting style;
* lifecycle timestamps still empty are inserted as new `key: value` lines
  after the last lifecycle key present (or after `status`);
* the new update is added in the style of the list: a block item with the
  indentation and key order of the last item, or `, {...}` before the `]` of
  a flow list, or a new `updates:` block when there was none.

The result is read back with the foundation's reader and must hold exactly
the old values plus the change (anything else means the edit would have
touched something it should not: refused), and must pass the incident rules
(refused with the findings). Only then is it written, atomically.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from ..findings import ERROR
from ..policy import LoadedPolicy
from ..records import INCIDENT_STATUSES, LIFECYCLE, STATUS_TIMESTAMP
from ..source import MarkMap, _Loader, decode, read_record
from . import AuthoringError, atomic
from .checks import check_incident_bytes
from .repo import find_incident_file
from .yamltext import can_single_quote, dq, sq, timestamp

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
UPDATE_KEY_ORDER = ("at", "status", "message")


def timestamps_to_fill(current: dict, status: str) -> list[str]:
    """The lifecycle keys a move to `status` fills when they are still empty."""
    wanted = []
    if status != "investigating":
        wanted.append("acknowledged_at")
    if status in STATUS_TIMESTAMP:
        wanted.append(STATUS_TIMESTAMP[status])
    return [k for k in wanted if current.get(k) in (None, "")]


# -- where things are -------------------------------------------------------

@dataclass(slots=True)
class Node:
    """One YAML node of the front matter: 0-based start/end (line, col) in file lines."""

    kind: str  # scalar | mapping | sequence
    start: tuple[int, int]
    end: tuple[int, int]  # just after the node (after `]`/`}` for flow collections)
    style: str | None = None  # scalar style: None (plain), "'", '"', "|", ">"
    flow: bool = False
    close: tuple[int, int] | None = None  # flow collections: where `]`/`}` is
    last_content: tuple[int, int] | None = None  # end of the last scalar/flow end inside


def index_nodes(fm_text: str, first_line: int) -> dict[tuple[str, int, int], Node]:
    """(kind, line, col) of each node's start as libyaml gives it (1-based, the keys of
    Document.positions) -> Node, whose own positions are 0-based file (line, col)."""
    out: dict[tuple[str, int, int], Node] = {}
    stack: list[Node] = []
    where = MarkMap(fm_text)

    def pos(mark) -> tuple[int, int]:
        line, col = where(mark)
        return line + first_line, col

    for event in yaml.parse(fm_text, Loader=_Loader):
        name = type(event).__name__
        if name in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent"):
            s, e = event.start_mark, event.end_mark
            start = pos(s)
            key = (start[0] + 1, start[1] + 1)  # as Document.positions has it
            if name == "ScalarEvent":
                end = pos(e)
                node = Node("scalar", start, end, style=event.style or None)
                out[("scalar",) + key] = node
                for parent in stack:
                    parent.last_content = end
                continue
            kind = "mapping" if name == "MappingStartEvent" else "sequence"
            node = Node(kind, start, start, flow=bool(event.flow_style))
            out[(kind,) + key] = node
            stack.append(node)
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            node = stack.pop()
            s, e = event.start_mark, event.end_mark
            node.end = pos(e)
            if node.flow:
                node.close = pos(s)
                for parent in stack:
                    parent.last_content = node.end
    return out


# -- the edit -----------------------------------------------------------------

@dataclass(slots=True)
class Edit:
    line: int  # 0-based file line
    col: int | None  # None: insert whole lines before `line`; else replace [col, end) on `line`
    end: int = 0
    text: str = ""
    lines: tuple[str, ...] = ()


class Editor:
    def __init__(self, data: bytes):
        self.bom = data.startswith(b"\xef\xbb\xbf")
        raw = data[3:] if self.bom else data
        self.text = raw.decode("utf-8")
        self.lines = _LINES.findall(self.text)
        self.edits: list[Edit] = []

    def newline_near(self, index: int) -> str:
        for i in list(range(index - 1, -1, -1)) + list(range(index, len(self.lines))):
            line = self.lines[i]
            if line.endswith("\r\n"):
                return "\r\n"
            if line.endswith(("\n", "\r")):
                return line[-1]
        return "\n"

    def content(self, index: int) -> str:
        return self.lines[index].rstrip("\r\n")

    def replace(self, line: int, col: int, end: int, text: str) -> None:
        self.edits.append(Edit(line, col, end, text))

    def insert_lines(self, before: int, new_lines: list[str]) -> None:
        self.edits.append(Edit(before, None, lines=tuple(new_lines)))

    def result(self) -> bytes:
        lines = list(self.lines)
        # Bottom-up so earlier positions stay valid; on one line, right to left; lines inserted at
        # the same place keep the order in which they were planned (the later ones go in first).
        order = sorted(enumerate(self.edits), key=lambda ie: (ie[1].line, -1 if ie[1].col is None else ie[1].col, ie[0]),
                       reverse=True)
        for _, edit in order:
            if edit.col is None:
                nl = self.newline_near(edit.line)
                if edit.line > 0 and not lines[edit.line - 1].endswith(("\n", "\r")):
                    lines[edit.line - 1] += nl
                lines[edit.line:edit.line] = [text + nl for text in edit.lines]
            else:
                line = lines[edit.line]
                lines[edit.line] = line[:edit.col] + edit.text + line[edit.end:]
        out = "".join(lines).encode("utf-8")
        return (b"\xef\xbb\xbf" + out) if self.bom else out


def _front_matter_bounds(lines: list[str]) -> tuple[int, int]:
    """0-based index of the first front matter line and of the closing `---` line."""
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return 1, i
    raise AuthoringError("the front matter is never closed by a `---` line")


def _after_node_line(ed: Editor, node: Node, end: tuple[int, int]) -> int:
    """The 0-based line index just after the text that ends at `end` (a node's last content)."""
    line, col = end
    if col == 0 and line > node.start[0]:
        # A block scalar ends at the start of the next line, after any trailing blank lines;
        # keep the new text right after its last written line unless the scalar keeps them (`|+`).
        after = line
        header = ed.content(node.start[0])[node.start[1]:node.start[1] + 4] if node.style in ("|", ">") else ""
        if "+" not in header:
            while after - 1 > node.start[0] and not ed.content(after - 1).strip():
                after -= 1
        return after
    return line + 1


def plan_update(data: bytes, rel: str, status: str, message: str, at: datetime) -> tuple[bytes, dict]:
    """The new bytes of the file, and the values expected when they are read back."""
    src, findings = read_record(data, rel)
    if src is None:
        raise AuthoringError("the file cannot be read as a record; fix it first",
                             tuple(f for f in findings if f.level == ERROR))
    doc = src.front_matter
    fm = doc.data
    ed = Editor(data)
    if not ed.lines or ed.lines[0].rstrip() != "---":
        raise AuthoringError("the file does not start with a `---` line")
    fm_first, fm_close = _front_matter_bounds(ed.lines)
    fm_text, _ = decode("".join(ed.lines[fm_first:fm_close]).encode("utf-8"), rel)
    nodes = index_nodes(fm_text, fm_first)

    root_node = nodes.get(("mapping",) + doc.positions[()])
    if root_node is None or root_node.flow:
        raise AuthoringError("the front matter is written as one `{...}` flow mapping; "
                             "`incidents update` edits block-style front matter only (edit this one by hand)")

    if "status" not in fm:
        raise AuthoringError("the incident has no `status:`; fix the file first")
    at_text = timestamp(at)
    expected = dict(fm)

    # 1. status, in place.
    sline, scol = doc.positions[("status",)]
    snode = nodes.get(("scalar", sline, scol))
    if snode is None or snode.start[0] != snode.end[0] or snode.style in ("|", ">"):
        raise AuthoringError("`status:` is not a one-line value; write it as `status: <value>` first")
    line0, col0 = snode.start
    if snode.style == "'":
        token = sq(status)
    elif snode.style == '"':
        token = f'"{status}"'
    else:
        token = status
    ed.replace(line0, col0, snode.end[1], token)
    expected["status"] = status

    # 2. lifecycle timestamps still empty, after the last lifecycle key present (or `status`).
    status_key = nodes.get(("scalar",) + doc.key_positions[("status",)])
    indent = " " * (status_key.start[1] if status_key is not None else doc.key_positions[("status",)][1] - 1)
    fill = timestamps_to_fill(fm, status)
    for key in fill:
        if key in fm and fm[key] in (None, ""):
            raise AuthoringError(f"`{key}:` is present but empty; fill it or remove the line first")
    if fill:
        anchor_key = "status"
        anchor_line = 0
        for key in LIFECYCLE:
            if key in fm and doc.key_positions[(key,)][0] >= anchor_line:
                anchor_key, anchor_line = key, doc.key_positions[(key,)][0]
        after = _after_value(ed, doc, nodes, (anchor_key,))
        anchor_node = nodes.get(("scalar",) + doc.positions[(anchor_key,)])
        style = anchor_node.style if anchor_node is not None and anchor_key != "status" else None
        ed.insert_lines(after, [f"{indent}{key}: {_at_text(at_text, style)}" for key in fill])
        for key in fill:
            expected[key] = at_text

    # 3. the update itself, in the style of the list.
    new_update = {"at": at_text, "status": status, "message": message}
    updates = fm.get("updates")
    if "updates" not in fm:
        item = [f"{indent}updates:", f"{indent}  - at: {at_text}", f"{indent}    status: {status}",
                f"{indent}    message: {dq(message)}"]
        ed.insert_lines(fm_close, item)
        expected["updates"] = [new_update]
    elif isinstance(updates, list):
        _append_update(ed, doc, nodes, updates, new_update)
        expected["updates"] = list(updates) + [new_update]
    else:
        raise AuthoringError("`updates:` is not a list; fix it first")
    return ed.result(), expected


def _after_value(ed: Editor, doc, nodes, path: tuple) -> int:
    """The 0-based line index just after the value at `path` (a top-level key)."""
    line, col = doc.positions[path]
    node = nodes.get(("scalar", line, col)) or nodes.get(("mapping", line, col)) or nodes.get(("sequence", line, col))
    if node is None:  # pragma: no cover - every value has a node
        return line
    end = node.end if node.kind == "scalar" or node.flow else (node.last_content or node.end)
    return _after_node_line(ed, node, end)


def _message_text(message: str, last_style: str | None) -> str:
    if last_style == "'" and can_single_quote(message):
        return sq(message)
    return dq(message)


def _at_text(at_text: str, style: str | None) -> str:
    if style == "'":
        return f"'{at_text}'"
    if style == '"':
        return f'"{at_text}"'
    return at_text


def _append_update(ed: Editor, doc, nodes, updates: list, new: dict) -> None:
    line, col = doc.positions[("updates",)]
    seq = nodes.get(("sequence", line, col))
    if seq is None:
        raise AuthoringError("`updates:` is not a list; fix it first")
    last_index = len(updates) - 1
    last = updates[-1] if updates else None
    order = [k for k in last if k in UPDATE_KEY_ORDER] if isinstance(last, dict) else []
    order += [k for k in UPDATE_KEY_ORDER if k not in order]
    styles = {}
    if isinstance(last, dict):
        for key in ("at", "message"):
            pos = doc.positions.get(("updates", last_index, key))
            node = nodes.get(("scalar",) + pos) if pos else None
            styles[key] = node.style if node else None
    values = {
        "at": _at_text(new["at"], styles.get("at")),
        "status": new["status"],
        "message": _message_text(new["message"], styles.get("message")),
    }
    flow_item = "{" + ", ".join(f"{k}: {values[k]}" for k in order) + "}"

    if seq.flow:
        if not updates:
            cline, ccol = seq.close
            ed.replace(cline, ccol, ccol, flow_item)
            return
        item_pos = doc.positions[("updates", last_index)]
        item = nodes.get(("mapping",) + item_pos)
        end = item.end if item is not None else seq.last_content
        ed.replace(end[0], end[1], end[1], ", " + flow_item)
        return

    # A block list: the dash where the list starts, keys where the last item's keys are.
    dash_col = seq.start[1]
    item_pos = doc.positions[("updates", last_index)]
    item = nodes.get(("mapping",) + item_pos)
    prefix = " " * dash_col + "-"
    if item is not None and item.flow:
        gap = max(1, item.start[1] - dash_col - 1)
        new_lines = [prefix + " " * gap + flow_item]
        end = item.end
        after = end[0] + 1
    else:
        key_col = item.start[1] if item is not None else dash_col + 2
        if key_col <= dash_col:
            key_col = dash_col + 2
        first, *rest = order
        new_lines = [prefix + " " * (key_col - dash_col - 1) + f"{first}: {values[first]}"]
        new_lines += [" " * key_col + f"{k}: {values[k]}" for k in rest]
        if item is not None:
            end = item.last_content or item.end
            after = _after_node_line(ed, _last_scalar(nodes, doc, last_index, item), end)
        else:
            after = _after_node_line(ed, seq, seq.last_content or seq.end)
    ed.insert_lines(after, new_lines)


def _last_scalar(nodes, doc, index: int, item: Node) -> Node:
    """The node whose end is the item's last content (for the block-scalar rule)."""
    best = item
    for key in UPDATE_KEY_ORDER:
        pos = doc.positions.get(("updates", index, key))
        node = nodes.get(("scalar",) + pos) if pos else None
        if node is not None and node.end == item.last_content:
            best = node
    return best


def update_incident(root: Path, loaded: LoadedPolicy, incident_id: str, status: str, message: str,
                    at: datetime) -> str:
    """Apply the update to the incident's file; return its path. Raises AuthoringError."""
    if status not in INCIDENT_STATUSES:
        raise AuthoringError(f"unknown status `{status}`; use one of {', '.join(INCIDENT_STATUSES)}")
    ref = find_incident_file(root, incident_id)
    if ref is None:
        raise AuthoringError(f"no incident with id `{incident_id}` under incidents/")
    path = Path(os.path.realpath(root / ref.path))  # a symlinked record is edited where it lives
    data = path.read_bytes()
    src, _ = read_record(data, ref.path)
    current = src.front_matter.data.get("status") if src is not None else None
    if current == "resolved" and status != "resolved":
        # The status may go back (monitoring -> investigating: a fix that did not hold), but
        # `resolved_at` is set exactly when the status is `resolved`, and it keeps its first value.
        raise AuthoringError(
            f"{incident_id} is `resolved`; reopening it would leave `resolved_at` set. If the problem came "
            f"back, declare a new incident (`incidents new ...`) and link the two; the file was not changed")
    new_data, expected = plan_update(data, ref.path, status, message, at)
    # The edit must change exactly what was asked, nothing else.
    check, _ = read_record(new_data, ref.path)
    if check is None or check.front_matter.data != expected or check.body != src.body:
        raise AuthoringError(
            "this file's layout defeats a safe in-place edit (the result would differ in more than the "
            "update); add the update by hand; the file was not changed")
    _, errors = check_incident_bytes(new_data, ref.path, loaded)
    if errors:
        raise AuthoringError(f"the update would leave {ref.path} invalid (line numbers as the file would read); "
                             "the file was not changed", errors)
    if path.read_bytes() != data:
        raise AuthoringError(f"{ref.path} changed while the update was being prepared; run the command again")
    atomic.replace(path, new_data)
    return ref.path


__all__ = ["plan_update", "timestamps_to_fill", "update_incident"]
