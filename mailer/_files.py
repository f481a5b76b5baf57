"""Durable private files: temp file, fsync, rename, directory fsync; 0600 files, 0700 dirs."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
TMP_PREFIX = ".tmp-"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) if needed and make it mode 0700; return it."""
    p = Path(path)
    p.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(p.stat().st_mode) != DIR_MODE:
        os.chmod(p, DIR_MODE)
    return p


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(directory: Path, data: bytes) -> Path:
    """Write ``data`` to a new 0600 temp file in ``directory``, fsynced; return its path."""
    tmp = directory / f"{TMP_PREFIX}{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably (readers see old or new, never half)."""
    tmp = write_temp(path.parent, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_create(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` atomically unless it exists; True if this call created it.

    Uses link(2), which fails if the target exists, so two writers racing for
    the same name cannot both win and nobody ever sees a partial file.
    """
    tmp = write_temp(path.parent, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True


def safe_name(key: str, max_len: int = 100) -> str:
    """A file name derived from ``key``: readable, unique per key, no path tricks."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    readable = _UNSAFE.sub("_", key).strip("._")[:max_len]
    if readable and readable == key:
        return readable
    return f"{readable}-{digest[:16]}" if readable else digest
