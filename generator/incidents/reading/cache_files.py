"""The two files of a cache of read records, and how each is framed and checked.

* The index (`records-<root>.bin`): `INDEX_MAGIC`, a JSON header, the
  HMAC-SHA256 of the header and the payload under the folder's key
  (`cache_folder`), and the payload (`marshal` of plain data). Written whole,
  to a temporary file moved into place with `os.replace`.
* The record log (`records-<root>.rec`): `LOG_MAGIC` and a JSON header, then
  segments, each `SEGMENT`, the first 16 bytes of the SHA-256 of the header it
  was written for, the payload's length, the HMAC-SHA256 of those and the
  payload under the key, and the payload. A run adds one segment with
  `O_APPEND` in a single write; a later segment's entry replaces an earlier
  one of the same path. Rewritten whole (compacted) like the index.

Reading either never runs code (`marshal` of plain data) and never trusts it:
a file whose magic, header, length or authentication code is wrong reads as
absent; a segment that is damaged, cut short, written for another header or
under another key ends the log there (what follows is read again from the
record files). Files are opened without following a symbolic link, and only
when they are regular files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
import stat
import struct
import tempfile
import time
from pathlib import Path

INDEX_MAGIC = b"incidents-cache\n"
LOG_MAGIC = b"incidents-records\n"
SEGMENT = b"SEG\n"
TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 3600.0
_SEGMENT_HEAD = struct.Struct(">16sQ32s")


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mac(key: bytes, *parts: bytes | memoryview) -> bytes:
    """The HMAC-SHA256 of `parts` (in order) under `key`."""
    h = hmac.new(key, digestmod="sha256")
    for part in parts:
        h.update(part)
    return h.digest()


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_regular(path: Path, limit: int = -1) -> bytes | None:
    """The bytes of `path` (at most `limit`), when it is a regular file reached without a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _head(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True).encode()


def header_key(header: dict) -> bytes:
    """What binds a log segment to the header (tool, policy, Python) it was written for."""
    return digest(_head(header))[:16]


# ---- the index -------------------------------------------------------------------------------------


def pack(header: dict, payload: bytes, key: bytes) -> bytes:
    head = _head(dict(header, payload=len(payload)))
    return INDEX_MAGIC + struct.pack(">I", len(head)) + head + mac(key, head, payload) + payload


def _read_header(blob: bytes, magic: bytes, expected: dict) -> tuple[dict, int] | None:
    """(header, offset after it) when `blob` starts with `magic` and a header matching `expected`."""
    try:
        if not blob.startswith(magic):
            return None
        at = len(magic)
        (head_len,) = struct.unpack_from(">I", blob, at)
        at += 4
        header = json.loads(blob[at : at + head_len])
    except (ValueError, struct.error, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
        return None
    return header, at + head_len


def read_pack(path: Path, expected: dict, key: bytes):
    """The payload of an index written for `expected` (format, tool, policy, Python, root) under `key`,
    else None."""
    blob = read_regular(path)
    if blob is None:
        return None
    found = _read_header(blob, INDEX_MAGIC, expected)
    if found is None:
        return None
    header, at = found
    view = memoryview(blob)
    head, checksum, payload = view[at - _head_len(blob) : at], blob[at : at + 32], view[at + 32 :]
    if header.get("payload") != len(payload) or not hmac.compare_digest(mac(key, head, payload), checksum):
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


# ---- the record log ----------------------------------------------------------------------------------


def log_start(header: dict) -> bytes:
    head = _head(header)
    return LOG_MAGIC + struct.pack(">I", len(head)) + head


def _head_len(blob: bytes) -> int:
    return struct.unpack_from(">I", blob, len(INDEX_MAGIC))[0]


def _segment_mac(key: bytes, seg_key: bytes, length: int, payload: bytes | memoryview) -> bytes:
    return mac(key, seg_key, struct.pack(">Q", length), payload)


def segment(header: dict, entries: dict, key: bytes) -> bytes:
    payload = marshal.dumps(entries)
    seg_key = header_key(header)
    return (
        SEGMENT + _SEGMENT_HEAD.pack(seg_key, len(payload), _segment_mac(key, seg_key, len(payload), payload)) + payload
    )


def log_matches(path: Path, expected: dict) -> bool:
    """Whether the log at `path` was started for `expected` (reads its first bytes only)."""
    blob = read_regular(path, len(LOG_MAGIC) + 4 + 4096)
    if blob is None:
        return False
    try:
        (head_len,) = struct.unpack_from(">I", blob, len(LOG_MAGIC))
    except struct.error:
        return False
    if len(blob) < len(LOG_MAGIC) + 4 + head_len:
        return False
    return _read_header(blob, LOG_MAGIC, expected) is not None


def read_log(path: Path, expected: dict, key: bytes) -> tuple[dict, bool] | None:
    """(every entry of the log's good segments, later ones winning; whether every segment was good), or None
    when the log is absent or foreign."""
    blob = read_regular(path)
    if blob is None:
        return None
    return parse_log(blob, expected, key)


def parse_log(blob: bytes, expected: dict, key: bytes) -> tuple[dict, bool] | None:
    """`read_log` of a log's bytes."""
    found = _read_header(blob, LOG_MAGIC, expected)
    if found is None:
        return None
    _header, at = found
    wanted = header_key(expected)
    entries: dict = {}
    view = memoryview(blob)
    step = len(SEGMENT) + _SEGMENT_HEAD.size
    while at < len(blob):
        if blob[at : at + len(SEGMENT)] != SEGMENT or at + step > len(blob):
            break
        seg_key, length, checksum = _SEGMENT_HEAD.unpack_from(blob, at + len(SEGMENT))
        start, end = at + step, at + step + length
        if (
            seg_key != wanted
            or end > len(blob)
            or not hmac.compare_digest(_segment_mac(key, seg_key, length, view[start:end]), checksum)
        ):
            break
        try:
            part = marshal.loads(view[start:end])
        except (ValueError, EOFError, TypeError):
            break
        if type(part) is not dict:
            break
        entries.update(part)
        at = end
    return entries, at == len(blob)


# ---- writing -------------------------------------------------------------------------------------------


def replace(folder: Path, path: Path, blob: bytes) -> None:
    """Write `blob` to a temporary file in `folder` and move it to `path` (readers never see half of it)."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def append(path: Path, blob: bytes) -> None:
    """Add `blob` at the end of `path` in one write (two runs appending at once never interleave on a local
    file system; a torn segment fails its checksum and ends the log there)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | NOFOLLOW)
    try:
        written = os.write(fd, blob)
        if written != len(blob):
            raise OSError(f"short write to {path}")
    finally:
        os.close(fd)


def sweep_temps(folder: Path) -> None:
    """Temporary files left by runs that were killed mid-write."""
    now = time.time()
    for path in folder.glob(TEMP_PREFIX + "*"):
        try:
            if now - path.lstat().st_mtime > _STALE_TEMP_S:
                path.unlink()
        except OSError:
            pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
