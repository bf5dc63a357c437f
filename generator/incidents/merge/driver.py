"""The three-way merge of one record file (`incidents merge-file BASE OURS THEIRS`).

Key by key, over the front matter's top-level keys:

* `updates`, `timeline`, `escalations` (`lists.py`): the union of both sides'
  entries in time order, an entry both sides hold once; THEIRS' new entries
  are copied line for line into OURS' list, before the first of OURS' entries
  that is later (so OURS' own lines never move); the entry at one `at` written
  differently on both sides is a conflict;
* `status`: the status of the latest update once the updates were merged;
* a lifecycle timestamp (`started_at` ... `resolved_at`): the earliest value
  either side set;
* any other key: the side that changed it (a key added, changed or removed on
  one side only); changed differently on both sides, it is a conflict: OURS
  gets git-style markers around that key's lines.

(`keys.py`). The Markdown body merges as git merges text (`body.py`, `git
merge-file`; a conflict ends with a line end). Whatever is
not changed keeps its bytes. A result without conflicts is read back with the
one reader and must hold exactly the merged values; a file the merge cannot
edit line by line (not a record, a flow-style front matter) is merged as git
merges text, so the driver is never worse than git's own merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incidents.merge.body import merge_body, merge_text
from incidents.merge.keys import merge_key, merge_status
from incidents.merge.layout import LayoutError, read_layout
from incidents.merge.lists import LISTS, merge_list
from incidents.merge.state import MergeState, apply_ops
from incidents.records.source import read_record

__all__ = ["MergeResult", "merge_records", "merge_text"]


@dataclass
class MergeResult:
    data: bytes
    conflicts: list[str] = field(default_factory=list)  # what conflicted, one line each
    fallback: str | None = None  # why the file was merged as text

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _merge_keys(m: MergeState) -> None:
    keys = m.keys()
    for key in LISTS:
        if key in keys:
            merge_list(m, key)
    for key in keys:
        if key not in LISTS and key != "status":
            merge_key(m, key)
    if "status" in keys:
        merge_status(m)  # after the updates: the status of the latest one
    merge_body(m)


def _as_text(base: bytes, ours: bytes, theirs: bytes, path: str, why: str) -> MergeResult:
    data, clean = merge_text(base, ours, theirs)
    return MergeResult(data, [] if clean else [f"{path}: conflicting text (merged as git merges text)"], fallback=why)


def merge_records(base: bytes, ours: bytes, theirs: bytes, path: str = "record.md") -> MergeResult:
    """Merge THEIRS (and BASE, the common ancestor; empty when both added the file) into OURS."""
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    try:
        o = read_layout(ours, path)
        t = read_layout(theirs, path)
        b = read_layout(base, path) if base.strip() else None
    except LayoutError as exc:
        return _as_text(base, ours, theirs, path, str(exc))
    m = MergeState(b, o, t, path)
    _merge_keys(m)
    data = apply_ops(m.ops)
    if m.conflicts:
        return MergeResult(data, m.conflicts)
    check, _ = read_record(data, path)
    if check is None or check.front_matter.data != m.expected:
        return _as_text(base, ours, theirs, path, "the line-by-line merge would not read back as the merged values")
    return MergeResult(data)
