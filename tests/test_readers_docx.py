"""docx reader: LibreOffice receipts, spans, vertical merges, paragraphs around tables, hostile documents."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from intake.readers import read_attachment
from intake.readers.grid import Grid, Merge
from intake.readers.limits import Limits
from tests.data.readers.builders import (
    BILLION_LAUGHS,
    docx_bytes,
    member,
    para,
    raw_zip,
    table,
    tc,
    unreadable,
    zeros_member,
)
from tests.data.readers.make_fixtures import COLUMNS, HEADER_LINES, TITLE

DATA = Path(__file__).parent / "data" / "readers"
LIMITS = Limits()


def read_docx(body: str, limits: Limits = LIMITS) -> list[Grid]:
    return read_attachment("回执.docx", docx_bytes(body), limits)


def test_docx_header_paragraphs_above_the_table_become_lines() -> None:
    [grid] = read_attachment("r.docx", (DATA / "receipt_paragraphs.docx").read_bytes(), LIMITS)
    assert (grid.part, grid.kind) == ("表格1", "docx")
    assert grid.lines[:4] == ["附件2", TITLE, *HEADER_LINES]
    assert grid.rows[0] == COLUMNS
    assert grid.rows[1][:5] == ["王喆", "男", "郑州市教育局", "科长", "13838012345"]
    assert grid.rows[1][6] == "2023-06-19 15:30"


def test_docx_vertically_merged_cell_is_a_merge_with_an_empty_continuation() -> None:
    [grid] = read_attachment("r.docx", (DATA / "receipt_paragraphs.docx").read_bytes(), LIMITS)
    assert Merge(2, 2, 3, 2) in grid.merges
    assert grid.rows[2][2] == "洛阳职业技术学院" and grid.rows[3][2] is None
    assert grid.filled()[3][2] == "洛阳职业技术学院"


def test_docx_header_lines_as_merged_rows_stay_rows() -> None:
    [grid] = read_attachment("r.docx", (DATA / "receipt_merged_rows.docx").read_bytes(), LIMITS)
    assert grid.rows[0][0] == TITLE and grid.rows[0][1:] == [None] * 7
    assert [row[0] for row in grid.rows[1:3]] == HEADER_LINES
    assert {Merge(0, 0, 0, 7), Merge(1, 0, 1, 7), Merge(2, 0, 2, 7)} <= set(grid.merges)
    assert grid.rows[3] == COLUMNS
    assert grid.lines[0] == "附件2"


def test_docx_paragraphs_after_the_last_table_are_kept_as_lines() -> None:
    [grid] = read_attachment("r.docx", (DATA / "receipt_paragraphs.docx").read_bytes(), LIMITS)
    assert grid.lines[-2].startswith("联系人：王喆")
    assert grid.lines[-1].startswith("注：请于6月12日前")


def test_docx_grid_span_is_a_horizontal_merge() -> None:
    body = table([tc("报名回执表", '<w:gridSpan w:val="3"/>'), tc("姓名") + tc("性别") + tc("单位")])
    [grid] = read_docx(body)
    assert grid.rows == [["报名回执表", None, None], ["姓名", "性别", "单位"]]
    assert grid.merges == [Merge(0, 0, 0, 2)]


def test_docx_vertical_merge_spanning_two_columns() -> None:
    body = table(
        [
            tc("单位") + tc("姓名") + tc("x"),
            tc("洛阳职业技术学院", '<w:gridSpan w:val="2"/><w:vMerge w:val="restart"/>') + tc("李堃"),
            tc("", '<w:gridSpan w:val="2"/><w:vMerge/>') + tc("张婷婷"),
            tc("开封") + tc("赵雯") + tc("y"),
        ]
    )
    [grid] = read_docx(body)
    assert grid.rows[1] == ["洛阳职业技术学院", None, "李堃"]
    assert grid.rows[2] == [None, None, "张婷婷"]
    assert grid.merges == [Merge(1, 0, 2, 1)]


def test_docx_grid_before_shifts_the_cells() -> None:
    body = table([tc("a") + tc("b"), '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + tc("c")])
    [grid] = read_docx(body)
    assert grid.rows == [["a", "b"], [None, "c"]]


def test_docx_cell_text_joins_paragraphs_runs_tabs_and_breaks() -> None:
    cell = (
        "<w:tc><w:p><w:r><w:t>王</w:t></w:r><w:r><w:t>喆</w:t></w:r><w:r><w:tab/><w:t>科长</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>电话</w:t><w:br/><w:t>138</w:t></w:r>"
        "<w:del><w:r><w:delText>删掉</w:delText></w:r></w:del>"
        "<w:r><w:instrText>HYPERLINK</w:instrText></w:r></w:p></w:tc>"
    )
    [grid] = read_docx(table([cell + tc("x")]))
    assert grid.rows[0][0] == "王喆\t科长\n电话\n138"


def test_docx_nested_table_is_flattened_into_its_cell() -> None:
    inner = table([tc("甲") + tc("乙"), tc("丙") + tc("丁")])
    [grid] = read_docx(table([f"<w:tc>{para('外')}{inner}</w:tc>" + tc("右")]))
    assert grid.rows == [["外\n甲\n乙\n丙\n丁", "右"]]


def test_docx_paragraphs_between_tables_belong_to_the_next_table() -> None:
    body = (
        para("省级教育行政部门名称：河南省教育厅")
        + table([tc("姓名") + tc("性别")])
        + para("会议名称和期数：第二期")
        + table([tc("王喆") + tc("男")])
        + para("谢谢")
    )
    first, second = read_docx(body)
    assert first.lines == ["省级教育行政部门名称：河南省教育厅"]
    assert second.lines == ["会议名称和期数：第二期", "谢谢"]
    assert (first.part, second.part) == ("表格1", "表格2")


def test_docx_rows_in_content_controls_are_read() -> None:
    body = (
        "<w:tbl><w:sdt><w:sdtContent><w:tr>" + tc("王喆") + tc("男") + "</w:tr></w:sdtContent></w:sdt>"
        "<w:tr>" + tc("李堃") + tc("男") + "</w:tr></w:tbl>"
    )
    [grid] = read_docx(body)
    assert grid.rows == [["王喆", "男"], ["李堃", "男"]]


def test_docx_without_tables_gives_its_paragraphs_as_lines() -> None:
    [grid] = read_docx(para("姓名：王喆") + para("") + para("手机：13838012345"))
    assert grid.rows == [] and grid.lines == ["姓名：王喆", "手机：13838012345"]


def test_docx_without_text_is_empty() -> None:
    unreadable(lambda: read_docx(para("") + table([tc("") + tc("")])), "empty")


def test_docx_too_many_rows_is_refused() -> None:
    body = table([tc(f"学员{i}") + tc("男") for i in range(20)])
    unreadable(lambda: read_docx(body, Limits(max_rows=10)), "too_many_rows")


def test_docx_entity_bomb_is_refused_quickly() -> None:
    data = docx_bytes(para("&lol9;"), prolog=BILLION_LAUGHS)
    error = unreadable(lambda: read_attachment("lol.docx", data, LIMITS), "corrupt", megabytes=20)
    assert "DTD" in error.detail  # refused at the declaration, before any entity is expanded


def test_docx_whose_document_inflates_to_a_gigabyte_is_a_zip_bomb() -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes(para("x")))) as zf:
        parts = [member(n, zf.read(n)) for n in zf.namelist() if n != "word/document.xml"]
    data = raw_zip([*parts, zeros_member("word/document.xml", 1024)])
    error = unreadable(lambda: read_attachment("bomb.docx", data, LIMITS), "zip_bomb", megabytes=20)
    assert "inflates" in error.detail  # stopped at the inflation limit, not after a gigabyte


def test_docx_with_broken_xml_is_corrupt() -> None:
    data = docx_bytes("<w:p><w:r><w:t>unclosed</w:r></w:p>")
    unreadable(lambda: read_attachment("bad.docx", data, LIMITS), "corrupt")
