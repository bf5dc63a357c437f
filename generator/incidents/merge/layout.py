"""Where things are in a record file, as line ranges: each top-level key's block, each list item.

Built on the one reader (`source.read_record`) for the values and on the
byte-preserving editor of `incidents update` (`authoring.editor`) for the
node positions, so a merge edits a file exactly as `update` does: whole
lines copied or inserted, every other byte kept (CRLF and a BOM included).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incidents.authoring.editor import Editor, Node, index_nodes
from incidents.authoring.editor import after_node_line as _after_node_line
from incidents.authoring.editor import front_matter_bounds as _front_matter_bounds
from incidents.records.source import SourceFile, decode, read_record


class LayoutError(Exception):
    """The file is not laid out as block-style front matter the merge can edit line by line."""


@dataclass
class Layout:
    """A record file split into lines, with its values and the line range of each key and item."""

    ed: Editor
    src: SourceFile
    fm_first: int  # 0-based index of the first front-matter line
    fm_close: int  # 0-based index of the closing `---` line
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> [start, end) lines
    order: list[str] = field(default_factory=list)  # top-level keys in file order
    nodes: dict = field(default_factory=dict)

    @property
    def data(self) -> dict:
        return self.src.front_matter.data

    @property
    def newline(self) -> str:
        return self.ed.newline_near(self.fm_close)

    def lines(self, start: int, end: int) -> list[str]:
        """The text of lines [start, end) without their line ends."""
        return [self.ed.content(i) for i in range(start, end)]

    def block(self, key: str) -> list[str]:
        start, end = self.blocks[key]
        return self.lines(start, end)

    def body_lines(self) -> list[str]:
        """The lines after the closing `---`, with their line ends."""
        return self.ed.lines[self.fm_close + 1 :]

    def value_node(self, path: tuple) -> Node | None:
        doc = self.src.front_matter
        pos = doc.positions.get(path)
        if pos is None:
            return None
        # A block mapping starts where its first key does: prefer the collection.
        for kind in ("mapping", "sequence", "scalar"):
            node = self.nodes.get((kind,) + pos)
            if node is not None:
                return node
        return None

    def items(self, key: str) -> list[tuple[int, int]] | None:
        """The [start, end) lines of each item of a block list of block mappings, or None."""
        seq = self.value_node((key,))
        values = self.data.get(key)
        if seq is None or seq.kind != "sequence" or seq.flow or not isinstance(values, list) or not values:
            return None
        starts = []
        for i in range(len(values)):
            node = self.value_node((key, i))
            if node is None or node.kind != "mapping" or node.flow:
                return None
            line, col = node.start
            if self.ed.content(line)[:col].strip() != "-":
                return None  # the dash is not on the item's first line
            starts.append((line, node))
        out = []
        for i, (line, node) in enumerate(starts):
            if i + 1 < len(starts):
                out.append((line, starts[i + 1][0]))
            else:
                out.append((line, _after_node_line(self.ed, node, node.last_content or node.end)))
        return out

    def dash_column(self, key: str) -> int | None:
        seq = self.value_node((key,))
        return seq.start[1] if seq is not None and seq.kind == "sequence" and not seq.flow else None


def read_layout(data: bytes, rel: str) -> Layout:
    """Raises LayoutError when the file cannot be read or edited line by line."""
    src, findings = read_record(data, rel)
    if src is None:
        reason = findings[0].message if findings else "not a record"
        raise LayoutError(f"{rel}: {reason}")
    ed = Editor(data)
    if not ed.lines or ed.lines[0].rstrip() != "---":
        raise LayoutError(f"{rel}: the file does not start with a `---` line")
    try:
        fm_first, fm_close = _front_matter_bounds(ed.lines)
    except Exception as exc:  # AuthoringError
        raise LayoutError(f"{rel}: {exc}") from None
    fm_text, _ = decode("".join(ed.lines[fm_first:fm_close]).encode("utf-8"), rel)
    if fm_text is None:
        raise LayoutError(f"{rel}: the front matter is not UTF-8")
    nodes = index_nodes(fm_text, fm_first)
    doc = src.front_matter
    root = nodes.get(("mapping",) + doc.positions[()]) if () in doc.positions else None
    if root is None or root.flow:
        raise LayoutError(f"{rel}: the front matter is not a block mapping of `key: value` lines")
    layout = Layout(ed, src, fm_first, fm_close, nodes=nodes)
    keys = sorted(doc.data, key=lambda k: doc.key_positions[(k,)])
    for key in keys:
        key_line = doc.key_positions[(key,)][0] - 1
        if doc.key_positions[(key,)][1] - 1 != root.start[1]:
            raise LayoutError(f"{rel}: the key `{key}` is not at the front matter's indentation")
        node = layout.value_node((key,))
        if node is None:
            end = key_line + 1
        else:
            if node.kind == "scalar" or node.flow:
                last = node.end
            else:
                last = node.last_content or node.end
            end = max(key_line + 1, _after_node_line(ed, node, last))
        layout.blocks[key] = (key_line, end)
        layout.order.append(key)
    for a, b in zip(layout.order, layout.order[1:]):
        if layout.blocks[a][1] > layout.blocks[b][0]:
            raise LayoutError(f"{rel}: the keys `{a}` and `{b}` share a line")
    return layout
