"""The time-dependent gates of `incidents check` (contract sections 3 and 7).

`check_gates(repository, as_of)` looks at the valid records of a repository at
the instant `as_of` (an argument: nothing here reads the clock) and returns
findings, each naming the incident id and pointing at the file and line
concerned:

* postmortems - a severity whose policy requires one: missing or incomplete
  once `resolved_at + due_within <= as_of` is an error; before that, a warning.
  Complete means: `published`; every required section present as a level-2
  heading (case-insensitive) with text; no placeholder anywhere (front matter
  or body, case-sensitive, as a whole word or bracketed token); every action
  item with an owner, a due date and a priority;
* action items - `open` with a `due` date before the as-of date (UTC): error;
* update cadence - public incidents: open and its last update (or
  `detected_at`) more than `update_every` before as-of: error; first update
  more than `first_update_within` after `detected_at`: error while open,
  warning once resolved; two consecutive updates more than `update_every`
  apart: warning (a past miss).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

from .durations import format_duration
from .findings import ERROR, WARNING, Finding
from .policy import Policy, Severity, process_rules_apply
from .records import Incident, Postmortem
from .rules.common import placeholder_pattern
from .source import SourceFile, decode
from .timestamps import iso_utc

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
        for j, lvl, _ in heads[n + 1:]:
            if lvl <= level:
                end = j
                break
        out.append((i, level, title, "\n".join(lines[i + 1:end])))
    return out


def _has_text(text: str) -> bool:
    return bool(_COMMENT.sub("", text).strip())


def front_matter_lines(data: bytes) -> list[tuple[int, str]] | None:
    """(line number, text) of each front-matter line of a record file, comments included; None if unusable."""
    text, problems = decode(data, "")
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    out = []
    for n, line in enumerate(lines[1:], 2):
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


def postmortem_problems(pm: Postmortem, policy: Policy, src: SourceFile | None = None,
                        raw: list[tuple[int, str]] | None = None) -> list[tuple]:
    """Why a postmortem is not complete: (code, line, column, message) in reading order; [] when complete."""
    out: list[tuple] = []
    if pm.status != "published":
        out.append(("postmortem-unpublished", pm.lines.of("status"), 1,
                    f"its status is `{pm.status}`; complete it and set `status: published` with its `date`"))
    pattern = placeholder_pattern(policy.placeholders)
    if pattern is not None:
        for line, col, text in _front_matter_strings(src, pm, raw):
            for m in pattern.finditer(text):
                out.append(("postmortem-placeholder", line, col + (m.start() if src is None or raw else 0),
                            f"the placeholder `{m.group(0)}` is still in the front matter; replace it"))
                if raw is None:
                    break
        for n, text in enumerate(pm.body.split("\n")):
            for m in pattern.finditer(text):
                out.append(("postmortem-placeholder", pm.body_line + n, m.start() + 1,
                            f"the placeholder `{m.group(0)}` is still in the text; replace it"))
    found = {}
    for offset, level, title, text in sections(pm.body):
        if level == 2:
            key = _norm(title)
            prev = found.get(key)
            if prev is None or (not prev[1] and _has_text(text)):
                found[key] = (offset, _has_text(text))
    for name in policy.required_sections:
        where = found.get(_norm(name))
        if where is None:
            out.append(("postmortem-section-missing", pm.body_line, 1,
                        f"the required section `## {name}` is missing; add it with its text"))
        elif not where[1]:
            out.append(("postmortem-section-empty", pm.body_line + where[0], 1,
                        f"the section `## {name}` has no text; write it"))
    for item in pm.action_items:
        lacking = [name for name, value in (("owner", item.owner), ("due", item.due), ("priority", item.priority))
                   if value is None]
        if lacking:
            what = ", ".join(f"`{x}`" for x in lacking)
            out.append(("action-item-incomplete", item.line, 1,
                        f"the action item \"{item.title}\" has no {what}; every action item needs an owner, "
                        "a due date and a priority"))
    out.sort(key=lambda p: (p[1], p[2]))
    return out


def is_complete(pm: Postmortem, policy: Policy, src: SourceFile | None = None,
                raw: list[tuple[int, str]] | None = None) -> bool:
    """Complete in the sense of the contract's section 3 (see postmortem_problems)."""
    return not postmortem_problems(pm, policy, src, raw)


# -- the gates --------------------------------------------------------------


def _ago(delta: timedelta) -> str:
    return format_duration(timedelta(seconds=round(delta.total_seconds())))


def _raw_front_matter(repository, pm: Postmortem) -> list[tuple[int, str]] | None:
    root = getattr(repository, "root", None)
    if root is None:
        return None
    try:
        return front_matter_lines((root / pm.path).read_bytes())
    except OSError:
        return None


