"""The record log of the cache: the records themselves, read only by a run that wants them.

Per path: (digest of the file's bytes, the record as plain data, the offset of
its body in the file). A run adds the records it read as segments appended to
the log (`cache_files.segment`, authenticated with the folder's key), by
`LOG_FLUSH_EVERY` at a time so a cold run of 100,000 files never holds them
all; the log is started again (compacted, with the records of the last run
whose files it still knew as they were) when it is absent, foreign, damaged or
has grown to twice its last compacted size. Any error writing stops writing
for the run and never changes its output.
"""

from __future__ import annotations

import os
from pathlib import Path

from incidents.reading import cache_files

# The log is compacted when it is over twice its last compacted size (and at least this much over it).
COMPACT_SLACK = 1 << 20
# New records go to the log by segments of this many.
LOG_FLUSH_EVERY = 4096


class RecordLog:
    """One root's record log: the entries of earlier runs (read on demand) and this run's new ones."""

    def __init__(self, folder: Path, path: Path, header: dict, key: bytes, base: int):
        self.folder = folder
        self.path = path
        self.header = header
        self.key = key
        self.base = base  # its size when it was last compacted
        self.new: dict = {}  # rel -> (digest, record, body offset) of the files read this run
        self._entries: dict | None = None
        self._damaged = False
        self._mode: str | None = None  # "appended" or "rewritten", once this run has written to it
        self.failed = False

    def entries(self) -> dict:
        """The log's entries (read once, on the first wanted record)."""
        if self._entries is None:
            found = cache_files.read_log(self.path, self.header, self.key)
            self._entries, complete = found if found is not None else ({}, True)
            self._damaged = not complete
        return self._entries

    def add(self, rel: str, found: bytes, record: tuple, body_at: int | None, index: dict) -> None:
        self.new[rel] = (found, record, body_at)
        if len(self.new) >= LOG_FLUSH_EVERY:
            self.flush(index)

    def flush(self, index: dict) -> None:
        """Add this run's new records to the log. `index`: the entries of the last run's index (a compacted
        log keeps only the records they still name, with the same digest)."""
        if self.failed or (self._mode is not None and not self.new):
            return
        try:
            if self._mode is None:
                self._start(index)
            if self.new:
                cache_files.append(self.path, cache_files.segment(self.header, self.new, self.key))
            self.new = {}
            if self._mode == "rewritten":
                self.base = os.lstat(self.path).st_size
        except (OSError, ValueError):
            self.failed = True  # the run goes on without writing the cache

    def _start(self, index: dict) -> None:
        """Append to the log, or start it again (see the module's docstring)."""
        path = self.path
        fresh = not cache_files.log_matches(path, self.header)
        if not fresh and not self._damaged and os.lstat(path).st_size <= 2 * self.base + COMPACT_SLACK:
            self._mode = "appended"
            return
        old = {} if fresh else self.entries()
        live = {}
        for rel, logged in old.items():
            entry = index.get(rel)
            if type(logged) is tuple and len(logged) == 3 and type(entry) is tuple and entry and logged[0] == entry[0]:
                live[rel] = logged
        blob = cache_files.log_start(self.header) + cache_files.segment(self.header, live, self.key)
        cache_files.replace(self.folder, path, blob)
        self._mode = "rewritten"
