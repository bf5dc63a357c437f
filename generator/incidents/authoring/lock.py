"""A lock beside a record while a command edits it: two edits of one file never lose either.

`locked(path)` holds an exclusive `fcntl.flock` on `<file>.lock` (created
beside the record, removed when done). A second command waits for the first
(up to `wait` seconds), then reads the file as the first left it; if the
first takes longer, the second is refused with a message saying so. The lock
file is removed while still held, and a waiter that wakes up on a removed
lock file starts again on the new one, so no two commands ever hold it at once.
"""

from __future__ import annotations

import errno
import os
import time
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from incidents.authoring import AuthoringError

fcntl: ModuleType | None
try:  # pragma: no cover - every POSIX system has it
    import fcntl
except ImportError:  # pragma: no cover - Windows: fall back to an exclusive create
    fcntl = None

WAIT_SECONDS = 30.0
_POLL = 0.02


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: Path, *, wait: float = WAIT_SECONDS, what: str = ""):
    """Hold the lock of `path` for the duration of the block; AuthoringError when it stays taken."""
    lock = lock_path(Path(path))
    deadline = time.monotonic() + wait
    fd = _acquire(lock, deadline, what or Path(path).name)
    try:
        yield
    finally:
        try:
            os.unlink(lock)
        except OSError:
            pass
        os.close(fd)  # closing releases the flock


def _acquire(lock: Path, deadline: float, what: str) -> int:
    while True:
        if fcntl is None:  # pragma: no cover
            try:
                return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
        else:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            else:
                try:
                    same = os.fstat(fd).st_ino == os.stat(lock).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    os.write(fd, f"{os.getpid()}\n".encode())
                    return fd
                os.close(fd)  # the holder removed it as we took it: start again on the new one
                continue
        if time.monotonic() >= deadline:
            raise AuthoringError(
                f"{what} is being edited by another command (its lock `{lock.name}` is held); nothing was "
                "written: run the command again when the other one has finished"
            )
        time.sleep(_POLL)
