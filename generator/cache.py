"""The cache of read records: each file read and checked once per change.

For every record file, what the reader and the per-file rules gave (findings,
the record, the id it declares) is kept as plain data (`codec`), keyed by
the SHA-256 of the file's bytes and its path, inside a pack whose header
binds it to the policy (the SHA-256 of every file under policy/), the tool
(its version and the SHA-256 of its own code, so a changed checker never
reuses old results) and the Python that wrote it. A run re-reads only the
files whose key changed; the rules across files always run.

Where: `.incidents-cache/` in the root (it writes its own `.gitignore`, so git
never sees it), or `--cache-dir DIR` / the environment variable
`INCIDENTS_CACHE_DIR`; `--no-cache` or `INCIDENTS_NO_CACHE=1` turns it off.
One pack per root: `records-<hash of the root's absolute path>.bin`.

Never trusted blindly. A pack is `MAGIC`, a JSON header, the SHA-256 of the
payload, and the payload (`marshal` of plain data: reading it never runs
code). A wrong magic, a header of another format, tool, policy or Python, a
length or checksum that does not match, or a payload of the wrong shape
makes the whole pack ignored (the run is then cold) and rewritten; an entry
that fails to decode is read again. A pack is written to a temporary file
and moved into place with `os.replace`, so concurrent runs each leave a
complete pack (the last one wins) and a reader never sees half of one. Any
error writing it (read-only checkout, full disk) leaves the run's output as
it is: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import platform
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__

MAGIC = b"incidents-cache\n"
FORMAT = 1
DEFAULT_DIR = ".incidents-cache"
ENV_DIR = "INCIDENTS_CACHE_DIR"
ENV_OFF = "INCIDENTS_NO_CACHE"
GITIGNORE = "# Written by `incidents`: a cache of read records, safe to delete.\n*\n"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by incidents (https://bford.info/cachedir/).\n")
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 3600.0


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """Whether to use the cache, and where (None: `.incidents-cache/` in the root)."""

    enabled: bool = True
    directory: Path | None = None

    @classmethod
    def from_options(cls, cache_dir: Path | str | None = None, no_cache: bool = False) -> "CacheSettings":
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


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class RecordCache:
    """One root's pack: entries of the last run in, entries of this run out."""

    def __init__(self, folder: Path, path: Path, header: dict, old: dict):
        self.folder = folder
        self.path = path
        self.header = header
        self.old = old  # rel -> (digest, encoded result), as loaded
        self.new: dict = {}
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, root: Path, settings: CacheSettings) -> "RecordCache | None":
        if not settings.enabled:
            return None
        root = Path(root).resolve()
        folder = settings.folder(root)
        if not folder.is_absolute():
            folder = Path.cwd() / folder
        name = "records-" + hashlib.sha256(os.fsencode(root)).hexdigest()[:16] + ".bin"
        header = {"format": FORMAT, "tool": tool_fingerprint(), "policy": policy_fingerprint(root),
                  "python": platform.python_version(), "marshal": marshal.version}
        return cls(folder, folder / name, header, load_pack(folder / name, header))

    # -- lookups ------------------------------------------------------------------------------------
    def get(self, rel: str, data: bytes, want: frozenset | None = None):
        """The cached FileResult for this path and these bytes (records of the classes in `want`), or None."""
        from .reading import decode_result

        entry = self.old.get(rel)
        if entry is None or type(entry) is not tuple or len(entry) != 2 or entry[0] != _digest(data):
            self.misses += 1
            return None
        try:
            result = decode_result(entry[1], rel, data, want)
        except Exception:  # noqa: BLE001 - a damaged or foreign entry: read the file again
            self.misses += 1
            return None
        self.new[rel] = entry
        self.hits += 1
        return result

    def put(self, rel: str, data: bytes, result) -> None:
        from .codec import Unsupported
        from .reading import encode_result

        try:
            encoded = encode_result(result, data)
        except Unsupported:
            return  # read again next time; never stored inexactly
        self.new[rel] = (_digest(data), encoded)

    def put_encoded(self, rel: str, data: bytes, encoded: tuple) -> None:
        self.new[rel] = (_digest(data), encoded)

    # -- saving -------------------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return self.misses > 0 or len(self.new) != len(self.old)

    def save(self) -> bool:
        """Write this run's entries when they differ from the loaded ones; False if it could not."""
        if not self.changed:
            return True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _mark_folder(self.folder)
            payload = marshal.dumps(self.new)
            header = dict(self.header, payload=len(payload))
            blob = _pack(header, payload)
            fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(tmp, self.path)
            except BaseException:
                _unlink(tmp)
                raise
            _sweep_temps(self.folder)
            return True
        except (OSError, ValueError):
            return False


def _pack(header: dict, payload: bytes) -> bytes:
    head = json.dumps(header, sort_keys=True).encode()
    return MAGIC + struct.pack(">I", len(head)) + head + _digest(payload) + payload


def load_pack(path: Path, expected: dict) -> dict:
    """The entries of a pack written for `expected` (format, tool, policy, Python), else {}."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return {}
    try:
        if not blob.startswith(MAGIC):
            return {}
        at = len(MAGIC)
        (head_len,) = struct.unpack_from(">I", blob, at)
        at += 4
        header = json.loads(blob[at:at + head_len])
        at += head_len
        if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
            return {}
        checksum, payload = blob[at:at + 32], blob[at + 32:]
        if header.get("payload") != len(payload) or _digest(payload) != checksum:
            return {}
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError, struct.error, UnicodeDecodeError):
        return {}
    return entries if type(entries) is dict else {}


def _mark_folder(folder: Path) -> None:
    """A `.gitignore` that ignores the whole folder, and the standard cache-directory tag."""
    for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        path = folder / name
        if not path.exists():
            try:
                path.write_text(text, encoding="utf-8")
            except OSError:
                pass


def _sweep_temps(folder: Path) -> None:
    """Temporary files left by runs that were killed mid-write."""
    now = time.time()
    for path in folder.glob(_TEMP_PREFIX + "*"):
        try:
            if now - path.stat().st_mtime > _STALE_TEMP_S:
                path.unlink()
        except OSError:
            pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
