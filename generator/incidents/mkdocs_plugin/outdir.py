"""A failed build leaves the previous site as it was.

MkDocs empties `site_dir` right after `on_config`, before anything can fail.
So the plugin points `site_dir` at a fresh folder beside it (same parent: the
final rename stays on one file system) and, once the whole build succeeded,
swaps it in: the old folder is renamed aside, the new one takes its name, the
old one is removed. On a build error (or warnings under `--strict`, which
MkDocs counts after `on_post_build`) the new folder is removed and the old one
is untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record) -> None:
        self.count += 1


class StagedOutput:
    def __init__(self) -> None:
        self.final: Path | None = None
        self.staging: Path | None = None
        self._counter: _Counter | None = None

    def watch(self, config) -> None:
        """Count warnings from now on (under --strict they abort the build after on_post_build)."""
        self.abandon()
        if config.strict:
            self._counter = _Counter()
            logging.getLogger("mkdocs").addHandler(self._counter)

    def begin(self, config) -> None:
        """Point config.site_dir at a new, empty folder beside the real one."""
        final = Path(config.site_dir).resolve()
        final.parent.mkdir(parents=True, exist_ok=True)
        self.final = final
        self.staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.staging, 0o777 & ~umask)  # as a folder MkDocs makes (mkdtemp's is 0700)
        config.site_dir = str(self.staging)

    def commit(self, config) -> bool:
        """Swap the new site in (after every other plugin's on_post_build). False: kept the old one."""
        if self.staging is None or self.final is None:
            return False
        final, staging = self.final, self.staging
        config.site_dir = str(final)
        if self._counter is not None and self._counter.count:
            self.abandon()  # MkDocs aborts the --strict build right after on_post_build
            return False
        old = None
        if final.exists() or final.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
            os.rmdir(old)
            os.replace(final, old)
        os.replace(staging, final)
        self.staging = None
        self._detach()
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return True

    def abandon(self) -> None:
        """Drop the new folder (a failed build); the previous site stays."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        self._detach()

    def _detach(self) -> None:
        if self._counter is not None:
            logging.getLogger("mkdocs").removeHandler(self._counter)
            self._counter = None
