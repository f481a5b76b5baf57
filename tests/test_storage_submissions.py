"""Submission versions per (program, period, province), the current roster and the diff."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rules.verdict import Participant, Status, Verdict
from storage.records import StoredVerdict
from storage.store import Store
from storage.versions import NewVersion, SubmissionVersion

KEY = ("骨干教师培训", 3, "广东")


def verdict(status: str, *people: tuple[str, str, str]) -> StoredVerdict:
    public = Verdict(
        status=Status(status),
        program=KEY[0],
        period=KEY[1],
        province=KEY[2],
        participants=[Participant(name=n, mobile=m, unit=u) for n, m, u in people],
    ).public()
    return StoredVerdict.from_json(public)


def sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def add(
    store: Store, n: int, status: str, *people: tuple[str, str, str], key: tuple = KEY
) -> SubmissionVersion:
    program, period, province = key
    return store.add_submission(
        NewVersion(
            program=program,
            period=period,
            province=province,
            verdict=verdict(status, *people),
            message_sha=sha(n),
            sender="gd@example.cn",
            received=f"2024-05-0{n}T10:00:00+08:00",
            status=Status(status),
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path) as s:
        yield s


ZHANG = ("张三", "13800000000", "广东省教育厅")
LI = ("李四", "13900000000", "广州市教育局")
WANG = ("王五", "", "深圳中学")


def test_first_version_adds_everyone(store: Store) -> None:
    v1 = add(store, 1, "accepted", ZHANG, LI)
    assert v1.version == 1
    assert v1.previous_accepted is None
    assert [r["name"] for r in v1.diff.added] == ["张三", "李四"]
    assert v1.diff.removed == [] and v1.diff.changed == []


def test_new_version_reports_added_removed_and_changed_rows(store: Store) -> None:
    add(store, 1, "accepted", ZHANG, LI)
    v2 = add(store, 2, "accepted", ("张三", "13800000000", "广东省教育厅师资处"), WANG)
    assert v2.version == 2 and v2.previous_accepted == 1
    diff = v2.diff
    assert [r["name"] for r in diff.added] == ["王五"]
    assert [r["name"] for r in diff.removed] == ["李四"]
    assert diff.changed == [("张三", "unit", "广东省教育厅", "广东省教育厅师资处")]


def test_current_roster_is_the_latest_accepted_version(store: Store) -> None:
    assert store.current_roster(*KEY) is None
    add(store, 1, "accepted", ZHANG)
    add(store, 2, "rejected", ZHANG, LI)
    current = store.current_roster(*KEY)
    assert current is not None and current.version == 1
    v3 = add(store, 3, "accepted", ZHANG, WANG)
    assert v3.previous_accepted == 1  # diffed against v1, not the rejected v2
    assert [r["name"] for r in v3.diff.added] == ["王五"]
    current = store.current_roster(*KEY)
    assert current is not None and current.version == 3
    assert [p.name for p in current.verdict.participants] == ["张三", "王五"]
    assert [(v.version, v.status) for v in store.versions(*KEY)] == [
        (1, "accepted"),
        (2, "rejected"),
        (3, "accepted"),
    ]


def test_same_message_twice_does_not_make_a_new_version(store: Store) -> None:
    first = add(store, 1, "accepted", ZHANG)
    again = add(store, 1, "accepted", ZHANG)
    assert again == first
    assert len(store.versions(*KEY)) == 1


def test_provinces_are_versioned_separately_and_summarised(store: Store) -> None:
    add(store, 1, "accepted", ZHANG)
    add(store, 2, "rejected", ZHANG)
    add(store, 3, "rejected", LI, key=("骨干教师培训", 3, "广西"))
    add(store, 4, "accepted", LI, key=("骨干教师培训", 4, "广东"))
    rows = store.submissions(program="骨干教师培训", period=3)
    assert [(r.province, r.versions) for r in rows] == [("广东", 2), ("广西", 1)]
    guangdong, guangxi = rows
    assert guangdong.latest.status == "rejected" and guangdong.latest.version == 2
    assert guangdong.current is not None
    assert guangdong.current.version == 1 and guangdong.current.participants == 1
    assert guangxi.current is None
    assert len(store.submissions()) == 3
    assert store.submissions(program="other") == []


def test_versions_survive_reopen(tmp_path: Path) -> None:
    with Store(tmp_path, segment_docs=2) as store:
        for n in range(1, 6):
            add(store, n, "accepted" if n % 2 else "rejected", ZHANG)
    with Store(tmp_path, segment_docs=2) as store:
        assert [v.version for v in store.versions(*KEY)] == [1, 2, 3, 4, 5]
        current = store.current_roster(*KEY)
        assert current is not None and current.version == 5
        assert add(store, 6, "accepted", ZHANG, LI).version == 6
