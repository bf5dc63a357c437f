"""Planning byte-keeping edits of a hand-written record: `incidents update` and the other edit commands.

The file is never re-dumped. The reader's map of positions says where the
`status` value, the lifecycle keys and the `updates:` list are; libyaml's
event marks (the same parser the reader uses) say where each of them ends.
The edit is then a handful of targeted text operations on the original
lines (their CRLF/LF endings and a BOM kept as they were):

* the `status` value token is replaced in place, in its quoting style;
* lifecycle timestamps still empty are inserted as new `key: value` lines
  after the last lifecycle key present (or after `status`);
* the new update is added in the style of the list: a block item with the
  indentation and key order of the last item, or `, {...}` before the `]` of
  a flow list, or a new `updates:` block when there was none.

The result is read back with the foundation's reader and must hold exactly
the old values plus the change (anything else means the edit would have
touched something it should not: refused), and must pass the incident rules
(refused with the findings). Only then is it written, atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incidents.authoring import AuthoringError
from incidents.authoring.editor import Editor, Node, after_node_line, front_matter_bounds, index_nodes
from incidents.authoring.yamltext import can_single_quote, dq, sq, timestamp
from incidents.findings import ERROR
from incidents.records.model import LIFECYCLE, STATUS_TIMESTAMP
from incidents.records.source import decode, read_record
from incidents.records.timestamps import TimestampError, parse_timestamp

# The timestamps `plan_edit` inserts, in file order: the lifecycle, then `closed_at` (`incidents close`).
TIMESTAMP_KEYS = LIFECYCLE + ("closed_at",)

UPDATE_KEY_ORDER = ("at", "status", "message")


def timestamps_to_fill(current: dict, status: str) -> list[str]:
    """The lifecycle keys a move to `status` fills when they are still empty."""
    wanted = []
    if status != "investigating":
        wanted.append("acknowledged_at")
    if status in STATUS_TIMESTAMP:
        wanted.append(STATUS_TIMESTAMP[status])
    return [k for k in wanted if current.get(k) in (None, "")]


def plan_update(
    data: bytes, rel: str, status: str, message: str, at: datetime, fill: dict[str, datetime] | None = None
) -> tuple[bytes, dict]:
    """The new bytes of the file after a public update, and the values expected when read back.

    `fill`: lifecycle timestamps to set (key -> instant); by default those the status fills when empty.
    """
    src = _read(data, rel)
    not_before_last(src.front_matter.data.get("updates"), at, "update", "updates")
    at_text = timestamp(at)
    if fill is None:
        fill = dict.fromkeys(timestamps_to_fill(src.front_matter.data, status), at)
    return plan_edit(
        data,
        rel,
        status=status,
        timestamps={k: timestamp(v) for k, v in fill.items()},
        appends=[("updates", {"at": at_text, "status": status, "message": message}, UPDATE_KEY_ORDER)],
    )


def not_before_last(entries, at: datetime, what: str, key: str) -> None:
    """One clear line, not every order check it would break, when `at` is before the list's last entry."""
    if not isinstance(entries, list):
        return
    last = None
    for index, item in enumerate(entries, 1):
        when = item.get("at") if isinstance(item, dict) else None
        try:
            instant = parse_timestamp(when) if isinstance(when, str) else None
        except TimestampError:
            instant = None
        if instant is not None:
            last = (index, when, instant)
    if last is not None and at < last[2]:
        index, when, _ = last
        raise AuthoringError(
            f"--at {timestamp(at)} is before the last {what} ({what} {index}, at {when}); `{key}:` is listed "
            "oldest first: give a later --at, or add the earlier entry to the file by hand in its place; "
            "the file was not changed"
        )


def _read(data: bytes, rel: str):
    src, findings = read_record(data, rel)
    if src is None:
        raise AuthoringError(
            "the file cannot be read as a record; fix it first", tuple(f for f in findings if f.level == ERROR)
        )
    return src


