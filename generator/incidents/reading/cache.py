"""The cache of read records: each file read and checked once per change.

For every record file, what the reader and the per-file rules gave is kept
as plain data (`codec`), in two files per root (`cache_files`):

* the index, read by every run: per path, the SHA-256 of the file's bytes,
  its stat signature, its findings, the id it declares (for the rules across
  files), its `metrics` row (`metrics_rows`) and the class of its record;
* the record log, read only by a run that wants the records themselves (the
  site, `check`, `export`): per path, the record, its body kept as an offset
  into the file.

Both are bound to the policy (the SHA-256 of every file under policy/), the
tool (its version and the SHA-256 of its own code, so a changed checker never
reuses old results) and the Python that wrote them. A run re-reads only the
files whose key changed; the rules across files always run.

The stat shortcut: a file whose size, modification and change times (ns)
and inode are those recorded is not even opened, unless its record is
wanted (its body is then read from it, and its bytes checked against the
digest). A signature is recorded only for a file last changed more than
`RACY_NS` before the run began, so a file written again within the clock's
granularity is never taken for unchanged (git's "racy clean" rule); any other
file is hashed. Moving a checkout (new inodes and change times) only costs
one hashing run.

Where: `.incidents-cache/` in the root (it writes its own `.gitignore`, so git
never sees it), or `--cache-dir DIR` / the environment variable
`INCIDENTS_CACHE_DIR`; `--no-cache` or `INCIDENTS_NO_CACHE=1` turns it off.
Files per root: `records-<hash of the root's absolute path>.bin` and `.rec`.

Never trusted blindly: a damaged, foreign or partial index makes the run
cold, and is rewritten; an entry of the wrong shape is read again; a log
entry whose digest is not the file's is read again. The index is replaced
atomically (concurrent runs each leave a complete one, the last wins); the
log grows by one appended segment per run and is compacted when it has
grown to twice its last compacted size. Any error writing (read-only
checkout, full disk) leaves the run's output as it is: the cache only ever
saves time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from incidents import __version__
from incidents.reading import cache_files
from incidents.reading import reader as reading
from incidents.reading.codec import CODECS, Unsupported, decode_findings, encode_findings

FORMAT = 2
DEFAULT_DIR = ".incidents-cache"
ENV_DIR = "INCIDENTS_CACHE_DIR"
ENV_OFF = "INCIDENTS_NO_CACHE"
GITIGNORE = "# Written by `incidents`: a cache of read records, safe to delete.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by incidents (https://bford.info/cachedir/).\n"
)


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """Whether to use the cache, and where (None: `.incidents-cache/` in the root)."""

    enabled: bool = True
    directory: Path | None = None

    @classmethod
    def from_options(cls, cache_dir: Path | str | None = None, no_cache: bool = False) -> CacheSettings:
        """Command-line options first, then the environment variables."""
        if no_cache or os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no"):
            return cls(enabled=False)
        chosen = cache_dir or os.environ.get(ENV_DIR) or None
        return cls(True, Path(chosen) if chosen else None)

    def folder(self, root: Path) -> Path:
        return Path(self.directory) if self.directory is not None else Path(root) / DEFAULT_DIR


_TOOL: list[str] = []


def tool_fingerprint() -> str:
    """The version, the Python, and the SHA-256 of the package's own code (computed once per process)."""
    if not _TOOL:
        h = hashlib.sha256()
        h.update(f"{__version__}\0{platform.python_version()}\0{marshal.version}\0".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
        _TOOL.append(h.hexdigest())
    return _TOOL[0]


def policy_fingerprint(root: Path) -> str:
    """The SHA-256 of every file under policy/ (paths and bytes); unreadable files count as such."""
    h = hashlib.sha256()
    base = Path(root) / "policy"
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            h.update(path.relative_to(base).as_posix().encode() + b"\0")
            try:
                h.update(hashlib.sha256(path.read_bytes()).digest())
            except OSError as exc:
                h.update(f"unreadable:{exc.errno}".encode())
    return h.hexdigest()


# An index entry: (digest, stat signature or None, findings, declared, metrics row, record class or None).
_ENTRY_LEN = 6
# A file changed this close to the start of a run gets no stat signature (it is hashed next time).
RACY_NS = 2_000_000_000
# The log is compacted when it is over twice its last compacted size (and at least this much over it).
_COMPACT_SLACK = 1 << 20
# New records go to the log by segments of this many (a cold run of 100,000 files never holds them all).
LOG_FLUSH_EVERY = 4096


def _wants(kind, want: frozenset | None) -> bool:
    return kind is not None and (want is None or kind in want)


class RecordCache:
    """One root's cache: the entries of the last run in, the entries of this run out."""

    def __init__(self, folder: Path, path: Path, header: dict, loaded):
        self.folder = folder
        self.path = path
        self.log_path = path.with_suffix(".rec")
        self.header = header
        entries, self.log_base, self.across = loaded if _index_shape(loaded) else ({}, 0, None)
        self.new_across = self.across
        self.old: dict = entries  # rel -> index entry, as loaded
        self.new: dict = {}
        self.log_new: dict = {}  # rel -> (digest, record, body offset) of the files read this run
        self._log: dict | None = None  # the record log, once a wanted record needs it
        self._log_damaged = False
        self._log_mode: str | None = None  # "appended" or "rewritten", once this run has written to it
        self._log_failed = False
        self._sigs: dict = {}
        self._digests: dict = {}
        self.racy_after = time.time_ns() - RACY_NS
        self.hits = self.misses = self.updated = 0

    @classmethod
    def open(cls, root: Path, settings: CacheSettings) -> RecordCache | None:
        if not settings.enabled:
            return None
        root = Path(root).resolve()
        folder = settings.folder(root)
        if not folder.is_absolute():
            folder = Path.cwd() / folder
        name = "records-" + hashlib.sha256(os.fsencode(root)).hexdigest()[:16] + ".bin"
        header = {
            "format": FORMAT,
            "tool": tool_fingerprint(),
            "policy": policy_fingerprint(root),
            "python": platform.python_version(),
            "marshal": marshal.version,
        }
        return cls(folder, folder / name, header, cache_files.read_pack(folder / name, header))

    # -- lookups ------------------------------------------------------------------------------------
    def by_stat(self, rel: str, st, want: frozenset | None):
        """The FileResult of an unchanged file without opening it, or None (then read it and call `get`).
        `st`: the file's `os.stat_result` (None: unknown)."""
        if st is None:
            return None
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if st.st_mtime_ns > self.racy_after or st.st_ctime_ns > self.racy_after:
            return None  # changed too recently to be sure a later change shows in the signature
        self._sigs[rel] = sig
        entry = self.old.get(rel)
        if type(entry) is not tuple or len(entry) != _ENTRY_LEN or entry[1] != sig or _wants(entry[5], want):
            return None
        return self._hit(rel, entry, None, None)

    def get(self, rel: str, data: bytes, want: frozenset | None = None):
        """The cached FileResult for this path and these bytes (records of the classes in `want`), or None."""
        entry = self.old.get(rel)
        self._digests[rel] = found = cache_files.digest(data)
        if type(entry) is not tuple or len(entry) != _ENTRY_LEN or entry[0] != found:
            self.misses += 1
            return None
        record = None
        if _wants(entry[5], want):
            logged = self.log().get(rel)
            if type(logged) is not tuple or len(logged) != 3 or logged[0] != found:
                self.misses += 1
                return None
            record = logged
        sig = self._sigs.get(rel)
        if sig != entry[1]:
            entry = (entry[0], sig) + entry[2:]
            self.updated += 1
        return self._hit(rel, entry, data, record)

    def _hit(self, rel: str, entry: tuple, data: bytes | None, logged: tuple | None):
        findings, declared, row = entry[2], entry[3], entry[4]
        try:
            if logged is None and not findings and (row is None or type(row) is tuple) and _plain_declared(declared):
                # the common case, kept short: no findings, no record wanted
                result = reading.FileResult(rel, [], None, None, None, row, declared)
            else:
                record, body_at = (logged[1], logged[2]) if logged is not None else (None, None)
                result = reading.decode_result((findings, record, declared, body_at, row), rel, data)
        except Exception:  # noqa: BLE001 - a damaged or foreign entry: read the file again
            self.misses += 1
            return None
        self.new[rel] = entry
        self.hits += 1
        return result

    def log(self) -> dict:
        """The record log's entries (read once, on the first wanted record)."""
        if self._log is None:
            found = cache_files.read_log(self.log_path, self.header)
            self._log, complete = found if found is not None else ({}, True)
            self._log_damaged = not complete
        return self._log

    def put(self, rel: str, data: bytes, result) -> None:
        try:
            encoded = reading.encode_result(result, data)
        except Unsupported:
            return  # read again next time; never stored inexactly
        self.put_encoded(rel, data, encoded)

    def put_encoded(self, rel: str, data: bytes | None, encoded: tuple, found: bytes | None = None) -> None:
        """`found`: the digest of the file's bytes, when `data` is not at hand."""
        findings, record, declared, body_at, row = encoded
        found = found or self._digests.pop(rel, None) or cache_files.digest(data)
        kind = record[0] if record is not None else None
        self.new[rel] = (found, self._sigs.get(rel), findings, declared, row, kind)
        if record is not None:
            self.log_new[rel] = (found, record, body_at)
            if len(self.log_new) >= LOG_FLUSH_EVERY:
                self._flush_log()

    # -- the rules across files ----------------------------------------------------------------------
    def across_files(self, key: bytes):
        """(findings, paths to drop) of the rules across files, when the last run had the same declared ids."""
        memo = self.across
        if type(memo) is not tuple or len(memo) != 3 or memo[0] != key or type(memo[2]) is not tuple:
            return None
        try:
            return decode_findings(memo[1], ""), set(memo[2])
        except Exception:  # noqa: BLE001 - damaged: run the rules
            return None

    def remember_across(self, key: bytes, findings: list, drop: set) -> None:
        try:
            self.new_across = (key, encode_findings(findings, ""), tuple(sorted(drop)))
        except Unsupported:
            self.new_across = None

    # -- saving -------------------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return self.misses > 0 or self.updated > 0 or len(self.new) != len(self.old) or self.new_across != self.across

    def save(self) -> bool:
        """Write this run's entries when they differ from the loaded ones; False if it could not."""
        if not self.changed:
            return True
        try:
            self._flush_log()  # first: an index never names records its log lacks for long
            if self._log_failed:
                return False
            payload = marshal.dumps((self.new, self.log_base, self.new_across))
            cache_files.replace(self.folder, self.path, cache_files.pack(self.header, payload))
            cache_files.sweep_temps(self.folder)
            return True
        except (OSError, ValueError):
            return False

    def _flush_log(self) -> None:
        """Add this run's new records to the log (as they come, so a cold run never holds them all)."""
        if self._log_failed or (self._log_mode is not None and not self.log_new):
            return
        try:
            if self._log_mode is None:
                self._start_log()
            if self.log_new:
                cache_files.append(self.log_path, cache_files.segment(self.header, self.log_new))
            self.log_new = {}
            if self._log_mode == "rewritten":
                self.log_base = self.log_path.stat().st_size
        except (OSError, ValueError):
            self._log_failed = True  # the run goes on without writing the cache

    def _start_log(self) -> None:
        """Append to the log, or start it again when it is absent, foreign, damaged or has grown to twice its
        compacted size: then with the records of the last run whose files it still knew as they were."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _mark_folder(self.folder)
        path = self.log_path
        fresh = not cache_files.log_matches(path, self.header)
        if not fresh and not self._log_damaged and path.stat().st_size <= 2 * self.log_base + _COMPACT_SLACK:
            self._log_mode = "appended"
            return
        old = {} if fresh else self.log()
        live = {}
        for rel, logged in old.items():
            entry = self.old.get(rel)
            if type(logged) is tuple and len(logged) == 3 and type(entry) is tuple and entry and logged[0] == entry[0]:
                live[rel] = logged
        cache_files.replace(
            self.folder, path, cache_files.log_start(self.header) + cache_files.segment(self.header, live)
        )
        self._log_mode = "rewritten"


_DECLARED_FIELDS = len(CODECS["Declared"].names)


def _plain_declared(value) -> bool:
    """A declared id in the shape the codec builds back (None: none), checked before it is kept unbuilt."""
    return value is None or (
        type(value) is tuple
        and len(value) == 2
        and value[0] == "Declared"
        and type(value[1]) is tuple
        and len(value[1]) == _DECLARED_FIELDS
    )


def _index_shape(loaded) -> bool:
    return type(loaded) is tuple and len(loaded) == 3 and type(loaded[0]) is dict and type(loaded[1]) is int


def load_pack(path: Path, expected: dict) -> dict:
    """The index entries of a cache written for `expected` (format, tool, policy, Python), else {}."""
    loaded = cache_files.read_pack(path, expected)
    return loaded[0] if _index_shape(loaded) else {}


def _mark_folder(folder: Path) -> None:
    """A `.gitignore` that ignores the whole folder, and the standard cache-directory tag."""
    for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        path = folder / name
        if not path.exists():
            try:
                path.write_text(text, encoding="utf-8")
            except OSError:
                pass
