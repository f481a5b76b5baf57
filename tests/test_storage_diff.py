"""roster_diff: rows paired by mobile, then by name; field-level changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.diff import RosterDiff, roster_diff


def row(name: str, mobile: str = "", **more: object) -> dict:
    return {"name": name, "mobile": mobile, "unit": "", **more}


def test_identical_rosters_have_an_empty_diff() -> None:
    roster = [row("张三", "13800000000"), row("李四")]
    assert roster_diff(roster, [dict(r) for r in roster]).is_empty


def test_rows_are_paired_by_mobile_even_when_the_name_changes() -> None:
    diff = roster_diff([row("张三", "13800000000")], [row("张叁", "13800000000")])
    assert diff.changed == [("张叁", "name", "张三", "张叁")]
    assert not diff.added and not diff.removed


def test_rows_without_a_mobile_match_are_paired_by_name() -> None:
    diff = roster_diff([row("李四", "13900000000", unit="甲")], [row("李四", "13900000001", unit="乙")])
    assert diff.changed == [("李四", "mobile", "13900000000", "13900000001"), ("李四", "unit", "甲", "乙")]


def test_unpaired_rows_are_added_and_removed_in_roster_order() -> None:
    diff = roster_diff([row("甲"), row("乙"), row("丙")], [row("丙"), row("丁"), row("戊")])
    assert [r["name"] for r in diff.added] == ["丁", "戊"]
    assert [r["name"] for r in diff.removed] == ["甲", "乙"]
    assert diff.changed == []


def test_nameless_rows_pair_only_when_identical() -> None:
    diff = roster_diff([row(""), row("", unit="y")], [row("", unit="x"), row("", unit="y")])
    assert diff.added == [row("", unit="x")] and diff.removed == [row("")]
    assert diff.changed == []


def test_duplicates_pair_one_to_one() -> None:
    diff = roster_diff([row("王五"), row("王五")], [row("王五")])
    assert len(diff.removed) == 1 and not diff.added and not diff.changed


def test_public_form_round_trips() -> None:
    diff = roster_diff([row("甲", "1"), row("乙")], [row("甲", "1", unit="x"), row("丙")])
    assert RosterDiff.from_public(diff.public()) == diff
    assert diff.public()["changed"] == [{"name": "甲", "field": "unit", "old": "", "new": "x"}]


rows = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["", "张三", "李四", "王五", "赵六"]),
            "mobile": st.sampled_from(["", "13800000000", "13900000000", "13700000000"]),
            "unit": st.sampled_from(["", "甲", "乙"]),
            "leader": st.booleans(),
        }
    ),
    max_size=8,
)


@given(rows)
def test_a_roster_against_itself_is_empty(roster: list[dict]) -> None:
    assert roster_diff(roster, roster).is_empty


@given(rows, rows)
def test_every_row_is_accounted_for(old: list[dict], new: list[dict]) -> None:
    diff = roster_diff(old, new)
    assert len(old) - len(diff.removed) == len(new) - len(diff.added)
    assert all(r in new for r in diff.added) and all(r in old for r in diff.removed)
    assert roster_diff([], new).added == new and roster_diff(old, []).removed == old
