"""The rule for `updates`, `timeline` and `escalations`: the union of both sides' entries in time order.

THEIRS' new entries are copied line for line into OURS' list, before the first of OURS' entries that
is later (so OURS' own lines never move); an entry both sides hold is kept once. An entry is known by
its `at`: when THEIRS rewrote an entry OURS left as it was, THEIRS' wording replaces it; when both
sides wrote the entry at the same `at` differently (both reworded the same update, or each added a
different one at that instant) it is a conflict, never two entries with one `at`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incidents.merge.state import MISSING, MergeState, instant

LISTS = ("updates", "timeline", "escalations")


def _reindent(lines: list[str], delta: int) -> list[str] | None:
    if delta >= 0:
        return [(" " * delta + line) if line.strip() else line for line in lines]
    cut = -delta
    out = []
    for line in lines:
        if line.strip() and line[:cut].strip():
            return None
        out.append(line[cut:] if line.strip() else line)
    return out


def _trim_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


@dataclass
class _Plan:
    """Where THEIRS' new entries go in OURS: inserted before OURS' entry j, or replacing it."""

    inserts: dict[int, list[tuple[object, list[str]]]] = field(default_factory=dict)
    replaces: dict[int, tuple[object, list[str]]] = field(default_factory=dict)


def merge_list(m: MergeState, key: str) -> None:
    b, o, t = m.values(key)
    if t in (o, b):
        if isinstance(o, list):
            m.merged_lists[key] = list(o)
        return
    if o == b or o is MISSING or o is None or o == []:
        m.take_theirs(key)
        if isinstance(t, list):
            m.merged_lists[key] = list(t)
            m.contributed.add(key)
        return
    if not isinstance(t, list) or not isinstance(o, list):
        m.conflict(key, "both sides changed it and one is not a list")
        return
    base = b if isinstance(b, list) else []
    new = []
    for item in t:
        if item not in o and item not in new and item not in base:
            new.append(item)
    if not new:
        m.merged_lists[key] = list(o)
        return
    plan = _place(m, key, new, o, t, base)
    if plan is not None:
        _splice(m, key, o, plan)


def _place(m: MergeState, key: str, new: list, o: list, t: list, base: list) -> _Plan | None:
    """Where each new entry goes; None after a conflict."""
    ours_items, theirs_items = m.ours.items(key), m.theirs.items(key)
    dash_o, dash_t = m.ours.dash_column(key), m.theirs.dash_column(key)
    if ours_items is None or theirs_items is None or dash_o is None or dash_t is None:
        m.conflict(key, "both sides added entries and a list is not written one `- ` entry per item; merge it by hand")
        return None
    times_o = [instant(x.get("at")) if isinstance(x, dict) else None for x in o]
    plan = _Plan()
    for item in new:
        start, end = theirs_items[t.index(item)]
        text = _reindent(_trim_blank_tail(m.theirs.lines(start, end)), dash_o - dash_t)
        if text is None:
            m.conflict(key, "THEIRS' entries are indented less than OURS'; merge it by hand")
            return None
        when = instant(item.get("at")) if isinstance(item, dict) else None
        same = [j for j, tj in enumerate(times_o) if when is not None and tj == when]
        if same:
            j = same[0]
            if len(same) > 1 or o[j] not in base or j in plan.replaces:
                at = item.get("at") if isinstance(item, dict) else "?"
                m.conflict(key, f"both sides wrote the entry at {at} differently; keep one wording")
                return None
            plan.replaces[j] = (item, text)  # THEIRS rewrote an entry OURS left as it was
            continue
        pos = len(o)
        if when is not None:
            pos = next((j for j, tj in enumerate(times_o) if tj is not None and tj > when), len(o))
        plan.inserts.setdefault(pos, []).append((item, text))
    return plan


def _splice(m: MergeState, key: str, o: list, plan: _Plan) -> None:
    ours_items = m.ours.items(key) or []
    merged: list = []
    for j in range(len(o) + 1):
        merged.extend(item for item, _ in plan.inserts.get(j, []))
        if j < len(o):
            merged.append(plan.replaces[j][0] if j in plan.replaces else o[j])
    for pos, entries in plan.inserts.items():
        at = ours_items[pos][0] if pos < len(o) else ours_items[-1][1]
        for _, text in entries:
            m.ops.splice(at, at, text)
    for j, (_, text) in plan.replaces.items():
        start, end = ours_items[j]
        kept = _trim_blank_tail(m.ours.lines(start, end))
        m.ops.splice(start, start + len(kept), text)
    m.expected[key] = merged
    m.merged_lists[key] = merged
    m.contributed.add(key)
