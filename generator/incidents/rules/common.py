"""Checks shared by the record rules: services lists, updates, ordering."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from incidents.findings import did_you_mean
from incidents.policy.policy_file import Policy
from incidents.policy.severities import read_names
from incidents.records.fields import Fields, dotted
from incidents.records.model import EscalationEntry, TimelineEntry, Update
from incidents.records.timestamps import iso_utc

UPDATE_KEYS = ("at", "status", "message", "translations")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
TIMELINE_KEYS = ("at", "event")
ESCALATION_KEYS = ("at", "to")
MESSAGE_MAX = 10_000


def field_lines(f: Fields) -> dict[str, int]:
    """Top-level key -> the line it was written on."""
    return {path[0]: pos[0] for path, pos in f.doc.key_positions.items() if len(path) == 1}


def read_services(f: Fields, policy: Policy, *, policy_usable: bool) -> list[str] | None:
    """The record's `services:`: known, unique service ids (None after any finding)."""
    items = f.sequence(("services",), required=True, non_empty=True)
    if items is None:
        return None
    known = policy.service_ids
    out: list[str] = []
    ok = True
    for i, item in enumerate(items):
        path = ("services", i)
        svc = f.as_text(path, item, max_len=64)
        if svc is None:
            ok = False
        elif svc in out:
            f.error(path, "duplicate-service", f"service `{svc}` is listed twice; list it once")
            ok = False
        elif svc not in known:
            ok = False
            if svc in policy.declared_service_ids or not known:
                # The catalogue itself has an error about it (or is missing, empty or unreadable,
                # which is an error in policy/): don't repeat it for every record.
                continue
            hint = did_you_mean(svc, known)
            f.error(
                path,
                "unknown-service",
                f"unknown service `{svc}`{hint}"
                + ("" if hint else f"; add it to policy/services.yml or use one of: {', '.join(known)}"),
            )
        else:
            out.append(svc)
    return out if ok else None


def check_severity(f: Fields, policy: Policy) -> str | None:
    value = f.text(("severity",), max_len=64)
    if value is None:
        return None
    if policy.severity(value) is not None:
        return value
    if value in policy.declared_severity_ids:
        return None  # defined, but the policy's definition has an error (reported there)
    known = policy.severity_ids
    if not known:
        return None  # no usable severities at all: policy/policy.yml has an error saying so
    hint = did_you_mean(value, known)
    f.error(
        ("severity",),
        "unknown-severity",
        f"unknown severity `{value}`{hint}" + ("" if hint else f"; the policy defines {', '.join(known) or 'none'}"),
    )
    return None


def read_updates(f: Fields, statuses: Iterable[str]) -> tuple[list[Update], bool]:
    """The valid entries of `updates:`, and whether every entry was valid."""
    statuses = tuple(statuses)
    items = f.sequence(("updates",), required=False)
    if items is None:
        return [], not f.has_value(("updates",))  # `updates:` left empty is no updates, not a bad list
    ok = True
    out: list[Update] = []
    for i, _ in enumerate(items):
        path = ("updates", i)
        if f.mapping(path) is None:
            ok = False
            continue
        f.unknown_keys(path, UPDATE_KEYS, what="update key")
        at = f.timestamp(path + ("at",))
        status = f.choice(path + ("status",), statuses, code="unknown-status", what="status")
        message = f.text(path + ("message",), max_len=MESSAGE_MAX)
        translations = read_translations(f, path + ("translations",))
        if at is None or status is None or message is None or translations is None:
            ok = False
            continue
        out.append(Update(at, status, message, f.doc.position(path)[0], translations))
    return out, ok


def read_translations(f: Fields, path: tuple) -> Mapping[str, str] | None:
    """An update's `translations: {LANG: text}` (language codes such as `de`, `pt_BR`); None after an error."""
    if not f.has_value(path):
        return MappingProxyType({})
    mapping = f.mapping(path)
    if mapping is None:
        return None
    out: dict[str, str] = {}
    ok = True
    for key in mapping:
        if not isinstance(key, str) or not LANGUAGE_CODE.match(key):
            f.error(
                path + (key,),
                "bad-language",
                f"`{key}` is not a language code; write one such as `de`, `fr` or `pt_BR`",
                at_key=True,
            )
            ok = False
            continue
        text = f.text(path + (key,), max_len=MESSAGE_MAX)
        if text is None:
            ok = False
            continue
        out[key] = text
    return MappingProxyType(out) if ok else None


def _read_dated_entries(
    f: Fields, key: str, keys: tuple[str, ...], text_key: str, max_len: int, what: str, make
) -> tuple[list, bool]:
    """The valid `{at, <text_key>}` entries of the list `key` (each built by `make(at, text, line)`), and
    whether every entry was valid."""
    items = f.sequence((key,), required=False)
    if items is None:
        return [], not f.has_value((key,))
    ok = True
    out: list = []
    for i, _ in enumerate(items):
        path = (key, i)
        if f.mapping(path) is None:
            ok = False
            continue
        f.unknown_keys(path, keys, what=what)
        at = f.timestamp(path + ("at",))
        text = f.text(path + (text_key,), max_len=max_len)
        if at is None or text is None:
            ok = False
            continue
        out.append(make(at, text, f.doc.position(path)[0]))
    return out, ok


def read_timeline(f: Fields) -> tuple[list[TimelineEntry], bool]:
    """The valid entries of `timeline:`, and whether every entry was valid."""
    return _read_dated_entries(f, "timeline", TIMELINE_KEYS, "event", MESSAGE_MAX, "timeline key", TimelineEntry)


