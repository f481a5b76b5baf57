"""CSV attachments and tables typed as plain text (mail bodies, .txt files)."""

from __future__ import annotations

import pytest

from intake.readers import read_attachment, read_text_body
from intake.readers.limits import Limits
from tests.data.readers.builders import unreadable

LIMITS = Limits()
CSV = (
    "姓名,性别,单位,职务,手机,电子邮箱,抵达酒店时间,领队\r\n"
    "王喆,男,郑州市教育局,科长,13838012345,wangzhe@zzedu.gov.cn,2023-06-19 15:30,是\r\n"
    "李堃,男,洛阳职业技术学院,学生处处长,15036987412,likun@lyvtc.edu.cn,2023-06-19 18:00,否\r\n"
)


def test_csv_in_gb18030_is_decoded() -> None:
    [grid] = read_attachment("回执.csv", CSV.encode("gb18030"), LIMITS)
    assert (grid.kind, grid.part) == ("csv", "")
    assert grid.rows[1][:2] == ["王喆", "男"] and grid.rows[2][0] == "李堃"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_csv_in_unicode_encodings_is_decoded(encoding: str) -> None:
    [grid] = read_attachment("回执.csv", CSV.encode(encoding), LIMITS)
    assert grid.rows[0][0] == "姓名" and grid.rows[2][0] == "李堃"


def test_csv_values_all_stay_strings() -> None:
    [grid] = read_attachment("回执.csv", CSV.encode("utf-8"), LIMITS)
    assert grid.rows[1][4] == "13838012345"
    assert all(isinstance(v, str) for row in grid.rows for v in row)


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_delimiter_is_sniffed(delimiter: str) -> None:
    [grid] = read_attachment("回执.csv", CSV.replace(",", delimiter).encode("gb18030"), LIMITS)
    assert grid.rows[1][:3] == ["王喆", "男", "郑州市教育局"]


def test_csv_quoted_fields_keep_commas_and_newlines() -> None:
    data = '姓名,单位\r\n王喆,"郑州市教育局,职成处"\r\n李堃,"洛阳\n职院"\r\n'.encode()
    [grid] = read_attachment("a.csv", data, LIMITS)
    assert grid.rows[1] == ["王喆", "郑州市教育局,职成处"] and grid.rows[2] == ["李堃", "洛阳\n职院"]


def test_xls_that_is_really_csv_is_read_as_csv() -> None:
    [grid] = read_attachment("报名回执表.xls", CSV.encode("gb18030"), LIMITS)
    assert grid.kind == "csv" and grid.rows[1][0] == "王喆"


def test_csv_with_too_many_rows_is_refused() -> None:
    data = ("姓名,手机\n" + "".join(f"学员{i},138{i:08d}\n" for i in range(6000))).encode()
    error = unreadable(lambda: read_attachment("big.csv", data, LIMITS), "too_many_rows")
    assert "5000" in error.detail  # stopped at the limit, not at the end of the 6000 rows


def test_text_body_tab_table_with_header_lines_before_it() -> None:
    body = (
        "各位老师好：\n"
        "省级教育行政部门名称：河南省教育厅\n"
        "会议名称和期数：中职学生管理系统培训第一期\n"
        "姓名\t性别\t单位\t手机\n"
        "王喆\t男\t郑州市教育局\t13838012345\n"
        "李堃\t\t洛阳职业技术学院\t15036987412\n"
        "\n"
        "联系人：王喆\n"
    )
    [grid] = read_text_body(body, LIMITS)
    assert (grid.source, grid.kind, grid.part) == ("正文", "text", "表格1")
    assert grid.rows == [
        ["姓名", "性别", "单位", "手机"],
        ["王喆", "男", "郑州市教育局", "13838012345"],
        ["李堃", "", "洛阳职业技术学院", "15036987412"],
    ]
    assert grid.lines == [
        "各位老师好：",
        "省级教育行政部门名称：河南省教育厅",
        "会议名称和期数：中职学生管理系统培训第一期",
        "联系人：王喆",
    ]


def test_text_body_table_separated_by_runs_of_spaces() -> None:
    body = "姓名    性别    手机\n王喆    男      13838012345\n\n李堃　　男　　15036987412\n"
    [grid] = read_text_body(body, LIMITS)
    assert grid.rows == [
        ["姓名", "性别", "手机"],
        ["王喆", "男", "13838012345"],
        ["李堃", "男", "15036987412"],
    ]


def test_text_body_without_a_table_gives_nothing() -> None:
    assert read_text_body("老师您好，回执见附件。\n联系人：王喆    电话：13838012345\n谢谢！", LIMITS) == []


def test_text_body_single_spaced_prose_is_not_a_table() -> None:
    assert read_text_body("Dear teacher, please see the attachment.\nThanks a lot.", LIMITS) == []


def test_txt_attachment_with_a_tab_table_is_read() -> None:
    data = "姓名\t手机\n王喆\t13838012345\n".encode("gb18030")
    [grid] = read_attachment("回执.txt", data, LIMITS)
    assert grid.kind == "text" and grid.rows[1] == ["王喆", "13838012345"]


def test_txt_attachment_without_a_table_is_empty() -> None:
    unreadable(lambda: read_attachment("说明.txt", "请查收。\n谢谢".encode(), LIMITS), "empty")


def test_text_body_with_too_many_rows_is_refused() -> None:
    body = "姓名\t手机\n" + "".join(f"学员{i}\t138{i:08d}\n" for i in range(20))
    unreadable(lambda: read_text_body(body, Limits(max_rows=10)), "too_many_rows")
