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

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev_mod

from incidents.findings import ERROR, Finding

try:  # libyaml is what makes reading 10,000 files fast; PyYAML wheels ship it.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - only without libyaml
    _Loader = yaml.SafeLoader

# A record is at most a few levels deep (updates -> item -> message). Anything
# much deeper is hostile or broken; refusing it early keeps libyaml and this
# module far from any recursion limit.
MAX_DEPTH = 32

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"

_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}

Path = tuple  # of str (mapping keys) and int (sequence indexes)


# libyaml (YAML 1.1) also breaks lines at NEL, LS and PS; files, editors and
# GitHub break at LF only (CR and CRLF were turned into LF by `decode`).
_YAML_BREAKS = re.compile("[\n\x85\u2028\u2029]")
_EXTRA_BREAKS = ("\x85", "\u2028", "\u2029")


class MarkMap:
    """libyaml's (line, column) -> (line, column) in LF-separated lines, both 0-based.

    Needed only for text holding NEL, LS or PS; elsewhere the two agree.
    """

    def __init__(self, text: str):
        self.yaml_starts = [0] + [m.end() for m in _YAML_BREAKS.finditer(text)]
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, mark) -> tuple[int, int]:
        offset = self.yaml_starts[min(mark.line, len(self.yaml_starts) - 1)] + mark.column
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line, offset - self.line_starts[line]


def resolve_plain(text: str) -> str:
    """The YAML 1.1 tag libyaml's SafeLoader gives a plain scalar."""
    for tag, regexp in _RESOLVERS.get(text[:1] if text else "", ()):
        if regexp.match(text):
            return tag
    return STR


@dataclass(frozen=True, slots=True)
class Scalar:
    """What was written for a plain scalar that YAML does not read as text."""

    text: str
    tag: str

    @property
    def kind(self) -> str:
        """How YAML reads it, in words: boolean, null, number, timestamp..."""
        name = self.tag.rsplit(":", 1)[-1]
        return {"bool": "boolean", "int": "number", "float": "number", "timestamp": "date"}.get(name, name)


@dataclass(slots=True)
class Document:
    """Parsed YAML with positions.

    `data` holds plain values: dicts, lists, str, and bool/int/float/None for
    plain scalars YAML 1.1 reads that way; timestamps stay text (the rules
    parse them with their offsets). `positions[path]` is the 1-based
    (line, column) of the value at `path`, `key_positions[path]` that of its
    key; `scalars[path]` is the written text and tag of every plain scalar
    that is not read as text. `line` is the line of the opening `---` (or 1).
    """

    data: Any
    positions: dict = field(default_factory=dict)
    key_positions: dict = field(default_factory=dict)
    scalars: dict = field(default_factory=dict)
    line: int = 1

    def position(self, path: Path) -> tuple[int, int]:
        """Where to report a problem with `path`: its value, else its key,
        else the nearest enclosing value that exists, else the opening line."""
        while True:
            pos = self.positions.get(path) or self.key_positions.get(path)
            if pos is not None:
                return pos
            if not path:
                return (self.line, 1)
            path = path[:-1]

    def key_position(self, path: Path) -> tuple[int, int]:
        return self.key_positions.get(path) or self.position(path)


class _Drop:
    """Marks a mapping entry whose key could not be used (not text, or a repeat)."""


_DROP = _Drop()


