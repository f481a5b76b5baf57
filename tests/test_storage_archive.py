"""The raw-message archive: content-addressed, idempotent, private, atomic."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from storage import atomic
from storage.archive import Archive
from storage.errors import CorruptDatabase

RAW = "From: a@example.cn\r\nSubject: 报名回执\r\n\r\nbody\r\n".encode()


def test_put_names_the_file_by_sha256(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    sha = archive.put(RAW)
    assert sha == hashlib.sha256(RAW).hexdigest()
    assert archive.path(sha) == tmp_path / "archive" / sha[:2] / f"{sha[2:]}.eml"
    assert archive.path(sha).read_bytes() == RAW
    assert archive.get(sha) == RAW
    assert sha in archive


def test_put_is_idempotent_and_never_rewrites(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(RAW)
    before = archive.path(sha).stat()
    writes: list[str] = []
    previous = atomic.set_step_hook(lambda step, target, tmp: writes.append(step))
    try:
        assert archive.put(RAW) == sha
    finally:
        atomic.set_step_hook(previous)
    assert writes == []
    after = archive.path(sha).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_different_content_gets_a_different_name(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    assert archive.put(RAW) != archive.put(RAW + b"x")
    assert len(list(tmp_path.rglob("*.eml"))) == 2


def test_missing_tampered_and_malformed_names(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(RAW)
    with pytest.raises(KeyError):
        archive.get("0" * 64)
    with pytest.raises(ValueError):
        archive.get("../../etc/passwd")
    assert "../x" not in archive
    archive.path(sha).write_bytes(b"changed")
    with pytest.raises(CorruptDatabase):
        archive.get(sha)
    assert archive.get(sha, verify=False) == b"changed"


@pytest.mark.parametrize("umask", [0o000, 0o777])
def test_archive_files_are_0600_and_directories_0700(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        archive = Archive(tmp_path / "root" / "archive")
        sha = archive.put(RAW)
    finally:
        os.umask(old)
    assert stat.S_IMODE(archive.path(sha).stat().st_mode) == 0o600
    for d in (tmp_path / "root", tmp_path / "root" / "archive", archive.path(sha).parent):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_failed_put_leaves_no_file_and_can_be_retried(tmp_path: Path) -> None:
    archive = Archive(tmp_path)

    def fail(step: str, target: Path, tmp: Path) -> None:
        if step == "temp_written":
            raise OSError("disk full")

    previous = atomic.set_step_hook(fail)
    try:
        with pytest.raises(OSError):
            archive.put(RAW)
    finally:
        atomic.set_step_hook(previous)
    sha = hashlib.sha256(RAW).hexdigest()
    assert sha not in archive
    assert list(archive.path(sha).parent.iterdir()) == []
    assert archive.put(RAW) == sha


def test_sweep_removes_only_old_temp_files(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(RAW)
    stale = archive.path(sha).parent / ".x.eml.1.ab.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    fresh = archive.path(sha).parent / ".y.eml.1.cd.tmp"
    fresh.write_bytes(b"half")
    assert archive.sweep_temp() == 1
    assert not stale.exists() and fresh.exists() and archive.path(sha).exists()
