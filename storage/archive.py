"""Content-addressed archive of raw message bytes: root/ab/cdef....eml named by sha256.

Writes are atomic (temp + fsync + rename + directory fsync) and idempotent: a file that already
exists under its hash is never rewritten.  Files are 0600 and directories 0700 whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .atomic import make_private_dir, sweep_temp_files, write_file_atomically
from .errors import CorruptDatabase

_SHA = re.compile(r"[0-9a-f]{64}")


def _check(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise ValueError(f"not a sha256 hex digest: {sha!r}")
    return sha


class Archive:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = make_private_dir(root)

    def path(self, sha: str) -> Path:
        _check(sha)
        return self.root / sha[:2] / f"{sha[2:]}.eml"

    def __contains__(self, sha: object) -> bool:
        return isinstance(sha, str) and _SHA.fullmatch(sha) is not None and self.path(sha).is_file()

    def put(self, raw: bytes) -> str:
        """Store ``raw`` and return its sha256 hex digest; a no-op when already stored."""
        sha = hashlib.sha256(raw).hexdigest()
        target = self.path(sha)
        if target.is_file():
            return sha
        make_private_dir(target.parent)
        write_file_atomically(target, bytes(raw))
        return sha

    def get(self, sha: str, *, verify: bool = True) -> bytes:
        """Raw bytes stored under ``sha``; KeyError when absent, CorruptDatabase if they do not hash back."""
        try:
            data = self.path(sha).read_bytes()
        except FileNotFoundError:
            raise KeyError(sha) from None
        if verify and hashlib.sha256(data).hexdigest() != sha:
            raise CorruptDatabase(str(self.path(sha)), "content does not match its sha256")
        return data

    def sweep_temp(self, older_than: float = 3600.0) -> int:
        """Remove temp files left by crashed writers, if older than ``older_than`` seconds."""
        subdirs = (sub for sub in self.root.iterdir() if sub.is_dir() and len(sub.name) == 2)
        return sum(len(sweep_temp_files(sub, older_than=older_than)) for sub in subdirs)
