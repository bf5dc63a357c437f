"""`incidents merge-file`: a git merge driver for record files.

Registered in a repository with `.gitattributes` (`incidents/**/*.md merge=incidents`)
and `git config merge.incidents.driver "incidents merge-file %O %A %B --path %P"`.

May import every layer below the operations, and `authoring` (its line editor); never the
CLI or the plugin.
"""

from __future__ import annotations

from incidents.merge.driver import MergeResult, merge_records, merge_text

__all__ = ["MergeResult", "merge_records", "merge_text"]
