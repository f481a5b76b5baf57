"""A store written before the typed records (tests/data/store-9e50fad, by the code of commit 9e50fad) loads.

Its files hold messages (processed, ignored, duplicate, failed-only, quarantined), three versions
of 河南 and one of 广东, reply counts, a poll and the organizers' notes.  Every record reads back
typed, writes back the very JSON it was read from, and the store goes on from where it was.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rules.verdict import Status
from storage.notes import DigestNote, ReminderNote
from storage.readonly import ReadOnlyStore
from storage.records import MessageOutcome, MessageRecord, Severity, StoredVerdict
from storage.store import Store
from storage.versions import NewVersion, SubmissionVersion
from tests.helpers import DATA

LEGACY = DATA / "store-9e50fad"
HENAN = ("gz-status", 1, "河南")


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return Path(shutil.copytree(LEGACY, tmp_path / "state"))


@pytest.fixture
def store(directory: Path) -> Iterator[Store]:
    with Store(directory) as s:
        yield s


def documents(folder: Path, table: str) -> list[dict]:
    docs = []
    for path in sorted(folder.glob("*.json")):
        for doc in json.loads(path.read_text(encoding="utf-8"))[table].values():
            docs.append({k: v for k, v in doc.items() if k != "key"})
    return docs


@pytest.mark.parametrize(
    ("table", "record"), [("messages", MessageRecord), ("submissions", SubmissionVersion)]
)
def test_every_stored_document_reads_typed_and_writes_back_unchanged(
    table: str, record: type[MessageRecord] | type[SubmissionVersion]
) -> None:
    docs = documents(LEGACY / table, table)
    assert docs
    for doc in docs:
        assert json.loads(json.dumps(record.from_json(doc).to_json())) == doc


def test_messages_read_back_with_their_outcomes_failures_and_verdicts(store: Store) -> None:
    assert store.counts("INBOX") == {
        "processed": 4,
        "ignored": 1,
        "failed": 0,
        "quarantined": 1,
        "pending": 1,
        "duplicate": 1,  # an ignored message that repeated a processed one: counted apart
    }
    assert all(store.seen("INBOX", 7, uid) for uid in (1, 2, 3, 4, 5, 6, 9))
    assert not store.seen("INBOX", 7, 8) and store.failures("INBOX", 7, 8) == 1
    quarantined = store.message("INBOX", 7, 9)
    assert quarantined is not None and quarantined.outcome is MessageOutcome.QUARANTINED
    assert quarantined.failures == 3 and [e.error for e in quarantined.errors] == ["ValueError: boom"] * 3
    pending = store.message("INBOX", 7, 8)
    assert pending is not None and pending.outcome is None and pending.verdict is None
    auto = store.message("INBOX", 7, 5)
    assert auto is not None and auto.verdict is not None and auto.verdict.status is Status.IGNORED
    first = store.message_by_sha(auto.sha256)
    assert first is not None and first.uid == 5
    assert store.seen_content(message_id="<m1@haedu.cn>", sha256=store.versions(*HENAN)[0].message_sha)


def test_versions_read_back_with_rosters_problems_and_diffs(store: Store) -> None:
    versions = store.versions(*HENAN)
    assert [(v.version, v.status, v.previous_accepted) for v in versions] == [
        (1, Status.ACCEPTED, None),
        (2, Status.REJECTED, 1),
        (3, Status.ACCEPTED, 1),
    ]
    v2, v3 = versions[1], versions[2]
    assert [(p.code, p.severity, p.row, p.field) for p in v2.verdict.problems] == [
        ("bad_mobile", Severity.ERROR, 7, "mobile")
    ]
    assert [p.name for p in v3.verdict.participants] == ["张三", "李四", "王五"]
    assert v3.verdict.participants[0].leader and not v3.verdict.participants[1].leader
    assert [r["name"] for r in v3.diff.added] == ["王五"]
    assert v3.diff.changed == [("李四", "mobile", "13800000002", "13900000002")]
    current = store.current_roster(*HENAN)
    assert current == v3
    summaries = store.submissions("gz-status", 1)
    assert [(s.province, s.versions, s.latest.status) for s in summaries] == [
        ("广东", 1, Status.REJECTED),
        ("河南", 3, Status.ACCEPTED),
    ]
    assert summaries[1].current is not None and summaries[1].current.participants == 3


def test_replies_polls_and_organizer_notes_read_back(store: Store) -> None:
    assert store.count_replies("HENAN@haedu.cn", day="2023-06-12") == 2
    assert store.last_poll("INBOX") == "2023-06-20T09:00:05+08:00"
    note = DigestNote.from_json(store.meta_get("digest:gz-status/1"))
    assert note is not None and note.reported == {"河南": 2} and note.due == "2023-06-16T08:00:00+08:00"
    reminders = ReminderNote.list_from_json(store.meta_get("reminder:gz-status/1:上海"))
    assert [(r.date, r.stage, r.to) for r in reminders] == [("2023-06-16", 3, ("shjw@example.cn",))]


def test_the_store_goes_on_from_where_it_was(directory: Path) -> None:
    with Store(directory) as store:
        v3 = store.versions(*HENAN)[-1]
        fewer = StoredVerdict(
            status=Status.ACCEPTED,
            program="gz-status",
            period=1,
            province="河南",
            participants=v3.verdict.participants[:2],
        )
        v4 = store.add_submission(
            NewVersion(
                program="gz-status",
                period=1,
                province="河南",
                verdict=fewer,
                message_sha="f" * 64,
                sender="henan@haedu.cn",
                received="2023-06-21T10:00:00+08:00",
                status=Status.ACCEPTED,
            )
        )
        assert (v4.version, v4.previous_accepted) == (4, 3)
        assert [r["name"] for r in v4.diff.removed] == ["王五"] and not v4.diff.added
        assert store.note_reply("henan@haedu.cn", day="2023-06-12") == 3
    with Store(directory) as store:
        assert [v.version for v in store.versions(*HENAN)] == [1, 2, 3, 4]


def test_read_only_view_reads_the_old_store_as_the_store_does(directory: Path) -> None:
    view = ReadOnlyStore(directory)
    with Store(directory) as store:
        assert view.versions(*HENAN) == store.versions(*HENAN)
        assert view.current_roster(*HENAN) == store.current_roster(*HENAN)
        assert view.submissions("gz-status", 1) == store.submissions("gz-status", 1)
        assert view.meta_get("reminded:上海") == store.meta_get("reminded:上海") == "2023-06-16"
