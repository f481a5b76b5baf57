"""The message log: seen by UID, seen by content, failures and quarantine, counts, bounded writes."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import atomic, json_storage
from storage.records import MessageRecord, StoredVerdict
from storage.store import Store

SHA_A = hashlib.sha256(b"message a").hexdigest()
SHA_B = hashlib.sha256(b"message b").hexdigest()
VERDICT = {
    "status": "accepted",
    "program": "P",
    "period": 3,
    "province": "广东",
    "participants": [{"name": "张三", "mobile": "13800000000"}],
    "problems": [],
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path) as s:
        yield s


def record(
    store: Store,
    uid: int,
    sha: str = SHA_A,
    *,
    uidvalidity: int = 1,
    outcome: str = "processed",
    mailbox: str = "INBOX",
    message_id: str = "<a@example.cn>",
) -> None:
    store.record_message(
        MessageRecord(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            message_id=message_id,
            sha256=sha,
            received="2024-05-01T10:00:00+08:00",
            outcome=outcome,  # type: ignore[arg-type]  # a str on purpose: the store checks it (an unknown one is refused)
            sender="a@example.cn",
            verdict=StoredVerdict.from_json(VERDICT) if outcome == "processed" else None,
        )
    )


def fail(store: Store, uid: int, error: str) -> int:
    return store.record_failure(
        mailbox="INBOX", uidvalidity=1, uid=uid, message_id="<a@example.cn>", sha256=SHA_A, error=error
    )


def test_recorded_uid_is_seen_and_others_are_not(store: Store) -> None:
    assert not store.seen("INBOX", 1, 10)
    record(store, 10)
    assert store.seen("INBOX", 1, 10)
    assert not store.seen("INBOX", 1, 11)
    assert not store.seen("INBOX", 2, 10)
    assert not store.seen("Other", 1, 10)


def test_same_content_under_a_new_uidvalidity_is_recognised(store: Store) -> None:
    record(store, 10, uidvalidity=1)
    assert not store.seen("INBOX", 99, 3)  # the server renumbered the mailbox
    assert store.seen_content(message_id="<a@example.cn>", sha256=SHA_A)
    assert not store.seen_content(message_id="<a@example.cn>", sha256=SHA_B)
    assert not store.seen_content(message_id="<other@example.cn>", sha256=SHA_A)


def test_failures_count_up_without_making_the_message_seen(store: Store) -> None:
    assert fail(store, 5, "ReaderError: bad xlsx") == 1
    assert fail(store, 5, "ReaderError: bad xlsx") == 2
    assert store.failures("INBOX", 1, 5) == 2
    assert not store.seen("INBOX", 1, 5)
    assert not store.seen_content(message_id="<a@example.cn>", sha256=SHA_A)
    assert store.counts("INBOX")["pending"] == 1
    record(store, 5, outcome="quarantined")
    assert store.seen("INBOX", 1, 5)
    assert store.seen_content(message_id="<a@example.cn>", sha256=SHA_A)
    message = store.message("INBOX", 1, 5)
    assert message is not None
    assert message.outcome == "quarantined" and message.failures == 2
    assert [e.error for e in message.errors] == ["ReaderError: bad xlsx"] * 2
    assert store.counts("INBOX") == {
        "processed": 0,
        "ignored": 0,
        "failed": 0,
        "quarantined": 1,
        "pending": 0,
        "duplicate": 0,
    }


def test_counts_are_per_mailbox_and_outcome_and_survive_reopen(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        record(store, 1)
        record(store, 2, SHA_B, outcome="ignored")
        record(store, 3, outcome="failed")
        record(store, 1, mailbox="Junk")
        record(store, 1, outcome="ignored")  # re-recording replaces, not adds
        expected = {"processed": 0, "ignored": 2, "failed": 1, "quarantined": 0, "pending": 0, "duplicate": 0}
        assert store.counts("INBOX") == expected
    with Store(tmp_path) as store:
        assert store.counts("INBOX") == expected
        assert store.counts("Junk")["processed"] == 1
        assert store.counts("Nowhere") == dict.fromkeys(expected, 0)


def test_unknown_outcome_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="outcome"):
        record(store, 1, outcome="done")
    assert not store.seen("INBOX", 1, 1)


def test_message_by_sha_returns_the_latest_record_with_its_verdict(store: Store) -> None:
    record(store, 1, uidvalidity=1)
    record(store, 7, uidvalidity=2, outcome="ignored")
    found = store.message_by_sha(SHA_A)
    assert found is not None and (found.uidvalidity, found.uid) == (2, 7)
    assert store.message_by_sha(SHA_B) is None
    first = store.message("INBOX", 1, 1)
    assert first is not None and first.verdict == StoredVerdict.from_json(VERDICT)


def test_returned_records_are_copies(store: Store) -> None:
    record(store, 1)
    got = store.message("INBOX", 1, 1)
    assert got is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.verdict = None  # type: ignore[misc]  # records are frozen, their lists tuples
    again = store.message("INBOX", 1, 1)
    assert again is not None and again.verdict == StoredVerdict.from_json(VERDICT)


def test_messages_spread_over_segments_and_reopen_intact(tmp_path: Path) -> None:
    with Store(tmp_path, segment_docs=10) as store:
        for uid in range(1, 36):
            record(store, uid, hashlib.sha256(str(uid).encode()).hexdigest())
        fail(store, 3, "late failure")  # old segment
        assert store.messages_table.segments == 4
    assert sorted(p.name for p in (tmp_path / "messages").iterdir()) == [
        "000001.json",
        "000002.json",
        "000003.json",
        "000004.json",
    ]
    with Store(tmp_path, segment_docs=10) as store:
        assert all(store.seen("INBOX", 1, uid) for uid in range(1, 36))
        assert store.failures("INBOX", 1, 3) == 1
        assert store.counts("INBOX")["processed"] == 35


def test_write_after_a_failed_insert_does_not_duplicate_the_key(tmp_path: Path) -> None:
    def fail(step: str, target: Path, tmp: Path) -> None:
        if step == "dir_synced":  # the new file is in place, then the write reports an error
            raise OSError("EIO")

    with Store(tmp_path) as store:
        previous = atomic.set_step_hook(fail)
        try:
            with pytest.raises(OSError):
                record(store, 1)
        finally:
            atomic.set_step_hook(previous)
        assert store.seen("INBOX", 1, 1)  # memory follows the disk
        record(store, 1, outcome="ignored")
        assert store.counts("INBOX")["ignored"] == 1
    with Store(tmp_path) as store:  # would raise CorruptDatabase on a duplicate key
        assert store.counts("INBOX") == {
            "processed": 0,
            "ignored": 1,
            "failed": 0,
            "quarantined": 0,
            "pending": 0,
            "duplicate": 0,
        }


def test_bytes_rewritten_per_message_do_not_grow_with_the_log(tmp_path: Path) -> None:
    sizes: list[int] = []
    with Store(tmp_path, segment_docs=50) as store:
        for uid in range(1, 1001):
            record(store, uid, hashlib.sha256(str(uid).encode()).hexdigest())
            sizes.append(store.messages_table.last_write_size())
    assert max(sizes[950:]) <= 1.5 * max(sizes[50:100])


@pytest.mark.slow
def test_recording_the_10000th_message_writes_about_the_bytes_of_the_100th(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The work that could grow with the log is the bytes serialised and rewritten per record:
    # count every byte handed to the durable-file layer by the TinyDB storage (segments bound a
    # write).  The time it takes is measured in bench/growth.py (BENCHMARKS.md), not here.
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # the disk's part is not what is counted
    handed: list[int] = []
    write = atomic.write_file_atomically  # the function json_storage calls

    def counting_write(target: str | os.PathLike[str], data: bytes) -> None:
        handed.append(len(data))
        write(target, data)

    monkeypatch.setattr(json_storage, "write_file_atomically", counting_write)
    per_record: list[int] = []
    with Store(tmp_path) as store:
        for uid in range(1, 10_001):
            handed.clear()
            record(store, uid, hashlib.sha256(str(uid).encode()).hexdigest())
            assert handed, f"record {uid} wrote nothing"
            per_record.append(sum(handed))
    early, late = per_record[0:100], per_record[9900:10_000]  # the same places in their segments
    print(f"bytes written per record: 100th {per_record[99]}, 10000th {per_record[9999]}")
    assert per_record[9999] <= 1.5 * per_record[99]
    assert max(late) <= 1.5 * max(early) and statistics.median(late) <= 1.5 * statistics.median(early)
