"""Typed reading of one YAML document, one field at a time.

`Fields` wraps a Document and a list of findings. Each getter returns the
field's value in the type the contract asks for, or None after appending a
finding that says what to write instead. Rules for incidents, postmortems,
maintenance and the policy are written with these getters, so every message
about a wrong type, a bare `yes`, a missing key or an unknown value reads the
same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incidents.findings import did_you_mean, one_of
from incidents.records.field_base import (  # noqa: F401 - the names rules import from here
    ID_PATTERN,
    MAX_DURATION,
    MISSING,
    URL_PATTERN,
    FieldBase,
    dotted,
    type_name,
)
from incidents.records.source import BOOL, NULL, Path
from incidents.records.time_fields import TimeFields


class Fields(TimeFields):
    """Every typed reader: text, ids and choices here, time in `TimeFields`, the rest in `FieldBase`."""

    def text(
        self, path: Path, *, required: bool = True, min_len: int = 1, max_len: int | None = None, hint: str = ""
    ) -> str | None:
        value = self.get(path)
        if self._absent(path, value, required, hint, null_is_text=True):
            return None
        return self.as_text(path, value, min_len=min_len, max_len=max_len)

    def as_text(self, path: Path, value: Any, *, min_len: int = 1, max_len: int | None = None) -> str | None:
        if isinstance(value, (dict, list)):
            self.error(path, "wrong-type", f"`{dotted(path)}` must be text, not {type_name(value)}")
            return None
        if not isinstance(value, str):
            scalar = self.doc.scalars.get(path)
            if scalar is not None and scalar.tag in (BOOL, NULL):
                self.error(
                    path,
                    "unquoted-boolean",
                    f'`{scalar.text}` is read by YAML as a {scalar.kind}, not text; quote it: `"{scalar.text}"`',
                )
                return None
            value = scalar.text if scalar is not None else str(value)
        if len(value.strip()) < min_len:
            self.error(path, "empty-value", f"`{dotted(path)}` is empty; write some text")
            return None
        if max_len is not None and len(value) > max_len:
            self.error(
                path,
                "text-too-long",
                f"`{dotted(path)}` is {len(value)} characters long; keep it to {max_len} or fewer",
            )
            return None
        return value

    def identifier(self, path: Path, *, required: bool = True, what: str = "id") -> str | None:
        value = self.text(path, required=required)
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.error(
                path,
                "invalid-id",
                f"{what} `{value}` must start with a letter or digit and use only letters, digits, "
                "`.`, `_` and `-` (at most 64 characters), e.g. "
                + ("`payments-api`" if "service" in what else "`INC-2026-0042`"),
            )
            return None
        return value

    def choice(self, path: Path, choices: Iterable[str], *, code: str, what: str, required: bool = True) -> str | None:
        choices = list(choices)
        value = self.text(path, required=required)
        if value is None:
            return None
        if value not in choices:
            self.error(
                path,
                code,
                f"unknown {what} `{value}`{did_you_mean(value, choices)}"
                + ("" if did_you_mean(value, choices) else f"; use {one_of(choices)}"),
            )
            return None
        return value

    def boolean(self, path: Path, *, required: bool = False) -> bool | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, bool):
            self.error(path, "wrong-type", f"`{dotted(path)}` must be `true` or `false`")
            return None
        return value

    def mapping(self, path: Path, *, required: bool = True) -> dict | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, dict):
            self.error(
                path, "wrong-type", f"`{dotted(path)}` must be a mapping of `key: value` lines, not {type_name(value)}"
            )
            return None
        return value

    def sequence(self, path: Path, *, required: bool = True, non_empty: bool = False) -> list | None:
        value = self.get(path)
        if self._absent(path, value, required):
            return None
        if not isinstance(value, list):
            self.error(
                path, "wrong-type", f"`{dotted(path)}` must be a list (`[a, b]` or `- a` lines), not {type_name(value)}"
            )
            return None
        if non_empty and not value:
            self.error(path, "empty-value", f"`{dotted(path)}` must list at least one item")
            return None
        return value

    def text_list(
        self, path: Path, *, required: bool = True, non_empty: bool = False, max_len: int | None = None
    ) -> list[str] | None:
        items = self.sequence(path, required=required, non_empty=non_empty)
        if items is None:
            return None
        out = []
        for i, item in enumerate(items):
            value = self.as_text(path + (i,), item, max_len=max_len)
            if value is not None:
                out.append(value)
        return out

    def unknown_keys(self, path: Path, known: Iterable[str], *, what: str = "key") -> None:
        mapping = self.get(path)
        if not isinstance(mapping, dict):
            return
        known = list(known)
        for key in mapping:
            if key not in known:
                hint = did_you_mean(key, known)
                if "visibility" in known and hint == "; did you mean `visibility`?":
                    # A typo must never publish a record: an error, not a warning (FORMAT.md section 8).
                    self.error(
                        path + (key,),
                        "misspelled-visibility",
                        f"`{key}` is not a key; did you mean `visibility`? (a misspelled visibility "
                        "would publish the record)",
                        at_key=True,
                    )
                    continue
                self.warning(
                    path + (key,),
                    "unknown-field",
                    f"unknown {what} `{key}`{hint}" + ("" if hint else "; it is ignored"),
                    at_key=True,
                )
