"""The `postmortem:` block of `policy/policy.yml`: required sections, placeholders, tags, author.

Template text is not content: beside plain strings, `placeholders` accepts `{pattern: REGEX}` (a
plan's bracketed guidance, `\\[[^\\]]+\\](?!\\()`) and `required_sections` accepts
`{name: Timeline, aliases: ["Timeline of events"]}` (a plan's own heading words). A regex that does
not compile, or that matches empty text (it would flag every text), is an error at its line.
"""

from __future__ import annotations

import re

from incidents.policy.policy_fields import check_known_tag, check_role, read_duration
from incidents.records.business import WorkCalendar
from incidents.records.fields import Fields

POSTMORTEM_KEYS = ("required_sections", "placeholders", "required_for_tags", "due_within", "author_role")
PATTERN_KEYS = ("pattern",)
SECTION_KEYS = ("name", "aliases")


def read_postmortem_block(
    f: Fields, roles: tuple[str, ...], roles_known: bool, known_tags: tuple[str, ...], calendar: WorkCalendar | None
) -> dict:
    """The Policy fields the `postmortem:` block gives (none when it is absent)."""
    out: dict = {}
    if f.mapping(("postmortem",), required=False) is None:
        return out
    f.unknown_keys(("postmortem",), POSTMORTEM_KEYS, what="postmortem key")
    out.update(_read_sections(f))
    out.update(_read_placeholders(f))
    tags = []
    for i, tag in enumerate(f.text_list(("postmortem", "required_for_tags"), required=False) or []):
        check_known_tag(f, ("postmortem", "required_for_tags", i), tag, known_tags)
        tags.append(tag.casefold())
    out["postmortem_required_for_tags"] = tuple(dict.fromkeys(tags))
    out["postmortem_due_within"] = read_duration(f, ("postmortem", "due_within"), calendar)
    if tags and out["postmortem_due_within"] is None and not f.has_value(("postmortem", "due_within")):
        f.warning(
            ("postmortem", "required_for_tags"),
            "postmortem-never-due",
            "postmortems required by tag have no `postmortem.due_within` (unless their severity sets one), "
            "so they are never overdue; add e.g. `due_within: 5d` under `postmortem:`",
            at_key=True,
        )
    author = f.text(("postmortem", "author_role"), required=False)
    if author is not None and roles_known and check_role(f, ("postmortem", "author_role"), author, roles):
        out["postmortem_author_role"] = author
    return out


def _read_sections(f: Fields) -> dict:
    """`required_sections`: names, or `{name, aliases}` (other headings that count as the section)."""
    path = ("postmortem", "required_sections")
    names: list[str] = []
    aliases: dict[str, tuple[str, ...]] = {}
    for i, item in enumerate(f.sequence(path, required=False) or []):
        if isinstance(item, dict):
            f.unknown_keys(path + (i,), SECTION_KEYS, what="section key")
            name = f.text(path + (i, "name"), max_len=200)
            more = f.text_list(path + (i, "aliases"), required=False, max_len=200) or []
            if name is not None:
                names.append(name)
                aliases[name] = tuple(more)
        else:
            name = f.as_text(path + (i,), item, max_len=200)
            if name is not None:
                names.append(name)
    return {"required_sections": tuple(names), "section_aliases": aliases}


def _read_placeholders(f: Fields) -> dict:
    """`placeholders`: plain strings (whole words or bracketed tokens), or `{pattern: REGEX}`."""
    path = ("postmortem", "placeholders")
    plain: list[str] = []
    patterns: list[str] = []
    for i, item in enumerate(f.sequence(path, required=False) or []):
        if isinstance(item, dict):
            f.unknown_keys(path + (i,), PATTERN_KEYS, what="placeholder key")
            regex = f.text(path + (i, "pattern"), max_len=1000)
            if regex is not None and _compiles(f, path + (i, "pattern"), regex):
                patterns.append(regex)
        else:
            text = f.as_text(path + (i,), item, max_len=200)
            if text is not None:
                plain.append(text)
    return {"placeholders": tuple(plain), "placeholder_patterns": tuple(patterns)}


def _compiles(f: Fields, path: tuple, regex: str) -> bool:
    try:
        compiled = re.compile(regex)
        re.compile(f"(?:{regex})")  # as it is combined with the others: global flags cannot be
    except re.error as exc:
        f.error(
            path,
            "invalid-pattern",
            f"`{regex}` is not a regular expression here: {exc}; fix it (flags go inside a group: "
            "`(?i:tbd)`) or write it as a plain placeholder",
        )
        return False
    if compiled.search("") is not None:
        f.error(
            path,
            "invalid-pattern",
            f"`{regex}` matches empty text, so it would flag every text; make it match the template's words only",
        )
        return False
    return True