def _finding(path: str, line: int, col: int, code: str, message: str) -> Finding:
    return Finding(path, line, col, ERROR, code, message)


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Document | None, list[Finding]]:
    """Build a Document from YAML `text` whose first line is file line `line_offset + 1`.

    Returns (None, findings) when the text is not usable YAML at all.
    """
    findings: list[Finding] = []
    positions: dict = {}
    key_positions: dict = {}
    scalars: dict = {}
    root: Any = None
    have_root = False
    # Each frame: [container, path, pending_key] where pending_key is None while
    # a mapping waits for a key, else the key (or _DROP) waiting for its value.
    stack: list[list] = []
    key_marks: dict = {}  # id(frame) -> (line, col) of the pending key

    ScalarEvent = ev_mod.ScalarEvent
    MappingStartEvent = ev_mod.MappingStartEvent
    SequenceStartEvent = ev_mod.SequenceStartEvent
    CollectionEndEvent = ev_mod.CollectionEndEvent
    AliasEvent = ev_mod.AliasEvent
    DocumentStartEvent = ev_mod.DocumentStartEvent
    docs = 0

    def place(value: Any, line: int, col: int, scalar: Scalar | None, is_scalar: bool) -> Path | None:
        """Attach a finished value to its parent; return its path (None if dropped)."""
        nonlocal root, have_root
        if not stack:
            root, have_root = value, True
            positions[()] = (line, col)
            if scalar is not None:
                scalars[()] = scalar
            return ()
        frame = stack[-1]
        container, cpath = frame[0], frame[1]
        if isinstance(container, list):
            p = cpath + (len(container),)
            container.append(value)
            positions[p] = (line, col)
            if scalar is not None:
                scalars[p] = scalar
            return p
        # mapping
        if frame[2] is None:  # this value is a key
            if not is_scalar:
                findings.append(
                    _finding(
                        rel, line, col, "yaml-complex-key", "a mapping key must be plain text, not a list or mapping"
                    )
                )
                frame[2] = _DROP
                return None
            key = value
            if scalar is not None:
                if scalar.tag in (BOOL, NULL):
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "unquoted-boolean",
                            f'the key `{scalar.text}` is read as a {scalar.kind}; quote it: `"{scalar.text}":`',
                        )
                    )
                    key = scalar.text
                elif scalar.tag == MERGE:
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "yaml-merge-key",
                            "merge keys (`<<`) are not supported; write the keys out in full",
                        )
                    )
                    frame[2] = _DROP
                    return None
                else:
                    key = scalar.text  # a number (or date) as a key is the text written
            if key in container or (cpath + (key,)) in key_positions:
                first = key_positions.get(cpath + (key,))
                where = f" (first given at line {first[0]})" if first else ""
                findings.append(
                    _finding(
                        rel,
                        line,
                        col,
                        "duplicate-key",
                        f"the key `{key}` is given twice in this mapping{where}; keep one",
                    )
                )
                frame[2] = _DROP
                return None
            frame[2] = key
            key_marks[id(frame)] = (line, col)
            return None
        key = frame[2]
        frame[2] = None
        if key is _DROP:
            return None
        p = cpath + (key,)
        container[key] = value
        key_positions[p] = key_marks.pop(id(frame))
        positions[p] = (line, col)
        if scalar is not None:
            scalars[p] = scalar
        return p

    def child_path() -> Path:
        """The path a collection starting now will have (before it is placed)."""
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame[0], list):
            return frame[1] + (len(frame[0]),)
        if frame[2] is None or frame[2] is _DROP:
            return frame[1] + ("<key>",)
        return frame[1] + (frame[2],)

    remap = MarkMap(text) if any(ch in text for ch in _EXTRA_BREAKS) else None

    def where(mark) -> tuple[int, int]:
        """1-based file (line, column) of a libyaml mark."""
        line, col = remap(mark) if remap is not None else (mark.line, mark.column)
        return line + 1 + line_offset, col + 1

    try:
        for event in yaml.parse(text, Loader=_Loader):
            etype = type(event)
            if etype is ScalarEvent or etype is MappingStartEvent or etype is SequenceStartEvent or etype is AliasEvent:
                mark = event.start_mark
                if remap is None:
                    line, col = mark.line + 1 + line_offset, mark.column + 1
                else:
                    line, col = where(mark)
                if etype is AliasEvent:
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "yaml-alias",
                            f"aliases (`*{event.anchor}`) are not allowed in records; write the value out",
                        )
                    )
                    place(None, line, col, None, True)
                    continue
                if event.anchor is not None:
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "yaml-anchor",
                            f"anchors (`&{event.anchor}`) are not allowed in records; remove it",
                        )
                    )
                if event.tag is not None and not (etype is ScalarEvent and event.tag == "!"):
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "yaml-tag",
                            f"YAML tags (`{_written_tag(event.tag)}`) are not allowed in records; remove the tag"
                            + (" and quote the value" if etype is ScalarEvent else ""),
                        )
                    )
                if etype is ScalarEvent:
                    value = event.value
                    scalar = None
                    if not event.style and event.implicit[0]:
                        tag = resolve_plain(value)
                        if tag != STR:
                            scalar = Scalar(value, tag)
                            if tag == BOOL:
                                value = _BOOL_VALUES.get(value.lower(), value)
                            elif tag == NULL:
                                value = None
                            elif tag == INT:
                                value = _to_int(value)
                            elif tag == FLOAT:
                                value = _to_float(value)
                            # timestamps, merge and value keys stay text
                    place(value, line, col, scalar, True)
                    continue
                if len(stack) >= MAX_DEPTH:
                    findings.append(
                        _finding(
                            rel,
                            line,
                            col,
                            "yaml-too-deep",
                            f"this YAML nests more than {MAX_DEPTH} levels deep; records never need that",
                        )
                    )
                    return None, findings
                container: Any = {} if etype is MappingStartEvent else []
                stack.append([container, child_path(), None, line, col])
                continue
            if isinstance(event, CollectionEndEvent):
                frame = stack.pop()
                key_marks.pop(id(frame), None)
                place(frame[0], frame[3], frame[4], None, False)
                continue
            if etype is DocumentStartEvent:
                docs += 1
                if docs > 1:
                    findings.append(
                        _finding(
                            rel,
                            *where(event.start_mark),
                            "yaml-syntax",
                            "a second YAML document starts here; a file holds one",
                        )
                    )
                    return None, findings
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = where(mark) if mark else (line_offset + 1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        findings.append(_finding(rel, line, col, "yaml-syntax", f"YAML syntax error: {problem}{context}"))
        return None, findings
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        char = exc.character
        shown = f"0x{char:X}" if isinstance(char, int) else repr(char)
        findings.append(
            _finding(
                rel, line + line_offset, col, "yaml-syntax", f"the character {shown} is not allowed in YAML; remove it"
            )
        )
        return None, findings
    except yaml.YAMLError as exc:  # any other libyaml complaint
        findings.append(_finding(rel, line_offset + 1, 1, "yaml-syntax", f"YAML error: {exc}"))
        return None, findings

    return Document(root if have_root else None, positions, key_positions, scalars, max(line_offset, 1)), findings


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
