"""Crash-safe file writes and a TinyDB storage built on them.

Every write goes to a fresh temp file in the target's directory (mode 0600, O_EXCL), is fsynced,
renamed over the target with os.replace() and then the directory is fsynced.  A crash at any
point leaves either the old file or the new one, never a mix (contrast TinyDB's JSONStorage,
which rewrites in place and truncates afterwards: tinydb issue 301).

For crash-injection tests, ``set_step_hook(fn)`` installs ``fn(step, target, tmp)`` which is called
after each step of a write; ``STEPS`` lists the step names in order.  Steps before "replaced"
leave the old content in place; "replaced" and later leave the new one.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from .errors import CorruptDatabase

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"
STEPS = ("temp_opened", "temp_written", "temp_synced", "replaced", "dir_synced")

StepHook = Callable[[str, Path, Path], None]
_step_hook: StepHook | None = None


def set_step_hook(hook: StepHook | None) -> StepHook | None:
    """Install a hook called as hook(step, target, tmp) after every write step; return the old one."""
    global _step_hook
    previous, _step_hook = _step_hook, hook
    return previous


def _step(name: str, target: Path, tmp: Path) -> None:
    if _step_hook is not None:
        _step_hook(name, target, tmp)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(directory: str | os.PathLike[str]) -> Path:
    """Create ``directory`` (and missing parents) with mode 0700 whatever the umask.

    Only directories created here are chmodded; an existing directory keeps its mode.  The parent
    of each new directory is fsynced so the new entry survives a crash.
    """
    path = Path(directory)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for new in reversed(missing):
        try:
            os.mkdir(new, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(new, DIR_MODE)
        fsync_dir(new.parent)
    return path


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def write_file_atomically(target: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``target`` by ``data`` so that a crash leaves the old or the new content."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, FILE_MODE)
    replaced = False
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # umask-independent
            _step("temp_opened", target, tmp)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            _step("temp_written", target, tmp)
            os.fsync(fd)
            _step("temp_synced", target, tmp)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        replaced = True
        _step("replaced", target, tmp)
        fsync_dir(target.parent)
        _step("dir_synced", target, tmp)
    except BaseException:
        if not replaced:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def read_json_file(path: str | os.PathLike[str]) -> Any | None:
    """Parse a JSON file; a missing or empty file gives None, anything unparsable CorruptDatabase."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise CorruptDatabase(f"{path}: not valid UTF-8 JSON ({e})") from e


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=False, allow_nan=False).encode("utf-8")


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, written atomically on every write, cached in memory.

    The last data read or written is kept in memory, so reads after the first cost nothing;
    every write goes straight to disk (write-through), so nothing is lost if the process dies.
    If a write fails, the cache is dropped and the next read re-reads the file, so memory never
    drifts from disk (TinyDB mutates the dict returned by read() before calling write()).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self.size = 0  # bytes of the file as last read or written
        self.writes = 0  # successful writes through this instance
        self.bytes_written = 0

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            data = read_json_file(self.path)
            if data is not None and not (
                isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())
            ):
                raise CorruptDatabase(f"{self.path}: not a TinyDB document (expected an object of tables)")
            self._data = data
            self._loaded = True
            self.size = self.path.stat().st_size if data is not None else 0
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = dumps(data)
            write_file_atomically(self.path, payload)
        except BaseException:
            self.invalidate()
            raise
        self._data = data
        self._loaded = True
        self.size = len(payload)
        self.writes += 1
        self.bytes_written += len(payload)

    def invalidate(self) -> None:
        """Forget the cached data; the next read() parses the file again."""
        self._data = None
        self._loaded = False

    def close(self) -> None:
        self.invalidate()
