"""Byte-keeping edits of a record's front matter: where each YAML node is, and text edits on the lines.

The file is never re-dumped. The reader's map of positions says where values
are; libyaml's event marks (the same parser the reader uses) say where each
node ends. An edit is a handful of targeted text operations on the original
lines (their CRLF/LF endings and a BOM kept as they were).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from incidents.authoring import AuthoringError
from incidents.records.source import MarkMap, _Loader

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


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
                node = Node("scalar", start, end, style=getattr(event, "style", None) or None)
                out[("scalar",) + key] = node
                for parent in stack:
                    parent.last_content = end
                continue
            kind = "mapping" if name == "MappingStartEvent" else "sequence"
            node = Node(kind, start, start, flow=bool(getattr(event, "flow_style", False)))
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
        order = sorted(
            enumerate(self.edits),
            key=lambda ie: (ie[1].line, -1 if ie[1].col is None else ie[1].col, ie[0]),
            reverse=True,
        )
        for _, edit in order:
            if edit.col is None:
                nl = self.newline_near(edit.line)
                if edit.line > 0 and not lines[edit.line - 1].endswith(("\n", "\r")):
                    lines[edit.line - 1] += nl
                lines[edit.line : edit.line] = [text + nl for text in edit.lines]
            else:
                line = lines[edit.line]
                lines[edit.line] = line[: edit.col] + edit.text + line[edit.end :]
        out = "".join(lines).encode("utf-8")
        return (b"\xef\xbb\xbf" + out) if self.bom else out


def front_matter_bounds(lines: list[str]) -> tuple[int, int]:
    """0-based index of the first front matter line and of the closing `---` line."""
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return 1, i
    raise AuthoringError("the front matter is never closed by a `---` line")


def after_node_line(ed: Editor, node: Node, end: tuple[int, int]) -> int:
    """The 0-based line index just after the text that ends at `end` (a node's last content)."""
    line, col = end
    if col == 0 and line > node.start[0]:
        # A block scalar ends at the start of the next line, after any trailing blank lines;
        # keep the new text right after its last written line unless the scalar keeps them (`|+`).
        after = line
        header = ed.content(node.start[0])[node.start[1] : node.start[1] + 4] if node.style in ("|", ">") else ""
        if "+" not in header:
            while after - 1 > node.start[0] and not ed.content(after - 1).strip():
                after -= 1
        return after
    return line + 1
