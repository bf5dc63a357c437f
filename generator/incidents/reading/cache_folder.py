"""Where the cache of read records lives, and the key that makes its entries trustworthy.

A cache is never part of the repository and never trusted from it:

* By default it lives in the user's cache folder: `$XDG_CACHE_HOME` (when
  it is an absolute path), else `~/.cache`, then
  `incident-as-code/<the first 32 hex digits of the SHA-256 of the root's real path>`.
  `--cache-dir DIR` (or `INCIDENTS_CACHE_DIR`) chooses another folder, which
  must be outside the root: one inside it is refused (`CacheRefused`, exit 2).
  A default folder that falls inside the root (a home folder that is the
  root) means no cache for the run.
* The folder is used only when it is a real folder (not a symbolic link),
  owned by the user running the command and not writable by everyone; the
  folders this module creates are mode 0700. Anything else: no cache for the
  run, nothing read from it, nothing written to it.
* `key` in that folder: 32 random bytes, created on first use with mode 0600
  (never in the repository). Every index and every log segment carries an
  HMAC-SHA256 under this key (`cache_files`), so a cache copied from
  elsewhere, committed to a pull request or planted through a link fails its
  check and is read as absent. A key file that is a link, not a regular file,
  owned by someone else, readable or writable by others, or of the wrong
  length is never used: a new key replaces it, and every entry written under
  the old one is read again.

Files in the folder are opened with O_NOFOLLOW: a symbolic link planted in
place of one of them is never followed, for reading or for writing.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from incidents.errors import IncidentsError

APP_DIR = "incident-as-code"
KEY_NAME = "key"
KEY_BYTES = 32
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by incidents (https://bford.info/cachedir/).\n"
)


def _uid() -> int | None:
    """This user's id (None where the system has none: ownership is then not checked)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def _ours(st: os.stat_result) -> bool:
    uid = _uid()
    return uid is None or st.st_uid == uid


class CacheRefused(IncidentsError):
    """`--cache-dir` (or INCIDENTS_CACHE_DIR) names a folder inside the root."""


@dataclass(frozen=True, slots=True)
class Place:
    """A cache folder fit to use, and the key of its entries."""

    folder: Path
    key: bytes


def user_cache_base() -> Path:
    """`$XDG_CACHE_HOME` when it is an absolute path, else `~/.cache`."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    return Path(os.path.expanduser("~")) / ".cache"


def default_folder(root: Path) -> Path:
    """The user cache folder of this root (keyed by its real path)."""
    real = os.path.realpath(root)
    return user_cache_base() / APP_DIR / hashlib.sha256(os.fsencode(real)).hexdigest()[:32]


def inside(path: Path, root: Path) -> bool:
    """Whether `path` is the root or under it, as written or once every link is resolved."""
    real_root = Path(os.path.realpath(root))
    absolute = Path(os.path.abspath(path))
    return (
        absolute.is_relative_to(Path(os.path.abspath(root)))
        or absolute.is_relative_to(real_root)
        or Path(os.path.realpath(absolute)).is_relative_to(real_root)
    )


def choose_folder(root: Path, chosen: Path | None) -> Path | None:
    """The folder to use for `root`: `chosen` (refused inside the root), else the default (None when that
    falls inside the root)."""
    if chosen is not None:
        folder = Path(os.path.abspath(chosen))
        if inside(folder, root):
            raise CacheRefused(
                f"the cache folder {chosen} is inside the root {root}: a cache is never kept in the repository "
                "(a pull request could commit one); choose a folder outside it, or leave --cache-dir out "
                "for the user cache folder"
            )
        return folder
    folder = default_folder(root)
    return None if inside(folder, root) else folder


def _safe_folder(folder: Path) -> bool:
    """A real folder (not a link), ours, not writable by everyone (a folder made under a umask of 002 is
    fine: without the key nobody else can write an entry this run trusts)."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _ours(st) and not st.st_mode & 0o002


def _make_folder(folder: Path) -> bool:
    """Create `folder` (and missing parents) mode 0700, unless it exists; then check it."""
    try:
        os.lstat(folder)
    except FileNotFoundError:
        try:
            _make_parents(folder)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return False
    except OSError:
        return False
    return _safe_folder(folder)


def _make_parents(folder: Path) -> None:
    missing = []
    parent = folder.parent
    while not os.path.lexists(parent):
        missing.append(parent)
        parent = parent.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass


def read_key(folder: Path) -> bytes | None:
    """The folder's key, when its file is fit to trust (else None)."""
    try:
        fd = os.open(folder / KEY_NAME, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _ours(st) or st.st_mode & 0o077:
            return None
        data = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == KEY_BYTES else None


def _new_key(folder: Path) -> bytes | None:
    """A new key, written 0600 and moved into place (a key file unfit to trust is replaced)."""
    key = os.urandom(KEY_BYTES)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-key-", dir=folder)  # O_EXCL, mode 0600
    except OSError:
        return None
    try:
        os.write(fd, key)
        os.fchmod(fd, 0o600)
        os.close(fd)
        fd = -1
        if read_key(folder) is None:
            os.replace(tmp, folder / KEY_NAME)
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return read_key(folder)  # another run may have won the race: its key is the key


def _tag(folder: Path) -> None:
    """The standard cache-directory tag (backup tools skip the folder)."""
    try:
        fd = os.open(folder / "CACHEDIR.TAG", os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    except OSError:
        return
    try:
        os.write(fd, CACHEDIR_TAG.encode())
    finally:
        os.close(fd)


def open_place(root: Path, chosen: Path | None, *, create: bool = True) -> Place | None:
    """The cache folder of `root` and its key, or None when there can be no cache this run."""
    folder = choose_folder(root, chosen)
    if folder is None:
        return None
    if not (_make_folder(folder) if create else _safe_folder(folder)):
        return None
    key = read_key(folder)
    if key is None:
        if not create:
            return None
        key = _new_key(folder)
        if key is None:
            return None
        _tag(folder)
    return Place(folder, key)
