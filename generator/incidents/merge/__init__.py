"""`incidents merge-file`: a git merge driver for record files.

Registered in a repository with `.gitattributes` (`incidents/**/*.md merge=incidents`)
and `git config merge.incidents.driver` (`incidents init` writes a setting that falls back to
`git merge-file` when `incidents` is not on PATH: `scaffold.gitsetup.MERGE_DRIVER`).
Modules: `driver` (the merge of one file), `state` (what the rules share, the line edits),
`keys`, `lists`, `body` (one rule each), `layout` (where each key's lines are).

May import every layer below the operations, and `authoring` (its line editor); never the
CLI or the plugin.
"""

from __future__ import annotations

from incidents.merge.driver import MergeResult, merge_records, merge_text

__all__ = ["MergeResult", "merge_records", "merge_text"]
