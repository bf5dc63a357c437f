"""YAML with positions: libyaml's event stream -> plain values + where each one was written.

YAML is parsed by libyaml (`yaml.CSafeLoader`) as an event stream, and the
values are built here, iteratively, so that every key and value keeps its
place in the file. Building from events (rather than `yaml.load`) is what lets
the reader:

* report tags (`!!python/object`, `!x`), anchors (`&a`) and aliases (`*a`) as
  findings at their line, without ever constructing or expanding anything: a
  billion-laughs file costs one pass over its text;
* report a key given twice at its second occurrence (loaders keep the last);
* stop at a nesting depth no record needs, before anything recursive runs;
* keep the text of plain scalars that YAML 1.1 would turn into booleans,
  numbers, nulls or timestamps, so the rules can say "quote it", take a number
  as the text written, and parse timestamps with their offsets.

Nothing here raises for anything a user wrote: every problem is a Finding.
The file-level reading (encoding, `---` front matter) is in `source`.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml import events as ev_mod

from incidents.findings import ERROR, Finding
from incidents.records.yaml_values import (  # noqa: F401 - the names readers of yamlpos use
    _BOOL_VALUES,
    _EXTRA_BREAKS,
    BOOL,
    FLOAT,
    INT,
    MAX_DEPTH,
    MERGE,
    NULL,
    STR,
    TIMESTAMP,
    Document,
    MarkMap,
    Path,
    Scalar,
    resolve_plain,
)

# libyaml is what makes reading 10,000 files fast; PyYAML wheels ship it.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Drop:
    """Marks a mapping entry whose key could not be used (not text, or a repeat)."""


_DROP = _Drop()


def _finding(path: str, line: int, col: int, code: str, message: str) -> Finding:
    return Finding(path, line, col, ERROR, code, message)


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Document | None, list[Finding]]:
    """Build a Document from YAML `text` whose first line is file line `line_offset + 1`.

    Returns (None, findings) when the text is not usable YAML at all.
    """
    builder = _Builder(text, rel, line_offset)
    try:
        return builder.run(text), builder.findings
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = builder.where(mark) if mark else (line_offset + 1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        builder.problem(line, col, "yaml-syntax", f"YAML syntax error: {problem}{context}")
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        char = exc.character
        shown = f"0x{char:X}" if isinstance(char, int) else repr(char)
        builder.problem(
            line + line_offset, col, "yaml-syntax", f"the character {shown} is not allowed in YAML; remove it"
        )
    except yaml.YAMLError as exc:  # any other libyaml complaint
        builder.problem(line_offset + 1, 1, "yaml-syntax", f"YAML error: {exc}")
    return None, builder.findings


_ScalarEvent = ev_mod.ScalarEvent
_MappingStartEvent = ev_mod.MappingStartEvent
_SequenceStartEvent = ev_mod.SequenceStartEvent
_AliasEvent = ev_mod.AliasEvent
_NODE_EVENTS = (_ScalarEvent, _MappingStartEvent, _SequenceStartEvent, _AliasEvent)
_END_EVENTS = (ev_mod.MappingEndEvent, ev_mod.SequenceEndEvent)
_DocumentStartEvent = ev_mod.DocumentStartEvent


class _Builder:
    """One pass over libyaml's events: plain values, the place of each, and the findings.

    The stack holds one frame per open collection: [container, path, pending_key, line, col], where
    pending_key is None while a mapping waits for a key, else the key (or _DROP) waiting for its value.
    """

    def __init__(self, text: str, rel: str, line_offset: int):
        self.rel = rel
        self.line_offset = line_offset
        self.findings: list[Finding] = []
        self.positions: dict = {}
        self.key_positions: dict = {}
        self.scalars: dict = {}
        self.root: Any = None
        self.have_root = False
        self.stack: list[list] = []
        self.key_marks: dict = {}  # id(frame) -> (line, col) of the pending key
        self.docs = 0
        self.remap = MarkMap(text) if any(ch in text for ch in _EXTRA_BREAKS) else None

    def problem(self, line: int, col: int, code: str, message: str) -> None:
        self.findings.append(_finding(self.rel, line, col, code, message))

    def where(self, mark) -> tuple[int, int]:
        """1-based file (line, column) of a libyaml mark."""
        line, col = self.remap(mark) if self.remap is not None else (mark.line, mark.column)
        return line + 1 + self.line_offset, col + 1

    def run(self, text: str) -> Document | None:
        """The Document, or None when the text must not be read further (too deep, two documents)."""
        for event in yaml.parse(text, Loader=_Loader):
            etype = type(event)
            if etype in _NODE_EVENTS:
                if not self.node(event, etype):
                    return None
            elif etype in _END_EVENTS:
                frame = self.stack.pop()
                self.key_marks.pop(id(frame), None)
                self.place(frame[0], frame[3], frame[4], None, False)
            elif etype is _DocumentStartEvent:
                self.docs += 1
                if self.docs > 1:
                    line, col = self.where(event.start_mark)
                    self.problem(line, col, "yaml-syntax", "a second YAML document starts here; a file holds one")
                    return None
        root = self.root if self.have_root else None
        return Document(root, self.positions, self.key_positions, self.scalars, max(self.line_offset, 1))

    def node(self, event, etype) -> bool:
        """A scalar, an alias or the start of a collection; False when nesting is too deep to go on."""
        mark = event.start_mark
        if self.remap is None:
            line, col = mark.line + 1 + self.line_offset, mark.column + 1
        else:
            line, col = self.where(mark)
        if etype is _AliasEvent:
            message = f"aliases (`*{event.anchor}`) are not allowed in records; write the value out"
            self.problem(line, col, "yaml-alias", message)
            self.place(None, line, col, None, True)
            return True
        if event.anchor is not None:
            self.problem(line, col, "yaml-anchor", f"anchors (`&{event.anchor}`) are not allowed in records; remove it")
        if event.tag is not None and not (etype is _ScalarEvent and event.tag == "!"):
            message = f"YAML tags (`{_written_tag(event.tag)}`) are not allowed in records; remove the tag"
            self.problem(line, col, "yaml-tag", message + (" and quote the value" if etype is _ScalarEvent else ""))
        if etype is _ScalarEvent:
            value, scalar = _scalar_value(event)
            self.place(value, line, col, scalar, True)
            return True
        if len(self.stack) >= MAX_DEPTH:
            message = f"this YAML nests more than {MAX_DEPTH} levels deep; records never need that"
            self.problem(line, col, "yaml-too-deep", message)
            return False
        container: Any = {} if etype is _MappingStartEvent else []
        self.stack.append([container, self.child_path(), None, line, col])
        return True

    def child_path(self) -> Path:
        """The path a collection starting now will have (before it is placed)."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame[0], list):
            return frame[1] + (len(frame[0]),)
        if frame[2] is None or frame[2] is _DROP:
            return frame[1] + ("<key>",)
        return frame[1] + (frame[2],)

    def place(self, value: Any, line: int, col: int, scalar: Scalar | None, is_scalar: bool) -> None:
        """Attach a finished value to its parent: the root, a list item, a mapping key or its value."""
        if not self.stack:
            self.root, self.have_root = value, True
            self.record((), line, col, scalar)
            return
        frame = self.stack[-1]
        container, cpath = frame[0], frame[1]
        if isinstance(container, list):
            p = cpath + (len(container),)
            container.append(value)
            self.positions[p] = (line, col)
            if scalar is not None:
                self.scalars[p] = scalar
        elif frame[2] is None:
            self.place_key(frame, value, line, col, scalar, is_scalar)
        else:
            key = frame[2]
            frame[2] = None
            if key is _DROP:
                return
            p = cpath + (key,)
            container[key] = value
            self.key_positions[p] = self.key_marks.pop(id(frame))
            self.positions[p] = (line, col)
            if scalar is not None:
                self.scalars[p] = scalar

    def record(self, p: Path, line: int, col: int, scalar: Scalar | None) -> None:
        self.positions[p] = (line, col)
        if scalar is not None:
            self.scalars[p] = scalar

    def place_key(self, frame: list, value: Any, line: int, col: int, scalar: Scalar | None, is_scalar: bool) -> None:
        """A mapping's next key: usable text, or _DROP (with a finding) so its value is skipped."""
        key = self.key_text(value, line, col, scalar, is_scalar)
        container, cpath = frame[0], frame[1]
        if key is not _DROP and (key in container or (cpath + (key,)) in self.key_positions):
            first = self.key_positions.get(cpath + (key,))
            where = f" (first given at line {first[0]})" if first else ""
            self.problem(line, col, "duplicate-key", f"the key `{key}` is given twice in this mapping{where}; keep one")
            key = _DROP
        frame[2] = key
        if key is not _DROP:
            self.key_marks[id(frame)] = (line, col)

    def key_text(self, value: Any, line: int, col: int, scalar: Scalar | None, is_scalar: bool) -> Any:
        """The key as text (a number or date as written), or _DROP for a collection or a merge key."""
        if not is_scalar:
            self.problem(line, col, "yaml-complex-key", "a mapping key must be plain text, not a list or mapping")
            return _DROP
        if scalar is None:
            return value
        if scalar.tag in (BOOL, NULL):
            message = f'the key `{scalar.text}` is read as a {scalar.kind}; quote it: `"{scalar.text}":`'
            self.problem(line, col, "unquoted-boolean", message)
        elif scalar.tag == MERGE:
            self.problem(line, col, "yaml-merge-key", "merge keys (`<<`) are not supported; write the keys out in full")
            return _DROP
        return scalar.text


