"""A finding: one problem at one place in one file.

Every rule, and the reader itself, reports problems as findings; nothing a
user wrote ever raises. A finding is a small sortable value, like yamllint's
problems: path (relative to the root, `/`-separated), 1-based line and column,
level, a stable code and a message that says what to write instead.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    level: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": self.level,
            "code": self.code,
            "message": self.message,
        }

    def as_error(self) -> Finding:
        return self if self.level == ERROR else replace(self, level=ERROR)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in reading order: by path, then line, column, code, message."""
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.column, f.code, f.level, f.message))


def count_levels(findings: Iterable[Finding]) -> tuple[int, int]:
    errors = warnings = 0
    for f in findings:
        if f.level == ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """` did you mean `x`?` when a choice is close to `word`, else ``."""
    if not isinstance(word, str):
        return ""
    return _did_you_mean(word, tuple(choices))


@functools.lru_cache(maxsize=4096)
def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    # Cached: a repository with the same typo in 10,000 files asks 10,000 times.
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"; did you mean `{close[0]}`?" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """`a`, `b` or `c`."""
    quoted = [f"`{c}`" for c in choices]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
