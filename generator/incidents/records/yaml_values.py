"""The values `yamlpos` builds: plain scalars YAML 1.1 would not read as text, a Document with the place of
every value, and libyaml's marks mapped back to LF-separated lines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

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