def plan_edit(
    data: bytes,
    rel: str,
    *,
    status: str | None = None,
    timestamps: dict[str, str] | None = None,
    appends: Sequence[tuple[str, dict, tuple[str, ...]]] = (),
) -> tuple[bytes, dict]:
    """The new bytes of a record, and the values expected when they are read back.

    `status` replaces the `status:` value in place; `timestamps` (key -> ISO text) are inserted as new lines
    after the last lifecycle key present (or `status`); each of `appends` (list key, item, key order) adds
    an item to that top-level list in the list's own style (or a new block list).
    """
    src = _read(data, rel)
    doc = src.front_matter
    fm = doc.data
    ed = Editor(data)
    if not ed.lines or ed.lines[0].rstrip() != "---":
        raise AuthoringError("the file does not start with a `---` line")
    fm_first, fm_close = front_matter_bounds(ed.lines)
    fm_text, _ = decode("".join(ed.lines[fm_first:fm_close]).encode("utf-8"), rel)
    if fm_text is None:  # it was read as UTF-8 a moment ago (`_read`)
        raise AuthoringError("the front matter is not UTF-8")
    nodes = index_nodes(fm_text, fm_first)

    root_node = nodes.get(("mapping",) + doc.positions[()])
    if root_node is None or root_node.flow:
        raise AuthoringError(
            "the front matter is written as one `{...}` flow mapping; "
            "these commands edit block-style front matter only (edit this one by hand)"
        )
    if "status" not in fm:
        raise AuthoringError("the record has no `status:`; fix the file first")
    expected = dict(fm)
    status_key = nodes.get(("scalar",) + doc.key_positions[("status",)])
    indent = " " * (status_key.start[1] if status_key is not None else doc.key_positions[("status",)][1] - 1)
    if status is not None:
        _set_status(ed, doc, nodes, status)  # 1. in place
        expected["status"] = status
    _insert_timestamps(ed, doc, nodes, dict((timestamps or {}).items()), indent, expected)  # 2.
    for key, item, order in appends:  # 3. in the style of each list
        _append(ed, doc, nodes, fm_close, indent, (key, item, order), expected)
    return ed.result(), expected


def _set_status(ed: Editor, doc, nodes, status: str) -> None:
    sline, scol = doc.positions[("status",)]
    snode = nodes.get(("scalar", sline, scol))
    if snode is None or snode.start[0] != snode.end[0] or snode.style in ("|", ">"):
        raise AuthoringError("`status:` is not a one-line value; write it as `status: <value>` first")
    line0, col0 = snode.start
    if snode.style == "'":
        token = sq(status)
    elif snode.style == '"':
        token = f'"{status}"'
    else:
        token = status
    ed.replace(line0, col0, snode.end[1], token)


def _insert_timestamps(ed: Editor, doc, nodes, fill: dict[str, str], indent: str, expected: dict) -> None:
    """Lifecycle timestamps, after the last lifecycle key present (or `status`)."""
    fm = doc.data
    for key in fill:
        if key in fm:
            raise AuthoringError(
                f"`{key}:` is already in the file"
                + (
                    " but empty; fill it or remove the line first"
                    if fm[key] in (None, "")
                    else f" ({fm[key]}); each lifecycle timestamp keeps its first value"
                )
            )
    if not fill:
        return
    anchor_key = "status"
    anchor_line = 0
    for key in TIMESTAMP_KEYS:
        if key in fm and doc.key_positions[(key,)][0] >= anchor_line:
            anchor_key, anchor_line = key, doc.key_positions[(key,)][0]
    after = _after_value(ed, doc, nodes, (anchor_key,))
    anchor_node = nodes.get(("scalar",) + doc.positions[(anchor_key,)])
    style = anchor_node.style if anchor_node is not None and anchor_key != "status" else None
    ordered = [k for k in TIMESTAMP_KEYS if k in fill]
    ed.insert_lines(after, [f"{indent}{key}: {_at_text(fill[key], style)}" for key in ordered])
    for key in ordered:
        expected[key] = fill[key]


def _append(ed: Editor, doc, nodes, fm_close: int, indent: str, what: tuple, expected: dict) -> None:
    """Add `item` to the top-level list `key` (a new block list when there is none)."""
    key, item, order = what
    fm = doc.data
    items = fm.get(key)
    if key not in fm or items is None:
        if key in fm:
            raise AuthoringError(f"`{key}:` is present but empty; remove the line or write `{key}: []` first")
        first, *rest = order
        lines = [f"{indent}{key}:", f"{indent}  - {first}: {_value(first, item[first], None)}"]
        lines += [f"{indent}    {k}: {_value(k, item[k], None)}" for k in rest]
        ed.insert_lines(fm_close, lines)
        expected[key] = [item]
    elif isinstance(items, list):
        _append_item(ed, doc, nodes, key, items, item, order)
        expected[key] = list(items) + [item]
    else:
        raise AuthoringError(f"`{key}:` is not a list; fix it first")