def _scalar_value(event) -> tuple[Any, Scalar | None]:
    """A scalar event's value (plain YAML 1.1 booleans, nulls and numbers converted) and, for a plain
    scalar not read as text, what was written."""
    value = event.value
    if event.style or not event.implicit[0]:
        return value, None
    tag = resolve_plain(value)
    if tag == STR:
        return value, None
    if tag == BOOL:
        value = _BOOL_VALUES.get(value.lower(), value)
    elif tag == NULL:
        value = None
    elif tag == INT:
        value = _to_int(value)
    elif tag == FLOAT:
        value = _to_float(value)
    # timestamps, merge and value keys stay text
    return value, Scalar(event.value, tag)


def _written_tag(tag: str) -> str:
    """A tag as it was most likely written: `tag:yaml.org,2002:python/x` -> `!!python/x`."""
    if tag.startswith("tag:yaml.org,2002:"):
        return "!!" + tag[len("tag:yaml.org,2002:") :]
    return tag


def _to_int(text: str) -> Any:
    try:
        return yaml.constructor.SafeConstructor().construct_yaml_int(yaml.ScalarNode(INT, text))
    except Exception:  # noqa: BLE001 - an odd YAML 1.1 int form: keep the text
        return text


def _to_float(text: str) -> Any:
    try:
        return yaml.constructor.SafeConstructor().construct_yaml_float(yaml.ScalarNode(FLOAT, text))
    except Exception:  # noqa: BLE001
        return text


def _line_col(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col
