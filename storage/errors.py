"""Errors raised by the storage layer.

Every error carries its data as declared fields, ``args`` holds the same values in the same
order (as aiosmtplib's errors do), and ``pickle.loads(pickle.dumps(e))`` gives an equal error.

    StorageError        .message        (the store is closed, ...)
    ├── StoreLocked     .path .pid      another holder has the lock file
    └── CorruptDatabase .path .problem  a file cannot be read back as what we wrote
"""

from __future__ import annotations

from typing import Any, ClassVar


def _rebuild(cls: type[StorageError], fields: dict[str, Any]) -> StorageError:
    return cls(**fields)


class StorageError(Exception):
    """Base class for every storage failure."""

    fields: ClassVar[tuple[str, ...]] = ("message",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), dict(zip(self.fields, self.args, strict=True)))


class StoreLocked(StorageError):
    """Another process (or another open holder in this process) holds the lock file at ``path``."""

    fields: ClassVar[tuple[str, ...]] = ("path", "pid")

    def __init__(self, path: str, pid: int | None) -> None:
        holder = f"pid {pid}" if pid is not None else "an unknown process"
        super().__init__(f"{path} is locked by {holder}")
        self.path = path
        self.pid = pid
        self.args = (path, pid)

    def __str__(self) -> str:
        return self.message


class CorruptDatabase(StorageError):
    """A database or archive file exists but cannot be read back as what we wrote."""

    fields: ClassVar[tuple[str, ...]] = ("path", "problem")

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
        self.args = (path, problem)

    def __str__(self) -> str:
        return self.message
