"""Postmortems at `incidents check`: completeness (contract section 3), due times, action items.

Complete means: `published`; every required section present as a heading of any level
(case-insensitive) with text up to the next heading of the same or a higher level; no
placeholder anywhere (front matter or body, case-sensitive, as a whole word or bracketed
token); every action item with an owner, a due date and (when the policy lists priorities)
a priority. Missing or incomplete once due (`resolved_at + due_within <= as_of`) is an
error; before that, a warning. An `open` action item whose `due` is before the as-of date
(UTC) is an error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from incidents.findings import ERROR, WARNING, Finding
from incidents.policy.policy_file import Duration, Policy
from incidents.records.durations import deadline, format_duration
from incidents.records.model import Incident, Postmortem
from incidents.records.source import SourceFile, decode
from incidents.records.timestamps import iso_utc
from incidents.rules.common import placeholder_pattern

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


# -- postmortem completeness ------------------------------------------------


def _norm(title: str) -> str:
    return " ".join(title.split()).casefold()


def sections(body: str) -> list[tuple[int, int, str, str]]:
    """The ATX headings of a Markdown body outside fenced code: (offset line, level, title, text below).

    `text below` runs to the next heading of the same or a higher level.
    """
    lines = body.split("\n")
    heads: list[tuple[int, int, str]] = []
    fence = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not line.strip().strip(mark[0]):
                fence = None
            continue
        if fence is not None:
            continue
        m = _ATX.match(line)
        if m:
            heads.append((i, len(m.group(1)), (m.group(2) or "").strip()))
    out = []
    for n, (i, level, title) in enumerate(heads):
        end = len(lines)
        for j, lvl, _ in heads[n + 1 :]:
            if lvl <= level:
                end = j
                break
        out.append((i, level, title, "\n".join(lines[i + 1 : end])))
    return out


def _has_text(text: str) -> bool:
    return bool(_COMMENT.sub("", text).strip())


def front_matter_lines(data: bytes) -> list[tuple[int, str]] | None:
    """(line number, text) of each front-matter line of a record file, comments included; None if unusable."""
    text, problems = decode(data, "")
    if text is None:
        return None
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)  # blank lines may come first
    if first is None or lines[first].rstrip() != "---":
        return None
    out: list[tuple[int, str]] = []
    for n, line in enumerate(lines[first + 1 :], first + 2):
        if line.rstrip() == "---":
            return out
        out.append((n, line))
    return None


def _front_matter_strings(src: SourceFile | None, pm: Postmortem, raw: list[tuple[int, str]] | None):
    """(line, column offset, text) to search for placeholders in the front matter.

    Preferably the file's own lines (`raw`: comments included, exact columns);
    else the parsed front matter (`src`); else the record's values at the
    lines the record kept.
    """
    if raw is not None:
        for n, line in raw:
            yield n, 1, line
        return
    if src is not None:
        doc = src.front_matter
        stack = [((), doc.data)]
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict):
                for k, v in value.items():
                    kp = path + (k,)
                    if isinstance(k, str):
                        line, col = doc.key_positions.get(kp, doc.position(kp))
                        yield line, col, k
                    stack.append((kp, v))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    stack.append((path + (i,), v))
            elif isinstance(value, str):
                line, col = doc.position(path)
                yield line, col, value
        return
    of = pm.lines.of
    if pm.title:
        yield of("title"), 1, pm.title
    for a in pm.authors:
        yield of("authors"), 1, a
    for item in pm.action_items:
        for value in (item.title, item.owner, item.priority, item.link):
            if value:
                yield item.line, 1, value


def postmortem_problems(
    pm: Postmortem, policy: Policy, src: SourceFile | None = None, raw: list[tuple[int, str]] | None = None
) -> list[tuple]:
    """Why a postmortem is not complete: (code, line, column, message) in reading order; [] when complete."""
    out: list[tuple] = []
    if pm.status != "published":
        out.append(
            (
                "postmortem-unpublished",
                pm.lines.of("status"),
                1,
                f"its status is `{pm.status}`; complete it and set `status: published` with its `date`",
            )
        )
    pattern = placeholder_pattern(policy.placeholders)
    if pattern is not None:
        for line, col, text in _front_matter_strings(src, pm, raw):
            for m in pattern.finditer(text):
                out.append(
                    (
                        "postmortem-placeholder",
                        line,
                        col + (m.start() if src is None or raw else 0),
                        f"the placeholder `{m.group(0)}` is still in the front matter; replace it",
                    )
                )
                if raw is None:
                    break
        for n, text in enumerate(pm.body.split("\n")):
            for m in pattern.finditer(text):
                out.append(
                    (
                        "postmortem-placeholder",
                        pm.body_line + n,
                        m.start() + 1,
                        f"the placeholder `{m.group(0)}` is still in the text; replace it",
                    )
                )
    found = {}
    for offset, _level, title, text in sections(pm.body):
        key = _norm(title)  # a heading of any level: plans nest sections under a parent heading
        prev = found.get(key)
        if prev is None or (not prev[1] and _has_text(text)):
            found[key] = (offset, _has_text(text))
    for name in policy.required_sections:
        where = found.get(_norm(name))
        if where is None:
            out.append(
                (
                    "postmortem-section-missing",
                    pm.body_line,
                    1,
                    f"the required section `## {name}` is missing; add it with its text",
                )
            )
        elif not where[1]:
            out.append(
                (
                    "postmortem-section-empty",
                    pm.body_line + where[0],
                    1,
                    f"the section `## {name}` has no text; write it",
                )
            )
    for item in pm.action_items:
        wanted = (("owner", item.owner), ("due", item.due)) + (
            (("priority", item.priority),) if policy.priorities else ()
        )
        lacking = [name for name, value in wanted if value is None]
        if lacking:
            what = ", ".join(f"`{x}`" for x in lacking)
            needs = "an owner, a due date and a priority" if policy.priorities else "an owner and a due date"
            out.append(
                (
                    "action-item-incomplete",
                    item.line,
                    1,
                    f'the action item "{item.title}" has no {what}; every action item needs {needs}',
                )
            )
    out.sort(key=lambda p: (p[1], p[2]))
    return out


def is_complete(
    pm: Postmortem, policy: Policy, src: SourceFile | None = None, raw: list[tuple[int, str]] | None = None
) -> bool:
    """Complete in the sense of the contract's section 3 (see postmortem_problems)."""
    return not postmortem_problems(pm, policy, src, raw)


