"""The one reader of record and policy files.

bytes -> text (UTF-8, BOM, CRLF) -> front matter + body -> a `Document`
(values + a path -> (line, column) map, built by `yamlpos`) + the body.

Nothing here raises for anything a user wrote: every problem is a Finding.
Finding which files to read is `discovery`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incidents.findings import Finding

# Re-exported: the reader's vocabulary, as the rules and the authoring code import it from here.
from incidents.records.yamlpos import (  # noqa: F401
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
    _finding,
    _Loader,
    parse_yaml,
    resolve_plain,
)


@dataclass(slots=True)
class SourceFile:
    """A record file: its front matter, its Markdown body and where each starts."""

    path: str  # relative to the root, `/`-separated
    front_matter: Document
    body: str
    body_line: int  # 1-based line of the body's first line


def decode(data: bytes, rel: str) -> tuple[str | None, list[Finding]]:
    """UTF-8 (with or without a BOM) -> text with LF line ends, or a finding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # The column in characters, as editors count them (the line may hold valid multi-byte text).
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        return None, [
            _finding(
                rel,
                line,
                col,
                "encoding",
                f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} here); save it as UTF-8",
            )
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def read_record(data: bytes, rel: str) -> tuple[SourceFile | None, list[Finding]]:
    """A record file (`---` front matter `---` body) -> SourceFile, or findings."""
    text, findings = decode(data, rel)
    if text is None:
        return None, findings
    if not text.strip():
        return None, [
            _finding(
                rel,
                1,
                1,
                "empty-file",
                "the file is empty; a record starts with a `---` line, its YAML front matter, and `---`",
            )
        ]
    parts = _front_matter(text, rel)
    if isinstance(parts, Finding):
        return None, [parts]
    fm_text, body, body_line = parts
    open_line = 1  # a record starts with its `---` line (FORMAT section 2)
    doc, findings = parse_yaml(fm_text, rel, line_offset=open_line)
    if doc is None:
        return None, findings
    doc.line = open_line  # where a missing key is reported
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {_kind_name(doc.data)}"
        line, col = doc.positions.get((), (open_line + 1, 1)) if doc.data is not None else (open_line, 1)
        findings.append(
            _finding(
                rel,
                line,
                col,
                "front-matter-not-mapping",
                f"the front matter is {what}; it must be a mapping of `key: value` lines",
            )
        )
        return None, findings
    return SourceFile(rel, doc, body, body_line), findings


def _front_matter(text: str, rel: str) -> tuple[str, str, int] | Finding:
    """(front matter text, body, first line of the body) of a record's text, or the finding that says
    why it has none: no opening `---` line, or no closing one."""
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != "---":
        message = "a record must start with a `---` line followed by its YAML front matter and a closing `---`"
        return _finding(rel, 1, 1, "no-front-matter", message)
    # Find the closing `---` line without splitting the whole file.
    start = first_end + 1
    pos = start
    close_at = -1
    while pos <= len(text):
        nl = text.find("\n", pos)
        line_text = text[pos:] if nl < 0 else text[pos:nl]
        if line_text.rstrip() == "---":
            close_at = pos
            break
        if nl < 0:
            break
        pos = nl + 1
    if close_at < 0:
        message = "the front matter opened on line 1 is never closed; add a `---` line after it"
        return _finding(rel, 1, 1, "unclosed-front-matter", message)
    fm_text = text[start:close_at]
    nl = text.find("\n", close_at)
    body = "" if nl < 0 else text[nl + 1 :]
    return fm_text, body, fm_text.count("\n") + 3  # opening line, front matter lines, closing line


def read_yaml_file(data: bytes, rel: str) -> tuple[Document | None, list[Finding]]:
    """A plain YAML file (the policy) -> Document whose data is a mapping, or findings."""
    text, findings = decode(data, rel)
    if text is None:
        return None, findings
    doc, findings = parse_yaml(text, rel, line_offset=0)
    if doc is None:
        return None, findings
    doc.line = 1
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {_kind_name(doc.data)}"
        line, col = doc.positions.get((), (1, 1))
        findings.append(
            _finding(
                rel, line, col, "not-a-mapping", f"the file is {what}; it must be a YAML mapping of `key: value` lines"
            )
        )
        return None, findings
    return doc, findings


def _kind_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "single value"