def _value(key: str, value: str, style: str | None) -> str:
    """An item's value as written: a timestamp, an enum, or free text (quoted)."""
    if key == "at":
        return _at_text(value, style)
    if key == "status":
        return value
    return _message_text(value, style)


def _after_value(ed: Editor, doc, nodes, path: tuple) -> int:
    """The 0-based line index just after the value at `path` (a top-level key)."""
    line, col = doc.positions[path]
    node = nodes.get(("scalar", line, col)) or nodes.get(("mapping", line, col)) or nodes.get(("sequence", line, col))
    if node is None:  # pragma: no cover - every value has a node
        return line
    end = node.end if node.kind == "scalar" or node.flow else (node.last_content or node.end)
    return after_node_line(ed, node, end)


def _message_text(message: str, last_style: str | None) -> str:
    if last_style == "'" and can_single_quote(message):
        return sq(message)
    return dq(message)


def _at_text(at_text: str, style: str | None) -> str:
    if style == "'":
        return f"'{at_text}'"
    if style == '"':
        return f'"{at_text}"'
    return at_text


def _append_item(ed: Editor, doc, nodes, list_key: str, items: list, new: dict, key_order: tuple[str, ...]) -> None:
    line, col = doc.positions[(list_key,)]
    seq = nodes.get(("sequence", line, col))
    if seq is None:
        raise AuthoringError(f"`{list_key}:` is not a list; fix it first")
    last_index = len(items) - 1
    last = items[-1] if items else None
    order = [k for k in last if k in key_order] if isinstance(last, dict) else []
    order += [k for k in key_order if k not in order]
    styles = {}
    if isinstance(last, dict):
        for key in key_order:
            pos = doc.positions.get((list_key, last_index, key))
            node = nodes.get(("scalar",) + pos) if pos else None
            styles[key] = node.style if node else None
    values = {k: _value(k, new[k], styles.get(k)) for k in key_order}
    flow_item = "{" + ", ".join(f"{k}: {values[k]}" for k in order) + "}"

    if seq.flow:
        if not items:
            cline, ccol = seq.close
            ed.replace(cline, ccol, ccol, flow_item)
            return
        item_pos = doc.positions[(list_key, last_index)]
        item = nodes.get(("mapping",) + item_pos)
        end = item.end if item is not None else seq.last_content
        ed.replace(end[0], end[1], end[1], ", " + flow_item)
        return

    # A block list: the dash where the list starts, keys where the last item's keys are.
    dash_col = seq.start[1]
    item_pos = doc.positions[(list_key, last_index)]
    item = nodes.get(("mapping",) + item_pos)
    prefix = " " * dash_col + "-"
    if item is not None and item.flow:
        gap = max(1, item.start[1] - dash_col - 1)
        new_lines = [prefix + " " * gap + flow_item]
        end = item.end
        after = end[0] + 1
    else:
        key_col = item.start[1] if item is not None else dash_col + 2
        if key_col <= dash_col:
            key_col = dash_col + 2
        first, *rest = order
        new_lines = [prefix + " " * (key_col - dash_col - 1) + f"{first}: {values[first]}"]
        new_lines += [" " * key_col + f"{k}: {values[k]}" for k in rest]
        if item is not None:
            end = item.last_content or item.end
            after = after_node_line(ed, _last_scalar(nodes, doc, list_key, last_index, item, key_order), end)
        else:
            after = after_node_line(ed, seq, seq.last_content or seq.end)
    ed.insert_lines(after, new_lines)


def _last_scalar(nodes, doc, list_key: str, index: int, item: Node, key_order: tuple[str, ...]) -> Node:
    """The node whose end is the item's last content (for the block-scalar rule)."""
    best = item
    for key in key_order:
        pos = doc.positions.get((list_key, index, key))
        node = nodes.get(("scalar",) + pos) if pos else None
        if node is not None and node.end == item.last_content:
            best = node
    return best


__all__ = ["not_before_last", "plan_edit", "plan_update", "timestamps_to_fill"]


# Names the Statuspage importer (incidents.importing.existing) uses.
_front_matter_bounds = front_matter_bounds


def _append_update(ed: Editor, doc, nodes, updates: list, new: dict) -> None:
    _append_item(ed, doc, nodes, "updates", updates, new, UPDATE_KEY_ORDER)
