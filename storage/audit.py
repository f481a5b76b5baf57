"""The audit log: who did what to which object, when, from where, why, and what it was before and after.

Append-only JSON lines in ``<storage>/console/audit.jsonl`` (0600).  Each entry carries the SHA-256
of the one before it and its own (``prev``, ``hash``), so an entry changed or removed afterwards
breaks the chain (``AuditLog.verify``), as Request Tracker's and Zammad's histories are kept
immutable.  Writers take the file's own lock (``audit.jsonl.lock``: the console inside the daemon,
and `intake user` or `intake purge` from the command line), append one line and fsync it; readers
follow the file from where they stopped, so the console sees what a command wrote.

``purge(before)`` (docs/retention.md) rewrites the file without the entries older than a date (they
hold personal data: the old and new values of a correction) and starts it with an anchor entry
naming the hash of the last entry removed, so the chain still verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .atomic import FILE_MODE, make_private_dir, write_file_atomically
from .errors import StorageError
from .lock import FileLock

GENESIS = "0" * 64
ANCHOR = "purge.anchor"  # the first line after a purge: stands in for the entries removed
LOCK_WAIT = 10.0


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action.  old/new: the values before and after (any JSON; None when not a change)."""

    at: str  # ISO 8601 with its zone
    user: str  # the console user, or "cli:<login>" for a command
    action: str  # "correct", "accept", "user.add" ... (docs/console.md lists them)
    object: str  # what it acted on: "gz-status/1/河南 v3", "question 0a1b2c3d4e5f", "user wang"
    reason: str = ""
    ip: str = ""
    period: str = ""  # "gz-status/1" when it concerns one
    province: str = ""
    old: Any = None
    new: Any = None
    seq: int = 0
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself."""
        data = asdict(self)
        data.pop("hash")
        return data

    def sealed(self, seq: int, prev: str) -> AuditEntry:
        entry = replace(self, seq=seq, prev=prev, hash="")
        return replace(entry, hash=_digest(entry.body()))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditEntry:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def _digest(body: Mapping[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Read:
    offset: int = 0
    inode: int = 0
    entries: list[AuditEntry] = field(default_factory=list)


class AuditLog:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        make_private_dir(self.path.parent)
        self._read = _Read()

    # -- reading -----------------------------------------------------------------------------
    def _follow(self) -> list[AuditEntry]:
        """The entries, reading only what was appended since the last call (all of it after a rewrite)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._read = _Read()
            return []
        if st.st_ino != self._read.inode or st.st_size < self._read.offset:
            self._read = _Read(inode=st.st_ino)
        if st.st_size > self._read.offset:
            with self.path.open("rb") as f:
                f.seek(self._read.offset)
                chunk = f.read(st.st_size - self._read.offset)
            complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written is read next time
            self._read.entries += [
                AuditEntry.from_json(json.loads(line)) for line in complete.splitlines() if line.strip()
            ]
            self._read.offset += len(complete)
        return self._read.entries

    def entries(self) -> list[AuditEntry]:
        """Every entry, oldest first."""
        return list(self._follow())

    def find(
        self, *, period: str = "", province: str = "", user: str = "", action: str = "", limit: int = 500
    ) -> list[AuditEntry]:
        """The entries matching every filter given, newest first, at most limit."""
        out: list[AuditEntry] = []
        for entry in reversed(self._follow()):
            if (
                (not period or entry.period == period)
                and (not province or entry.province == province)
                and (not user or entry.user == user)
                and (not action or entry.action == action)
            ):
                out.append(entry)
                if len(out) >= limit:
                    break
        return out

    def verify(self) -> int | None:
        """The seq of the first entry whose chain is broken, or None when every entry checks."""
        prev: str | None = None
        for i, entry in enumerate(self._follow()):
            anchor = i == 0 and entry.action == ANCHOR  # its hash is the removed entry's
            if (not anchor and entry.hash != _digest(entry.body())) or (
                prev is not None and entry.prev != prev
            ):
                return entry.seq
            prev = entry.hash
        return None

    # -- writing (any process) -----------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = FileLock(f"{self.path}.lock").acquire_waiting(LOCK_WAIT)
        try:
            yield
        finally:
            lock.release()

    def append(self, entry: AuditEntry) -> AuditEntry:
        """Seal the entry onto the chain and write it durably; returns it with its seq and hash."""
        with self._locked():
            entries = self._follow()
            last = entries[-1] if entries else None
            sealed = entry.sealed(last.seq + 1 if last else 1, last.hash if last else GENESIS)
            line = json.dumps(asdict(sealed), ensure_ascii=False, default=str) + "\n"
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            self._follow()
            return sealed

    def purge(self, before: datetime) -> int:
        """Remove the entries older than ``before`` (a prefix of the log); returns how many.

        The file then opens with an anchor standing in for the last entry removed (its seq, prev and
        hash, and how many were removed), so the kept entries, unchanged, still verify."""
        with self._locked():
            entries = self._follow()
            cut = next((i for i, e in enumerate(entries) if _when(e.at) >= before), len(entries))
            if cut == 0:
                return 0
            last = entries[cut - 1]
            removed = cut - (1 if entries[0].action == ANCHOR else 0)
            anchor = replace(
                last,
                action=ANCHOR,
                user="",
                ip="",
                object="",
                reason="",
                period="",
                province="",
                old=None,
                new={"removed_before": before.isoformat(), "removed": removed},
            )
            lines = [anchor, *entries[cut:]]
            data = "".join(json.dumps(asdict(e), ensure_ascii=False, default=str) + "\n" for e in lines)
            write_file_atomically(self.path, data.encode())
            self._read = _Read()
            return removed


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise StorageError(f"audit entry with an unreadable time {text!r}") from exc
