"""xlsx reader: real LibreOffice file, merges, dates, hidden sheets, and hostile packages."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

import pytest

from intake.readers import read_attachment
from intake.readers._common import MAX_GAP, GridBuilder
from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.limits import Limits
from tests.data.readers.builders import (
    BILLION_LAUGHS,
    MAIN,
    XLSM_MAIN,
    cell,
    member,
    raw_zip,
    sheet_xml,
    unreadable,
    xlsx_bytes,
    zeros_member,
)
from tests.data.readers.make_fixtures import COLUMNS, HEADER_LINES, PEOPLE, TITLE

DATA = Path(__file__).parent / "data" / "readers"
LIMITS = Limits()


def read_fixture(name: str, as_name: str | None = None) -> list[Grid]:
    return read_attachment(as_name or name, (DATA / name).read_bytes(), LIMITS)


def receipt_rows() -> str:
    return (
        f'<row r="1">{cell("A1", "姓名")}{cell("B1", "手机")}{cell("C1", "抵达酒店时间")}</row>'
        f'<row r="2">{cell("A2", "王喆")}{cell("B2", 13838012345)}{cell("C2", 45096.6458333333, 2)}</row>'
        f'<row r="3">{cell("A3", "李堃")}{cell("B3", 15036987412)}{cell("C3", 45097, 1)}</row>'
    )


def test_xlsx_from_libreoffice_gives_title_header_lines_and_people_rows() -> None:
    [grid] = read_fixture("receipt.xlsx")
    assert (grid.source, grid.part, grid.kind) == ("receipt.xlsx", "回执表", "xlsx")
    assert grid.rows[0] == [TITLE]
    assert [row[0] for row in grid.rows[1:3]] == HEADER_LINES
    assert grid.rows[3] == COLUMNS
    assert grid.rows[4] == PEOPLE[0]
    assert [row[0] for row in grid.rows[4:8]] == ["王喆", "李堃", "张婷婷", "赵雯"]


def test_xlsx_merged_title_is_reported_as_merge() -> None:
    [grid] = read_fixture("receipt.xlsx")
    assert Merge(0, 0, 0, 7) in grid.merges
    assert Merge(1, 0, 1, 7) in grid.merges and Merge(2, 0, 2, 7) in grid.merges


def test_xlsx_phone_numbers_stay_numeric_and_dates_become_datetime() -> None:
    [grid] = read_fixture("receipt.xlsx")
    phone, arrival = grid.rows[4][4], grid.rows[4][6]
    assert phone == 13838012345 and isinstance(phone, int | float)
    assert arrival == datetime(2023, 6, 19, 15, 30)


def test_xlsx_hidden_and_empty_sheets_are_skipped() -> None:
    grids = read_fixture("receipt.xlsx")  # also has a hidden 填表说明 sheet and an empty Sheet3
    assert [g.part for g in grids] == ["回执表"]


def test_xlsx_very_hidden_sheet_is_skipped_and_visible_ones_kept_in_order() -> None:
    rows = f'<row r="1">{cell("A1", "x")}</row>'
    data = xlsx_bytes(
        [
            ("甲", sheet_xml(rows)),
            ("乙", sheet_xml(rows), "veryHidden"),
            ("丙", sheet_xml(rows), "hidden"),
            ("丁", sheet_xml(rows)),
        ]
    )
    assert [g.part for g in read_attachment("a.xlsx", data, LIMITS)] == ["甲", "丁"]


def test_xlsx_date_number_formats_come_out_as_datetime() -> None:
    [grid] = read_attachment("r.xlsx", xlsx_bytes([("Sheet1", sheet_xml(receipt_rows()))]), LIMITS)
    assert grid.rows[1][2] == datetime(2023, 6, 19, 15, 30)
    assert grid.rows[2][2] == datetime(2023, 6, 20)
    assert grid.rows[1][1] == 13838012345


def test_xlsx_durations_under_a_day_become_times_and_longer_ones_text() -> None:
    rows = f'<row r="1">{cell("A1", 0.6458333333333334, 3)}{cell("B1", 1.5, 3)}{cell("C1", "TRUE")}</row>'
    rows += '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="e"><v>#N/A</v></c></row>'
    [grid] = read_attachment("d.xlsx", xlsx_bytes([("S", sheet_xml(rows))]), LIMITS)
    assert grid.rows[0] == [time(15, 30), "1 day, 12:00:00", "TRUE"]
    assert grid.rows[1] == [True, "#N/A"]


def test_xlsx_shared_strings_are_resolved() -> None:
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="2" uniqueCount="2">'
        "<si><t>姓名</t></si><si><r><t>王</t></r><r><t>喆</t></r></si></sst>"
    )
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    [grid] = read_attachment("s.xlsx", xlsx_bytes([("S", sheet_xml(rows))], shared_strings=shared), LIMITS)
    assert grid.rows == [["姓名"], ["王喆"]]


def test_xlsx_is_recognised_by_content_whatever_the_name() -> None:
    data = xlsx_bytes([("Sheet1", sheet_xml(receipt_rows()))])
    for name in ("报名表.xls", "报名表.et", "报名表", "回执.docx"):
        [grid] = read_attachment(name, data, LIMITS)
        assert grid.kind == "xlsx" and grid.source == name


def test_xlsm_workbook_is_read() -> None:
    data = xlsx_bytes([("Sheet1", sheet_xml(receipt_rows()))], main_type=XLSM_MAIN)
    [grid] = read_attachment("宏.xlsm", data, LIMITS)
    assert grid.rows[1][0] == "王喆" and grid.kind == "xlsx"


def test_xlsx_merges_are_read_from_the_sheet_xml() -> None:
    xml = sheet_xml(
        f'<row r="1">{cell("A1", "报名回执表")}</row><row r="2">{cell("A2", "姓名")}</row>'
        f'<row r="3">{cell("A3", "王喆")}{cell("B3", "男")}</row>',
        merges=["A1:H1", "B2:B3"],
    )
    [grid] = read_attachment("m.xlsx", xlsx_bytes([("S", xml)]), LIMITS)
    assert grid.merges == [Merge(0, 0, 0, 7), Merge(1, 1, 2, 1)]


def test_xlsx_columns_beyond_max_cols_are_cut() -> None:
    xml = sheet_xml(f'<row r="1">{cell("A1", "a")}{cell("C1", "c")}{cell("Z1", "z")}</row>', merges=["A1:Z1"])
    [grid] = read_attachment("c.xlsx", xlsx_bytes([("S", xml)]), Limits(max_cols=3))
    assert grid.rows == [["a", None, "c"]]
    assert grid.merges == [Merge(0, 0, 0, 2)]


def test_xlsx_only_the_first_max_sheets_sheets_are_read() -> None:
    rows = f'<row r="1">{cell("A1", "x")}</row>'
    data = xlsx_bytes([(f"S{i}", sheet_xml(rows)) for i in range(5)])
    assert [g.part for g in read_attachment("a.xlsx", data, Limits(max_sheets=2))] == ["S0", "S1"]


def test_xlsx_cell_in_the_last_row_does_not_make_a_million_row_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    xml = sheet_xml(
        f'<row r="1">{cell("A1", "王喆")}</row><row r="1048576">{cell("A1048576", "李堃")}</row>',
        merges=["A1:B1"],
    )
    rows_visited: list[int | None] = []
    add = GridBuilder.add

    def counting_add(self: GridBuilder, values: Sequence[CellValue], index: int | None = None) -> None:
        rows_visited.append(index)
        add(self, values, index)

    monkeypatch.setattr(GridBuilder, "add", counting_add)
    [grid] = read_attachment("gap.xlsx", xlsx_bytes([("S", xml)]), LIMITS)
    assert rows_visited == [0, 1048575]  # the two rows in the file, not the million between them
    assert len(grid.rows) == MAX_GAP + 2
    assert grid.rows[0] == ["王喆"] and grid.rows[-1] == ["李堃"]
    assert grid.merges == [Merge(0, 0, 0, 1)]


def test_xlsx_empty_workbook_is_reported_empty() -> None:
    data = xlsx_bytes([("S", sheet_xml('<row r="1"><c r="A1" s="1"/></row>'))])
    unreadable(lambda: read_attachment("empty.xlsx", data, LIMITS), "empty")


def test_xlsx_200000_row_sheet_stops_at_max_rows_quickly() -> None:
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>学员{i}</t></is></c>'
        f'<c r="B{i}"><v>138{i:08d}</v></c></row>'
        for i in range(1, 200_001)
    )
    data = xlsx_bytes([("S", sheet_xml(rows))], level=1)  # no <dimension>, as some generators write
    error = unreadable(lambda: read_attachment("big.xlsx", data, LIMITS), "too_many_rows", megabytes=100)
    assert "5000" in error.detail


def test_xlsx_entity_bomb_in_shared_strings_is_refused_quickly() -> None:
    shared = BILLION_LAUGHS + f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    data = xlsx_bytes([("S", sheet_xml(rows))], shared_strings=shared)
    error = unreadable(lambda: read_attachment("lol.xlsx", data, LIMITS), "corrupt", megabytes=20)
    assert "DTD" in error.detail


def test_xlsx_entity_bomb_in_a_sheet_is_refused_quickly() -> None:
    xml = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=BILLION_LAUGHS
    )
    data = xlsx_bytes([("S", xml)])
    error = unreadable(lambda: read_attachment("lol.xlsx", data, LIMITS), "corrupt", megabytes=20)
    assert "DTD" in error.detail


def test_xlsx_external_entity_is_refused() -> None:
    prolog = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>', prolog=prolog)
    unreadable(lambda: read_attachment("xxe.xlsx", xlsx_bytes([("S", xml)]), LIMITS), "corrupt")


def _package_with_bomb(megabytes: int) -> bytes:
    good = xlsx_bytes([("S", sheet_xml(receipt_rows()))])
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        parts = [member(n, zf.read(n)) for n in zf.namelist() if n != "xl/worksheets/sheet1.xml"]
    return raw_zip([*parts, zeros_member("xl/worksheets/sheet1.xml", megabytes)])


def test_xlsx_whose_sheet_inflates_to_a_gigabyte_is_a_zip_bomb() -> None:
    data = _package_with_bomb(1024)
    assert len(data) < 2 * 2**20
    error = unreadable(lambda: read_attachment("bomb.xlsx", data, LIMITS), "zip_bomb", megabytes=20)
    assert "inflates" in error.detail or "bytes from" in error.detail


def test_xlsx_xml_part_over_max_xml_bytes_is_a_zip_bomb() -> None:
    data = _package_with_bomb(8)
    limits = Limits(max_zip_ratio=10_000, max_xml_bytes=4 * 2**20)
    error = unreadable(lambda: read_attachment("big.xlsx", data, limits), "zip_bomb", megabytes=20)
    assert "of XML" in error.detail


def test_xlsx_truncated_package_is_corrupt() -> None:
    data = xlsx_bytes([("S", sheet_xml(receipt_rows()))])
    unreadable(lambda: read_attachment("cut.xlsx", data[: len(data) // 2], LIMITS), "corrupt")


def test_xlsx_with_garbage_in_the_sheet_is_corrupt() -> None:
    xml = sheet_xml('<row r="1"><c r="A1" t="s"><v>99</v></c></row>')  # no such shared string
    unreadable(lambda: read_attachment("bad.xlsx", xlsx_bytes([("S", xml)]), LIMITS), "corrupt")