def _postmortem_gates(inc: Incident, sev: Severity, pm: Postmortem | None, policy: Policy, as_of: datetime,
                      src: SourceFile | None, raw: list[tuple[int, str]] | None) -> list[Finding]:
    out: list[Finding] = []
    due_at = inc.resolved_at + sev.postmortem_due_within \
        if inc.resolved_at is not None and sev.postmortem_due_within is not None else None
    is_due = due_at is not None and due_at <= as_of
    level = ERROR if is_due else WARNING
    if due_at is None:
        when = "not due while the incident is open" if inc.resolved_at is None \
            else f"never due: severity `{sev.id}` sets no `due_within`"
    elif is_due:
        late = as_of - due_at
        when = f"was due {iso_utc(due_at)}" + (f", {_ago(late)} ago" if late >= timedelta(seconds=1) else "")
    else:
        when = f"due {iso_utc(due_at)}, in {_ago(due_at - as_of)}"
    if pm is None:
        if inc.resolved_at is None:
            return out  # nothing to write yet
        out.append(Finding(
            inc.path, inc.lines.of("resolved_at"), 1, level, "postmortem-missing",
            f"{inc.id}: severity `{sev.id}` requires a postmortem ({when}) and none exists; "
            f"write one (`incidents postmortem {inc.id}`)"))
        return out
    for code, line, col, message in postmortem_problems(pm, policy, src, raw):
        out.append(Finding(pm.path, line, col, level, code,
                           f"{inc.id}: the postmortem ({when}) is not complete: {message}"))
    return out


def _action_item_gates(inc_id: str, pm: Postmortem, as_of: datetime) -> list[Finding]:
    today = as_of.astimezone(timezone.utc).date()
    out = []
    for item in pm.action_items:
        if item.status == "open" and item.due is not None and item.due < today:
            days = (today - item.due).days
            owner = f" (owner: {item.owner})" if item.owner else ""
            out.append(Finding(
                pm.path, item.line, 1, ERROR, "action-item-overdue",
                f"{inc_id}: action item \"{item.title}\"{owner} was due {item.due.isoformat()} and is still "
                f"open ({days} day{'s' if days != 1 else ''} late); finish it, set `status: done` or "
                "`cancelled`, or move its `due`"))
    return out


def _cadence_gates(inc: Incident, sev: Severity, as_of: datetime) -> list[Finding]:
    out: list[Finding] = []
    if not inc.is_public:
        return out
    updates = inc.updates
    every, first_within = sev.update_every, sev.first_update_within
    if first_within is not None:
        if updates:
            first = updates[0]
            late = first.at - inc.detected_at
            if late > first_within:
                level = ERROR if inc.is_open else WARNING
                out.append(Finding(
                    inc.path, first.line or inc.lines.of("updates"), 1, level, "first-update-late",
                    f"{inc.id}: the first public update came {_ago(late)} after detection "
                    f"({iso_utc(first.at)}); severity `{sev.id}` asks for one within "
                    f"{format_duration(first_within)}"))
        elif inc.is_open and as_of - inc.detected_at > first_within:
            out.append(Finding(
                inc.path, inc.lines.of("detected_at"), 1, ERROR, "first-update-late",
                f"{inc.id}: no public update {_ago(as_of - inc.detected_at)} after detection; severity "
                f"`{sev.id}` asks for one within {format_duration(first_within)}"))
    if every is None:
        return out
    for prev, cur in zip(updates, updates[1:]):
        gap = cur.at - prev.at
        if gap > every:
            out.append(Finding(
                inc.path, cur.line or inc.lines.of("updates"), 1, WARNING, "update-gap",
                f"{inc.id}: {_ago(gap)} passed between public updates ({iso_utc(prev.at)} -> "
                f"{iso_utc(cur.at)}); severity `{sev.id}` asks for one every {format_duration(every)}"))
    if inc.is_open:
        last_at = updates[-1].at if updates else inc.detected_at
        age = as_of - last_at
        if age > every:
            line = updates[-1].line if updates and updates[-1].line else inc.lines.of(
                "updates" if updates else "detected_at")
            what = "last public update" if updates else "detection (no public update yet)"
            out.append(Finding(
                inc.path, line, 1, ERROR, "update-overdue",
                f"{inc.id} is `{inc.status}` and its {what} was {_ago(age)} ago ({iso_utc(last_at)}); "
                f"severity `{sev.id}` asks for a public update every {format_duration(every)}: post one "
                f"(`incidents update {inc.id} ...`)"))
    return out


def check_gates(repository, as_of: datetime, sources: Mapping[str, SourceFile] | None = None) -> list[Finding]:
    """Every gate finding for `repository` (a validate.Repository) at `as_of` (an aware datetime).

    Placeholders in a required postmortem's front matter are looked for in the
    file's own lines (comments included), read again from `repository.root`;
    when that fails, in `sources` (path -> SourceFile, from
    validate_root(keep_sources=True)) if given, else in the record's values.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime (with a UTC offset)")
    policy: Policy = repository.policy
    findings: list[Finding] = []
    postmortems = {pm.incident: pm for pm in repository.postmortems}
    for inc in repository.incidents:
        sev = policy.severity(inc.severity)
        pm = postmortems.get(inc.id)
        if sev is not None and process_rules_apply(inc, policy):
            findings.extend(_cadence_gates(inc, sev, as_of))
            if sev.postmortem_required and (pm is not None or inc.postmortem_url is None):
                src = sources.get(pm.path) if pm is not None and sources else None
                raw = _raw_front_matter(repository, pm) if pm is not None and policy.placeholders else None
                findings.extend(_postmortem_gates(inc, sev, pm, policy, as_of, src, raw))
        if pm is not None:
            findings.extend(_action_item_gates(inc.id, pm, as_of))
    return findings
