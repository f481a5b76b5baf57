"""Store-wide behaviour: rate-limit counts, polls, meta, file modes, lifecycle."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from rules.verdict import Status
from storage.errors import CorruptDatabase, StorageError, StoreLocked
from storage.records import MessageOutcome, MessageRecord, StoredVerdict
from storage.store import Store
from storage.versions import NewVersion


def test_reply_counts_survive_reopen(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.count_replies("gd@example.cn", day="2024-05-01") == 0
        assert store.note_reply("gd@example.cn", day="2024-05-01") == 1
        assert store.note_reply("GD@Example.cn ", day="2024-05-01") == 2  # same sender, any case
        store.note_reply("gd@example.cn", day="2024-05-02")
    with Store(tmp_path) as store:
        assert store.count_replies("gd@example.cn", day="2024-05-01") == 2
        assert store.count_replies("gd@example.cn", day="2024-05-02") == 1
        assert store.count_replies("gx@example.cn", day="2024-05-01") == 0
        assert store.note_reply("gd@example.cn", day="2024-05-01") == 3


def test_polls_and_meta_survive_reopen(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.last_poll("INBOX") is None
        store.note_poll("INBOX", "2024-05-01T10:00:00+08:00")
        store.note_poll("INBOX", "2024-05-01T10:05:00+08:00")
        assert store.meta_get("last_digest") is None
        assert store.meta_get("last_digest", "never") == "never"
        store.meta_set("last_digest", {"day": "2024-05-01", "provinces": ["广东"]})
    with Store(tmp_path) as store:
        assert store.last_poll("INBOX") == "2024-05-01T10:05:00+08:00"
        assert store.meta_get("last_digest") == {"day": "2024-05-01", "provinces": ["广东"]}


def test_meta_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        with pytest.raises(TypeError):
            store.meta_set("k", {1, 2})
        assert store.meta_get("k") is None
        value = {"list": [1]}
        store.meta_set("k", value)
        value["list"].append(2)  # the caller's object is not shared
        assert store.meta_get("k") == {"list": [1]}


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_database_files_are_0600_and_directories_0700(tmp_path: Path, umask: int) -> None:
    directory = tmp_path / "var" / "intake"
    old = os.umask(umask)
    try:
        with Store(directory) as store:
            store.meta_set("k", 1)
            store.record_message(
                MessageRecord(
                    mailbox="INBOX",
                    uidvalidity=1,
                    uid=1,
                    message_id="<a@x>",
                    sha256="a" * 64,
                    received="",
                    outcome=MessageOutcome.IGNORED,
                    sender="a@x",
                    verdict=None,
                )
            )
            store.add_submission(
                NewVersion(
                    program="P",
                    period=1,
                    province="广东",
                    verdict=StoredVerdict(status=Status.ACCEPTED),
                    message_sha="a" * 64,
                    sender="a@x",
                    received="",
                    status=Status.ACCEPTED,
                )
            )
            store.note_reply("a@x", day="2024-05-01")
    finally:
        os.umask(old)
    files = [p for p in directory.rglob("*") if p.is_file()]
    dirs = [directory.parent, directory, *(p for p in directory.rglob("*") if p.is_dir())]
    assert {p.name for p in files} >= {"intake.json", "intake.json.lock", "000001.json"}
    assert len(files) == 5
    assert {p: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {p: "0o600" for p in files}
    assert {p: oct(stat.S_IMODE(p.stat().st_mode)) for p in dirs} == {p: "0o700" for p in dirs}


def test_closed_store_refuses_calls_and_close_is_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.close()
    store.close()
    assert store.closed
    with pytest.raises(StorageError, match="closed"):
        store.seen("INBOX", 1, 1)


def test_leftover_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    Store(tmp_path).close()
    junk = [tmp_path / ".intake.json.123.abcd.tmp", tmp_path / "messages" / ".000001.json.1.ef.tmp"]
    for p in junk:
        p.write_text('{"half')
    Store(tmp_path).close()
    assert not any(p.exists() for p in junk)


@pytest.mark.parametrize(
    "err",
    [
        StorageError("store is closed"),
        StoreLocked("/var/intake.json.lock", 4242),
        StoreLocked("/x", None),
        CorruptDatabase("/var/intake.json", "not valid UTF-8 JSON"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling_with_their_fields_and_args(err: StorageError) -> None:
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert again.args == err.args == tuple(getattr(err, f) for f in err.fields)
    assert vars(again) == vars(err) and str(again) == str(err)
