"""Versions go by the time the province sent them, not by the order they were processed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from rules.verdict import Participant, Status, Verdict
from storage.readonly import ReadOnlyStore
from storage.records import StoredParticipant, StoredVerdict
from storage.store import Store
from storage.submissions import in_sent_order, newest, standing
from storage.versions import NewVersion, SubmissionVersion, VersionKind

KEY = ("zz-student", 1, "黑龙江")
MOBILES = {"王喆": "13900001111", "李堃": "13900002222", "赵磊": "13900003333"}


def verdict(status: Status, *names: str) -> StoredVerdict:
    people = [Participant(name=n, mobile=MOBILES[n], unit="黑龙江省教育厅") for n in names]
    public = Verdict(
        status=status, program=KEY[0], period=KEY[1], province=KEY[2], participants=people
    ).public()
    return StoredVerdict.from_json(public)


def add(
    store: Store, sent: str, status: Status, *names: str, kind: VersionKind = VersionKind.RECEIPT
) -> SubmissionVersion:
    return store.add_submission(
        NewVersion(
            program=KEY[0],
            period=KEY[1],
            province=KEY[2],
            verdict=verdict(status, *names),
            message_sha=hashlib.sha256(f"{sent}{names}".encode()).hexdigest(),
            sender="hlj@hljedu.cn",
            received=f"2023-{sent}:00+08:00",
            status=status,
            kind=kind,
            mailbox="zz",
            subject="黑龙江报名回执",
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path) as s:
        yield s


ACCEPTED, REJECTED = Status.ACCEPTED, Status.REJECTED


def test_an_older_receipt_read_after_a_newer_one_is_superseded_and_replaces_nothing(store: Store) -> None:
    newer = add(store, "06-07T10:00", ACCEPTED, "王喆", "李堃")  # the right mailbox, read first
    older = add(store, "06-05T09:00", ACCEPTED, "王喆")  # the wrong mailbox, read after it
    assert (newer.version, newer.superseded_by, older.version, older.superseded_by) == (1, None, 2, 1)
    assert older.previous_accepted == 1 and [r["name"] for r in older.diff.removed] == ["李堃"]
    current = store.current_roster(*KEY)
    assert current is not None and current.version == 1
    assert [p.name for p in current.verdict.participants] == ["王喆", "李堃"]
    assert [v.version for v in store.versions(*KEY)] == [2, 1]  # listed in the order sent
    [summary] = store.submissions(*KEY[:2])
    assert summary.latest.version == 1 and summary.current is not None and summary.current.version == 1
    assert summary.versions == 2 and not summary.regressed


def test_a_receipt_sent_later_still_replaces_the_roster(store: Store) -> None:
    add(store, "06-07T10:00", ACCEPTED, "王喆", "李堃")
    add(store, "06-05T09:00", ACCEPTED, "王喆")
    third = add(store, "06-08T08:00", ACCEPTED, "王喆", "赵磊")
    assert third.superseded_by is None and third.previous_accepted == 1
    assert [r["name"] for r in third.diff.added] == ["赵磊"]
    current = store.current_roster(*KEY)
    assert current is not None and current.version == 3


def test_an_older_rejected_receipt_opens_no_problem_and_a_newer_rejected_one_does(store: Store) -> None:
    add(store, "06-07T10:00", ACCEPTED, "王喆")
    stale = add(store, "06-05T09:00", REJECTED, "王喆")
    assert stale.superseded_by == 1
    [summary] = store.submissions(*KEY[:2])
    assert summary.latest.version == 1 and not summary.regressed
    add(store, "06-08T09:00", REJECTED, "王喆", "李堃")
    [summary] = store.submissions(*KEY[:2])
    assert summary.latest.version == 3 and summary.latest.status is REJECTED
    assert summary.current is not None and summary.current.version == 1 and summary.regressed


def test_with_no_roster_standing_an_older_accepted_receipt_stands(store: Store) -> None:
    add(store, "06-07T10:00", REJECTED, "王喆")
    older = add(store, "06-05T09:00", ACCEPTED, "王喆", "李堃")
    assert older.superseded_by is None and older.previous_accepted is None
    current = store.current_roster(*KEY)
    assert current is not None and current.version == 2
    [summary] = store.submissions(*KEY[:2])
    assert summary.latest.version == 1 and summary.regressed  # the newest receipt, rejected, is still open


def test_the_order_survives_reopening_and_the_read_only_view_agrees(tmp_path: Path) -> None:
    with Store(tmp_path, segment_docs=2) as store:
        add(store, "06-07T10:00", ACCEPTED, "王喆", "李堃")
        add(store, "06-05T09:00", ACCEPTED, "王喆")
        add(store, "06-06T09:00", REJECTED, "王喆")
        add(store, "06-08T08:00", ACCEPTED, "王喆", "赵磊", kind=VersionKind.SUPPLEMENT)
    view = ReadOnlyStore(tmp_path)
    with Store(tmp_path) as store:
        versions = store.versions(*KEY)
        assert [(v.version, v.superseded_by) for v in versions] == [(2, 1), (3, 1), (1, None), (4, None)]
        assert versions[-1].kind is VersionKind.SUPPLEMENT and versions[-1].mailbox == "zz"
        assert view.versions(*KEY) == versions
        assert view.current_roster(*KEY) == store.current_roster(*KEY) == versions[-1]
        assert view.submissions() == store.submissions()
    assert standing(versions) == versions[-1] and newest(versions) == versions[-1]
    assert in_sent_order(reversed(versions)) == versions


def test_new_keys_are_written_only_when_they_hold_something(store: Store) -> None:
    plain = add(store, "06-07T10:00", ACCEPTED, "王喆").to_json()
    assert not {"kind", "superseded_by"} & set(plain) and plain["mailbox"] == "zz"
    stale = add(store, "06-05T09:00", ACCEPTED, "王喆", "李堃", kind=VersionKind.SUPPLEMENT).to_json()
    assert (stale["kind"], stale["superseded_by"]) == ("supplement", 1)
    assert SubmissionVersion.from_json(json.loads(json.dumps(stale))).to_json() == stale


@pytest.mark.parametrize(
    ("stored", "at", "written"),
    [
        # as stores before this change wrote it: ISO 8601 in "arrival", read as a time
        ({"arrival": "2023-07-14T11:30"}, datetime(2023, 7, 14, 11, 30), False),
        ({"arrival": "2023-06-18 下午"}, date(2023, 6, 18), False),
        ({"arrival": "报到当天"}, None, False),
        # now: the text as written, the time beside it when the text does not say it in ISO 8601
        ({"arrival": "7月14日下午3点", "arrival_at": "2023-07-14T15:00:00"}, datetime(2023, 7, 14, 15), True),
        ({"arrival": "2023-07-14", "arrival_at": None}, None, True),
    ],
)
def test_arrival_reads_as_a_time_and_writes_back_the_same(
    stored: dict[str, str | None], at: datetime | date | None, written: bool
) -> None:
    doc = {
        "name": "王喆",
        "gender": "男",
        "unit": "",
        "title": "",
        "mobile": "",
        "email": "",
        "leader": False,
    }
    doc |= stored
    person = StoredParticipant.from_json(doc)
    assert person.arrival_at == at
    assert person.to_json() == doc and ("arrival_at" in person.to_json()) is written
