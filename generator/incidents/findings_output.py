"""Findings as text, JSON or GitHub Actions workflow commands (contract section 7)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from incidents.findings import Finding, count_levels
from incidents.text import readable_path, terminal_text

FORMATS = ("text", "json", "github")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(findings: list[Finding], files: int) -> str:
    errors, warnings = count_levels(findings)
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"


def _one_line(text: str) -> str:
    """Text for the one-finding-a-line format: a line break a user wrote in a value shows as `\\n`."""
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text


def format_text(findings: list[Finding], files: int) -> str:
    # Record text never reaches the terminal raw: escape sequences are shown, not run.
    lines = [
        f"{terminal_text(_one_line(f.path))}:{f.line}:{f.column}: {f.level} {f.code} "
        f"{terminal_text(_one_line(f.message))}"
        for f in findings
    ]
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


def format_json(findings: list[Finding], files: int, extra: dict | None = None) -> str:
    errors, warnings = count_levels(findings)
    doc = {
        "findings": [_json_finding(f) for f in findings],
        "summary": {"files": files, "errors": errors, "warnings": warnings},
    }
    if extra:
        doc.update(extra)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _json_finding(f: Finding) -> dict:
    doc = f.as_dict()
    for key in ("path", "message"):
        if isinstance(doc.get(key), str):
            doc[key] = readable_path(doc[key])  # a non-UTF-8 file name must not break the JSON
    return doc


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Iterable[Finding]) -> str:
    out = []
    for f in findings:
        props = ",".join(
            (
                f"file={escape_property(terminal_text(f.path))}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={escape_property(f.code)}",
            )
        )
        out.append(f"::{f.level} {props}::{escape_data(terminal_text(f.message))}")
    return "\n".join(out) + ("\n" if out else "")
