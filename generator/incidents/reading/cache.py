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

Where, and why it can be trusted: `cache_folder` (the user's cache folder by
default, never inside the root; every entry authenticated with a key kept in
that folder). `--cache-dir DIR` / the environment variable
`INCIDENTS_CACHE_DIR` choose another folder outside the root; `--no-cache` or
`INCIDENTS_NO_CACHE=1` turns it off. Files per root:
`records-<hash of the root's real path>.bin` (the index) and `.rec` (the
record log, `cache_log`).

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
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from incidents import __version__
from incidents.reading import cache_files
from incidents.reading import reader as reading
from incidents.reading.cache_folder import open_place
from incidents.reading.cache_log import RecordLog
from incidents.reading.codec import CODECS, Unsupported, decode_findings, encode_findings

FORMAT = 3  # 3: authenticated entries, the root in the header, `imported` in the metrics row
ENV_DIR = "INCIDENTS_CACHE_DIR"
ENV_OFF = "INCIDENTS_NO_CACHE"


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """Whether to use the cache, and where (None: the user cache folder of the root, `cache_folder`)."""

    enabled: bool = True
    directory: Path | None = None

    @classmethod
    def from_options(cls, cache_dir: Path | str | None = None, no_cache: bool = False) -> CacheSettings:
        """Command-line options first, then the environment variables."""
        if no_cache or os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no"):
            return cls(enabled=False)
        chosen = cache_dir or os.environ.get(ENV_DIR) or None
        return cls(True, Path(chosen) if chosen else None)


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
    """The SHA-256 of every file under policy/ (paths, link targets and bytes); unreadable files, FIFOs and
    devices count as such (never read: a FIFO would block the run, a device never end)."""
    h = hashlib.sha256()
    base = Path(root) / "policy"
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            h.update(path.relative_to(base).as_posix().encode() + b"\0")
            h.update(_file_print(path))
    return h.hexdigest()


def _file_print(path: Path) -> bytes:
    try:
        link = os.readlink(path).encode("utf-8", "surrogateescape") if path.is_symlink() else b""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not stat.S_ISREG(mode):
                return f"special:{stat.S_IFMT(mode)}".encode()
            return link + b"\0" + hashlib.file_digest(fh, "sha256").digest()
    except OSError as exc:
        return f"unreadable:{exc.errno}".encode()


# An index entry: (digest, stat signature or None, findings, declared, metrics row, record class or None).
_ENTRY_LEN = 6
# A file changed this close to the start of a run gets no stat signature (it is hashed next time).
RACY_NS = 2_000_000_000


def _wants(kind, want: frozenset | None) -> bool:
    return kind is not None and (want is None or kind in want)


def index_name(root: Path) -> str:
    """The index file's name in the cache folder (a folder may hold the caches of several roots)."""
    return "records-" + hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16] + ".bin"


def header_for(root: Path) -> dict:
    """What an index and a log are bound to: the format, the tool, the policy, the Python and the root."""
    return {
        "format": FORMAT,
        "tool": tool_fingerprint(),
        "policy": policy_fingerprint(root),
        "python": platform.python_version(),
        "marshal": marshal.version,
        "root": os.fsdecode(os.path.realpath(root)),
    }


def key_id(key: bytes) -> str:
    """Which key wrote a file, without telling the key (a log started under another key is started again)."""
    return cache_files.mac(key, b"the key's name").hex()[:16]


class AcrossMemo:
    """The last result of the rules across files, kept for the same declared ids (`validate._across_files`)."""

    def __init__(self, loaded) -> None:
        self.old = self.new = loaded

    def get(self, key: bytes):
        """(findings, paths to drop) when the last run had the same declared ids, else None."""
        memo = self.old
        if type(memo) is not tuple or len(memo) != 3 or memo[0] != key or type(memo[2]) is not tuple:
            return None
        try:
            return decode_findings(memo[1], ""), set(memo[2])
        except Exception:  # noqa: BLE001 - damaged: run the rules
            return None

    def remember(self, key: bytes, findings: list, drop: set) -> None:
        try:
            self.new = (key, encode_findings(findings, ""), tuple(sorted(drop)))
        except Unsupported:
            self.new = None


class RecordCache:
    """One root's cache: the entries of the last run in, the entries of this run out."""

    def __init__(self, folder: Path, path: Path, header: dict, loaded, key: bytes):
        self.folder = folder
        self.path = path
        self.header = header
        self.key = key
        entries, log_base, across = loaded if _index_shape(loaded) else ({}, 0, None)
        self.memo = AcrossMemo(across)
        self.records = RecordLog(folder, path.with_suffix(".rec"), header, key, log_base)
        self.old: dict = entries  # rel -> index entry, as loaded
        self.new: dict = {}
        self._sigs: dict = {}
        self._digests: dict = {}
        self.racy_after = time.time_ns() - RACY_NS
        self.hits = self.misses = self.updated = 0

    @classmethod
    def open(cls, root: Path, settings: CacheSettings) -> RecordCache | None:
        """The cache of `root`, or None (turned off, or no folder fit to use: `cache_folder`).
        Raises `cache_folder.CacheRefused` for a chosen folder inside the root."""
        if not settings.enabled:
            return None
        place = open_place(Path(root), settings.directory)
        if place is None:
            return None
        header = dict(header_for(root), key=key_id(place.key))
        path = place.folder / index_name(root)
        return cls(place.folder, path, header, cache_files.read_pack(path, header, place.key), place.key)

    @property
    def log_path(self) -> Path:
        return self.records.path

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
            logged = self.records.entries().get(rel)
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

    # -- this run's entries ------------------------------------------------------------------------
    def put(self, rel: str, data: bytes, result) -> None:
        try:
            encoded = reading.encode_result(result, data)
        except Unsupported:
            return  # read again next time; never stored inexactly
        self.put_encoded(rel, data, encoded)

    def put_encoded(self, rel: str, data: bytes | None, encoded: tuple, found: bytes | None = None) -> None:
        """`found`: the digest of the file's bytes, when `data` is not at hand."""
        findings, record, declared, body_at, row = encoded
        found = found or self._digests.pop(rel, None)
        if found is None:
            if data is None:
                raise ValueError(f"{rel}: neither the file's bytes nor their digest")
            found = cache_files.digest(data)
        kind = record[0] if record is not None else None
        self.new[rel] = (found, self._sigs.get(rel), findings, declared, row, kind)
        if record is not None:
            self.records.add(rel, found, record, body_at, self.old)

    def across_files(self, key: bytes):
        return self.memo.get(key)

    def remember_across(self, key: bytes, findings: list, drop: set) -> None:
        self.memo.remember(key, findings, drop)

    # -- saving -------------------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return self.misses > 0 or self.updated > 0 or len(self.new) != len(self.old) or self.memo.new != self.memo.old

    def save(self) -> bool:
        """Write this run's entries when they differ from the loaded ones; False if it could not."""
        if not self.changed:
            return True
        try:
            self.records.flush(self.old)  # first: an index never names records its log lacks for long
            if self.records.failed:
                return False
            payload = marshal.dumps((self.new, self.records.base, self.memo.new))
            cache_files.replace(self.folder, self.path, cache_files.pack(self.header, payload, self.key))
            cache_files.sweep_temps(self.folder)
            return True
        except (OSError, ValueError):
            return False


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


def load_pack(path: Path, expected: dict, key: bytes) -> dict:
    """The index entries of a cache written for `expected` (format, tool, policy, Python, root) under `key`,
    else {}."""
    loaded = cache_files.read_pack(path, expected, key)
    return loaded[0] if _index_shape(loaded) else {}