# -- the gates --------------------------------------------------------------


def ago(delta: timedelta) -> str:
    return format_duration(timedelta(seconds=round(delta.total_seconds())))


def raw_front_matter(repository, pm: Postmortem) -> list[tuple[int, str]] | None:
    root = getattr(repository, "root", None)
    if root is None:
        return None
    try:
        return front_matter_lines((root / pm.path).read_bytes())
    except OSError:
        return None


def postmortem_gates(
    inc: Incident,
    why: str,
    due_within: Duration | None,
    pm: Postmortem | None,
    policy: Policy,
    as_of: datetime,
    src: SourceFile | None,
    raw: list[tuple[int, str]] | None,
) -> list[Finding]:
    """A required postmortem (required by `why`: a severity or a tag): missing or incomplete."""
    out: list[Finding] = []
    due_at = deadline(inc.resolved_at, due_within) if inc.resolved_at is not None and due_within is not None else None
    is_due = due_at is not None and due_at <= as_of
    level = ERROR if is_due else WARNING
    if due_at is None:
        when = (
            "not due while the incident is open"
            if inc.resolved_at is None
            else f"never due: {why} sets no `due_within`"
        )
    elif is_due:
        late = as_of - due_at
        when = f"was due {iso_utc(due_at)}" + (f", {ago(late)} ago" if late >= timedelta(seconds=1) else "")
    else:
        when = f"due {iso_utc(due_at)}, in {ago(due_at - as_of)}"
    if pm is None:
        if inc.resolved_at is None:
            return out  # nothing to write yet
        out.append(
            Finding(
                inc.path,
                inc.lines.of("resolved_at"),
                1,
                level,
                "postmortem-missing",
                f"{inc.id}: {why} requires a postmortem ({when}) and none exists; "
                f"write one (`incidents postmortem {inc.id}`)",
            )
        )
        return out
    for code, line, col, message in postmortem_problems(pm, policy, src, raw):
        out.append(
            Finding(pm.path, line, col, level, code, f"{inc.id}: the postmortem ({when}) is not complete: {message}")
        )
    return out


def action_item_gates(inc_id: str, pm: Postmortem, as_of: datetime) -> list[Finding]:
    today = as_of.astimezone(UTC).date()
    out = []
    for item in pm.action_items:
        if item.status == "open" and item.due is not None and item.due < today:
            days = (today - item.due).days
            owner = f" (owner: {item.owner})" if item.owner else ""
            out.append(
                Finding(
                    pm.path,
                    item.line,
                    1,
                    ERROR,
                    "action-item-overdue",
                    f'{inc_id}: action item "{item.title}"{owner} was due {item.due.isoformat()} and is still '
                    f"open ({days} day{'s' if days != 1 else ''} late); finish it, set `status: done` or "
                    "`cancelled`, or move its `due`",
                )
            )
    return out