def check_chronology(
    f: Fields,
    key: str,
    entries: list,
    start: datetime | None,
    end: datetime | None,
    start_name: str,
    end_name: str,
    what: str,
    order_code: str | None = None,
) -> bool:
    """Entries in order and inside [start, end]. Returns False after reporting a problem."""
    ok = True
    previous = None
    written = f.get((key,))
    count = len(written) if isinstance(written, list) else 0
    lines = [f.doc.position((key, j))[0] for j in range(count)]
    cursor = 0
    for entry in entries:
        # The entries are the valid items in written order: the next item on the entry's line is
        # its index (several flow items may share a line).
        i = next((j for j in range(cursor, count) if lines[j] == entry.line), cursor)
        cursor = i + 1
        path = (key, i, "at")
        if previous is not None and entry.at < previous.at:
            code = order_code or f"{key.rstrip('s') if key == 'updates' else key}-order"
            f.error(
                path,
                code,
                f"{what} {i + 1} ({iso_utc(entry.at)}) is earlier than {what} {i} ({iso_utc(previous.at)}); "
                f"list {'timeline entries' if key == 'timeline' else what + 's'} oldest first",
            )
            ok = False
        if start is not None and entry.at < start:
            f.error(
                path,
                "out-of-window",
                f"{what} {i + 1} ({iso_utc(entry.at)}) is before `{start_name}` ({iso_utc(start)})",
            )
            ok = False
        if end is not None and entry.at > end:
            f.error(
                path, "out-of-window", f"{what} {i + 1} ({iso_utc(entry.at)}) is after `{end_name}` ({iso_utc(end)})"
            )
            ok = False
        previous = entry
    return ok


def read_escalations(f: Fields) -> tuple[list[EscalationEntry], bool]:
    """The valid entries of `escalations:` ({at, to}; `to` a name or a list of names), and whether every
    entry was valid."""
    items = f.sequence(("escalations",), required=False)
    if items is None:
        return [], not f.has_value(("escalations",))
    ok = True
    out: list[EscalationEntry] = []
    for i, _ in enumerate(items):
        path = ("escalations", i)
        if f.mapping(path) is None:
            ok = False
            continue
        f.unknown_keys(path, ESCALATION_KEYS, what="escalation key")
        at = f.timestamp(path + ("at",))
        names = read_names(f, path + ("to",))
        if at is None or names is None:
            ok = False
            continue
        listed = isinstance(f.get(path + ("to",)), list)
        out.append(EscalationEntry(at, ", ".join(names), f.doc.position(path)[0], names if listed else ()))
    return out, ok


def check_update_placeholders(f: Fields, updates: list[Update], placeholders, patterns=()) -> None:
    """A placeholder (policy `postmortem.placeholders`, plain or `{pattern}`) in a public update's message
    would be published."""
    pattern = placeholder_pattern(placeholders, patterns)
    if pattern is None or not updates:
        return
    items = f.get(("updates",))
    for i, item in enumerate(items if isinstance(items, list) else ()):
        message = item.get("message") if isinstance(item, dict) else None
        if not isinstance(message, str):
            continue
        m = pattern.search(message)
        if m:
            f.error(
                ("updates", i, "message"),
                "update-placeholder",
                f"update {i + 1}'s message still holds the placeholder `{m.group(0)}`, which would be "
                "published on the status page; write what is known instead",
            )


def placeholder_pattern(placeholders: Iterable[str], patterns: Iterable[str] = ()) -> re.Pattern | None:
    """A regexp matching any placeholder case-sensitively as a whole word or bracketed token, or any of
    `patterns` (the policy's `{pattern: REGEX}` placeholders, searched as written).

    A placeholder that starts (ends) with a word character must not have a word
    character just before (after) it: `TBD` matches in `Owner: TBD.` but not in
    `TBDs`; `[INCIDENT-ID]` matches wherever it is written.
    """
    parts = []
    for p in sorted({p for p in placeholders if p}, key=len, reverse=True):
        left = r"(?<!\w)" if re.match(r"\w", p[0]) else ""
        right = r"(?!\w)" if re.match(r"\w", p[-1]) else ""
        parts.append(left + re.escape(p) + right)
    parts += [f"(?:{p})" for p in patterns if p]
    return re.compile("|".join(parts)) if parts else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_characters(text: str) -> list[str]:
    """The control characters in `text`, as `\\x0b`-style escapes (empty when there are none)."""
    return [f"\\x{ord(c):02x}" for c in dict.fromkeys(_CONTROL.findall(text))]


def check_title(f: Fields, title: str | None) -> None:
    if title is None:
        return
    if "\n" in title or "\r" in title:
        f.error(
            ("title",),
            "title-line-break",
            "the title holds a line break; a title is one line (in pages, feeds and email subjects): "
            "put the rest in an update or the body",
        )
        return
    found = control_characters(title)
    if found:
        f.warning(
            ("title",),
            "title-control-character",
            f"the title holds the control character{'s' if len(found) > 1 else ''} {', '.join(found)}, "
            "which no page can show; remove it",
        )


def check_last_status(f: Fields, updates: list[Update], status: str | None) -> bool:
    if not updates or status is None or updates[-1].status == status:
        return True
    last = len(updates) - 1
    f.error(
        ("updates", last, "status"),
        "last-update-status",
        f"the last update says `{updates[-1].status}` but the record's `status` is `{status}`; "
        f"they must agree (add an update with status `{status}`, or set `status: {updates[-1].status}`)",
    )
    return False


__all__ = [
    "check_chronology",
    "check_last_status",
    "placeholder_pattern",
    "check_severity",
    "check_title",
    "check_update_placeholders",
    "control_characters",
    "dotted",
    "field_lines",
    "read_escalations",
    "read_services",
    "read_timeline",
    "read_updates",
]
