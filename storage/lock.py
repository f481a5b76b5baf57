"""The one lock of the storage layer and the outbox: fcntl.flock(LOCK_EX | LOCK_NB) on a lock file.

Non-blocking: acquire() raises StoreLocked, naming the holder's pid written in the file, when
someone else holds it; acquire_waiting() tries again for a while first (the users file and the
audit log, written by short commands beside the daemon).  The store holds "<db>.lock" for as long as it is open (single writer);
the outbox takes its ".lock" for one delivery round (mailer.outbox.Outbox.lock).

flock() locks belong to the open file description, so a second open of the same lock file
conflicts even inside one process.  The descriptor is O_CLOEXEC, so programs we exec (LibreOffice
and the like) do not inherit it; a plain fork() without exec would share it.  The lock file is
never deleted (unlinking lock files races with a waiting opener); the kernel drops the lock when
the holder dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from .atomic import FILE_MODE
from .errors import StoreLocked


class FileLock:
    """An exclusive, non-blocking flock on ``path``, holding our pid while held; re-acquiring is a no-op."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> FileLock:
        if self._fd is not None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreLocked(str(self.path), _read_pid(fd)) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def acquire_waiting(self, seconds: float, poll: float = 0.02) -> FileLock:
        """acquire(), trying again for up to ``seconds`` while another holds it; then StoreLocked."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return self.acquire()
            except StoreLocked:
                if time.monotonic() > deadline:
                    raise
                time.sleep(poll)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
