"""Errors raised by the storage layer."""

from __future__ import annotations


class StorageError(Exception):
    """Base class for every storage failure."""


class StoreLocked(StorageError):
    """Another process (or another open Store in this process) holds the single-writer lock."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        holder = f"pid {pid}" if pid is not None else "an unknown process"
        super().__init__(f"{path} is locked by {holder}")


class CorruptDatabase(StorageError):
    """A database or archive file exists but cannot be read back as what we wrote."""
