"""Rules for one postmortem file (contract section 3) -> a Postmortem record, or findings.

Whether the incident exists, whether it has two postmortems and whether its
severity requires action items are checked across files (rules.repository).
Completeness (sections, placeholders, owners) is a gate of `incidents check`.
"""

from __future__ import annotations

from incidents.findings import Finding, did_you_mean, one_of
from incidents.policy.policy_file import Policy
from incidents.records.fields import URL_PATTERN, Fields
from incidents.records.model import (
    ACTION_ITEM_STATUSES,
    POSTMORTEM_STATUSES,
    POSTMORTEM_VISIBILITIES,
    ActionItem,
    Lines,
    Postmortem,
)
from incidents.records.source import SourceFile
from incidents.rules.common import field_lines

POSTMORTEM_KEYS = ("type", "incident", "status", "authors", "date", "action_items", "title", "visibility")
ACTION_ITEM_KEYS = ("title", "owner", "due", "priority", "status", "link")


def read_postmortem(src: SourceFile, policy: Policy, findings: list[Finding]) -> Postmortem | None:
    f = Fields(src.front_matter, src.path, findings, policy.assume_timezone)
    errors_before = sum(1 for x in findings if x.level == "error")
    f.unknown_keys((), POSTMORTEM_KEYS, what="postmortem field")

    incident = f.identifier(("incident",), what="incident id")
    title = f.text(("title",), required=False, max_len=200)
    status = f.choice(("status",), POSTMORTEM_STATUSES, code="unknown-status", what="postmortem status")
    authors = f.text_list(("authors",), required=True, non_empty=True, max_len=100)
    published_on = f.date(
        ("date",), required=status == "published", hint=" once the postmortem is `published`: the date it was published"
    )
    visibility = (
        f.choice(
            ("visibility",), POSTMORTEM_VISIBILITIES, code="invalid-value", what="postmortem visibility", required=False
        )
        or "internal"
    )
    items = _read_action_items(f, policy)

    if sum(1 for x in findings if x.level == "error") != errors_before:
        return None
    if incident is None or status is None or authors is None:
        return None  # each has reported its error above
    return Postmortem(
        incident=incident,
        status=status,
        authors=tuple(authors),
        date=published_on,
        action_items=tuple(items or ()),
        title=title,
        visibility=visibility,
        body=src.body,
        body_line=src.body_line,
        lines=Lines(src.path, src.front_matter.line, field_lines(f)),
    )


def _read_action_items(f: Fields, policy: Policy) -> list[ActionItem] | None:
    entries = f.sequence(("action_items",), required=False)
    if entries is None:
        return None if f.present(("action_items",)) else []
    out: list[ActionItem] = []
    ok = True
    for i, _ in enumerate(entries):
        path = ("action_items", i)
        if f.mapping(path) is None:
            ok = False
            continue
        f.unknown_keys(path, ACTION_ITEM_KEYS, what="action item key")
        title = f.text(path + ("title",), max_len=500)
        owner = f.text(path + ("owner",), required=False, max_len=100)
        due = f.date(path + ("due",), required=False)
        priority = _priority(f, path + ("priority",), policy)
        status = f.choice(
            path + ("status",), ACTION_ITEM_STATUSES, code="unknown-status", what="action item status", required=False
        )
        link = f.text(path + ("link",), required=False, max_len=2000)
        if link is not None and not URL_PATTERN.match(link):
            f.error(
                path + ("link",),
                "invalid-url",
                f"`{link}` is not a link; write a full URL such as `https://tracker.example.com/OPS-123`",
            )
            link = None
            ok = False
        if title is None or (f.present(path + ("status",)) and status is None):
            ok = False
            continue
        out.append(ActionItem(title, owner, due, priority, status or "open", link, f.doc.position(path)[0]))
    return out if ok else None


def _priority(f: Fields, path: tuple, policy: Policy) -> str | None:
    value = f.text(path, required=False, max_len=64)
    if value is None or not policy.priorities or value in policy.priorities:
        return value
    hint = did_you_mean(value, policy.priorities)
    f.error(
        path,
        "unknown-priority",
        f"unknown priority `{value}`{hint}" + ("" if hint else f"; use {one_of(policy.priorities)}"),
    )
    return None
