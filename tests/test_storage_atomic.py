"""AtomicJSONStorage: whole-file atomic writes, write-through cache, honest failures."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinydb import TinyDB

from storage import atomic, json_storage
from storage.atomic import write_file_atomically
from storage.errors import CorruptDatabase
from storage.json_storage import AtomicJSONStorage


class Boom(Exception):
    pass


@pytest.fixture
def failing_at() -> Iterator[list[str]]:
    """Append a step name to make the next write to any file raise Boom after that step."""
    steps: list[str] = []

    def hook(name: str, target: Path, tmp: Path) -> None:
        if name in steps:
            steps.clear()
            raise Boom(name)

    previous = atomic.set_step_hook(hook)
    yield steps
    atomic.set_step_hook(previous)


def test_missing_and_empty_files_read_as_no_database(tmp_path: Path) -> None:
    assert AtomicJSONStorage(tmp_path / "absent.json").read() is None
    (tmp_path / "empty.json").write_bytes(b"")
    assert AtomicJSONStorage(tmp_path / "empty.json").read() is None
    assert not (tmp_path / "absent.json").exists(), "reading must not create the file"


@pytest.mark.parametrize("content", [b'{"t": {"1": {"a": 1}}}garbage', b"\xff\xfe", b"[1, 2]", b'{"t": 3}'])
def test_unparsable_file_raises_corrupt_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content)
    with pytest.raises(CorruptDatabase, match="db.json"):
        AtomicJSONStorage(path).read()


def test_write_is_utf8_json_in_insertion_order(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"tables": {"2": {"姓名": "张三", "b": 1, "a": 2}}})
    text = path.read_text("utf-8")
    assert "张三" in text
    assert text.index('"b"') < text.index('"a"')
    assert json.loads(text) == {"tables": {"2": {"姓名": "张三", "b": 1, "a": 2}}}


def test_reads_are_served_from_memory_after_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    with TinyDB(str(path), storage=AtomicJSONStorage) as db:
        db.insert({"a": 1})
        monkeypatch.setattr(json_storage, "read_json_file", lambda p: pytest.fail("read the file again"))
        db.insert({"a": 2})
        assert [d["a"] for d in db.all()] == [1, 2]
    monkeypatch.undo()
    with TinyDB(str(path), storage=AtomicJSONStorage) as db:
        assert [d["a"] for d in db.all()] == [1, 2]


@pytest.mark.parametrize("step", atomic.STEPS)
def test_failed_write_leaves_memory_matching_disk(tmp_path: Path, failing_at: list[str], step: str) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(str(path), storage=AtomicJSONStorage)
    db.insert({"n": 1})
    failing_at.append(step)
    with pytest.raises(Boom):
        db.insert({"n": 2})
    on_disk = json.loads(path.read_text("utf-8"))
    expected = [1] if step in ("temp_opened", "temp_written", "temp_synced") else [1, 2]
    assert sorted(d["n"] for d in on_disk["_default"].values()) == expected
    assert sorted(d["n"] for d in db.all()) == expected
    db.insert({"n": 3})
    db.close()
    with TinyDB(str(path), storage=AtomicJSONStorage) as again:
        assert sorted(d["n"] for d in again.all()) == [*expected, 3]
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"], "no temp file left after a failure"


def test_unserialisable_data_does_not_touch_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {"1": {"a": 1}}})
    with pytest.raises(ValueError):
        storage.write({"t": {"1": {"a": float("nan")}}})
    assert storage.read() == {"t": {"1": {"a": 1}}}


@pytest.mark.parametrize("umask", [0o000, 0o777])
def test_written_files_are_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_file_atomically(tmp_path / "f.json", b"{}")
        AtomicJSONStorage(tmp_path / "g.json").write({})
    finally:
        os.umask(old)
    for name in ("f.json", "g.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_make_private_dir_creates_nested_0700_and_leaves_existing_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    old = os.umask(0)
    try:
        atomic.make_private_dir(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_create_is_all_or_nothing_and_only_once(tmp_path: Path, failing_at: list[str]) -> None:
    target = tmp_path / "item.json"
    failing_at.append("temp_synced")
    with pytest.raises(Boom):
        atomic.create_file_atomically(target, b"first")
    assert list(tmp_path.iterdir()) == [], "a failed create leaves neither the file nor its temp file"
    assert atomic.create_file_atomically(target, b"first")
    assert not atomic.create_file_atomically(target, b"second")  # the first writer wins
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["item.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_sweep_removes_temp_files_of_both_namings_and_nothing_else(tmp_path: Path) -> None:
    keep = [tmp_path / "db.json", tmp_path / ".hidden", tmp_path / "x.tmp"]
    junk = [tmp_path / atomic.temp_name(tmp_path / "db.json"), tmp_path / ".tmp-0123abcd"]
    for p in keep + junk:
        p.write_bytes(b"x")
    old = os.stat(junk[0]).st_mtime - 7200
    os.utime(junk[1], (old, old))
    assert atomic.sweep_temp_files(tmp_path, older_than=3600) == [junk[1].name]  # only the stale one
    assert sorted(atomic.sweep_temp_files(tmp_path)) == [junk[0].name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)
