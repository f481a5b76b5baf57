"""Durable private files: the one place where the store, the archive and the outbox write to disk.

Policy, for every file written here:

* files are 0600 and directories 0700, whatever the umask (``make_private_dir``);
* a write goes to a fresh temp file in the target's directory, named by ``temp_name``
  (``.<target name>.<pid>.<random>.tmp``, opened O_EXCL), which is fsynced and then either
  renamed over the target (``write_file_atomically``: replace) or hard-linked to it
  (``create_file_atomically``: create only if absent, so two writers racing for one name cannot
  both win); then the directory is fsynced.  A crash at any point leaves the old file (or none)
  or the new one, never a mix (contrast TinyDB's JSONStorage, which rewrites in place and
  truncates afterwards: tinydb issue 301);
* temp files left by a crashed writer are removed by ``sweep_temp_files``: by the store when it
  opens (it holds the single-writer lock, so every temp file is a dead writer's), by the archive
  and the outbox once they are old (other processes may be writing there).

For crash-injection tests, ``set_step_hook(fn)`` installs ``fn(step, target, tmp)`` which is called
after each step of a write; ``STEPS`` lists the step names in order.  Steps before "replaced"
leave the old content (or no file) in place; "replaced" and later leave the new one.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"
LEGACY_TEMP_PREFIX = ".tmp-"  # the outbox's temp files before this module wrote them; still swept
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
    """Make ``directory`` exist with mode 0700 whatever the umask, creating missing parents 0700 too.

    The directory itself is made 0700 if it already existed with another mode; parents that
    already existed keep theirs.  The parent of each new directory is fsynced so the new entry
    survives a crash.
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
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def temp_name(target: Path) -> str:
    """The name of a new temp file for a write to ``target``: hidden, unique, and ending in .tmp."""
    return f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    return (name.startswith(".") and name.endswith(TEMP_SUFFIX)) or name.startswith(LEGACY_TEMP_PREFIX)


def sweep_temp_files(directory: str | os.PathLike[str], *, older_than: float | None = None) -> list[str]:
    """Delete the temp files in ``directory`` (only those older than ``older_than`` seconds, if given).

    Without ``older_than`` every temp file goes: call it so only while no other writer can be
    writing there (the store does, holding its lock).  Returns the names of the files removed.
    """
    cutoff = None if older_than is None else time.time() - older_than
    removed = []
    for f in Path(directory).iterdir():
        if not is_temp_name(f.name):
            continue
        try:
            info = f.stat()
            if not stat.S_ISREG(info.st_mode) or (cutoff is not None and info.st_mtime >= cutoff):
                continue
            f.unlink()
        except FileNotFoundError:
            continue  # finished (renamed) or swept by someone else meanwhile
        removed.append(f.name)
    return removed


def _write_temp(target: Path, data: bytes) -> Path:
    """A new 0600 temp file beside ``target`` holding ``data``, fsynced; removed again on failure."""
    tmp = target.with_name(temp_name(target))
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, FILE_MODE)
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
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_file_atomically(target: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``target`` by ``data`` so that a crash leaves the old or the new content."""
    target = Path(target)
    tmp = _write_temp(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    _step("replaced", target, tmp)
    fsync_dir(target.parent)
    _step("dir_synced", target, tmp)


def create_file_atomically(target: str | os.PathLike[str], data: bytes) -> bool:
    """Create ``target`` holding ``data`` unless it exists; True if this call created it.

    Uses link(2), which fails if the target exists, so two writers racing for the same name
    cannot both win and nobody ever sees a partial file.
    """
    target = Path(target)
    tmp = _write_temp(target, data)
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    finally:
        _remove(tmp)
    _step("replaced", target, tmp)
    fsync_dir(target.parent)
    _step("dir_synced", target, tmp)
    return True
