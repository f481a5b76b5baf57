"""HTML tables (mail bodies, .htm files, HTML/MHTML "xls" exports) and Excel 2003 XML spreadsheets."""

from __future__ import annotations

import base64
from datetime import datetime

from intake.readers import read_attachment, read_html_body
from intake.readers.grid import Merge
from intake.readers.limits import Limits
from tests.data.readers.builders import unreadable

LIMITS = Limits()
BODY = """<html><head><style>td {color: red}</style><script>var a = "<table>";</script></head><body>
<div>各位老师好：</div><div>省级教育行政部门名称：河南省教育厅<br>会议名称和期数：中职学生管理系统培训第一期</div>
<table border="1">
 <tr><th colspan="4">报名回执表</th></tr>
 <tr><td>姓名</td><td>性别</td><td>单位</td><td>手机</td></tr>
 <tr><td>王&#21894;</td><td>男</td><td rowspan="2">洛阳职业技术学院</td><td>138&nbsp;3801&nbsp;2345</td></tr>
 <tr><td>李堃</td><td>男</td><td>15036987412</td></tr>
</table>
<p>联系人：王喆&nbsp;&nbsp;电话：0371-65901234</p>
</body></html>"""


def test_html_body_table_rows_with_spans_lined_up() -> None:
    [grid] = read_html_body(BODY, LIMITS)
    assert (grid.source, grid.part, grid.kind) == ("正文", "表格1", "html")
    assert grid.rows == [
        ["报名回执表", None, None, None],
        ["姓名", "性别", "单位", "手机"],
        ["王喆", "男", "洛阳职业技术学院", "138 3801 2345"],
        ["李堃", "男", None, "15036987412"],
    ]
    assert grid.merges == [Merge(0, 0, 0, 3), Merge(2, 2, 3, 2)]
    assert grid.filled()[3][2] == "洛阳职业技术学院"


def test_html_text_before_the_table_is_split_into_lines() -> None:
    [grid] = read_html_body(BODY, LIMITS)
    assert grid.lines[:3] == [
        "各位老师好：",
        "省级教育行政部门名称：河南省教育厅",
        "会议名称和期数：中职学生管理系统培训第一期",
    ]
    assert grid.lines[-1] == "联系人：王喆 电话：0371-65901234"  # after the last table
    assert not any("color" in line or "var a" in line for line in grid.lines)


def test_html_cell_breaks_become_newlines_and_whitespace_collapses() -> None:
    [grid] = read_html_body(
        "<table><tr><td> 郑州市\n  教育局<br/>职成处 </td><td>a&amp;b</td></tr>"
        "<tr><td>x</td><td>y</td></tr></table>",
        LIMITS,
    )
    assert grid.rows[0] == ["郑州市 教育局\n职成处", "a&b"]


def test_html_rowspan_pushes_later_cells_right() -> None:
    html = (
        "<table><tr><td rowspan=3>A</td><td>B</td><td>C</td></tr>"
        "<tr><td>D</td><td rowspan=2 colspan=2>E</td></tr><tr><td>F</td></tr></table>"
    )
    [grid] = read_html_body(html, LIMITS)
    assert grid.rows == [["A", "B", "C"], [None, "D", "E", None], [None, "F", None, None]]
    assert grid.merges == [Merge(0, 0, 2, 0), Merge(1, 2, 2, 3)]


def test_html_nested_layout_table_gives_the_inner_table_with_the_cell_text_as_lines() -> None:
    html = (
        "<table width=100%><tr><td><p>省级教育行政部门名称：黑龙江省教育厅</p>"
        "<table><tr><td>姓名</td><td>性别</td></tr><tr><td>王喆</td><td>男</td></tr></table>"
        "<p>谢谢</p></td></tr></table>"
    )
    outer, inner = read_html_body(html, LIMITS)
    assert inner.rows == [["姓名", "性别"], ["王喆", "男"]]
    assert inner.lines == ["省级教育行政部门名称：黑龙江省教育厅"]
    assert outer.rows == [["省级教育行政部门名称：黑龙江省教育厅\n谢谢"]]


def test_html_several_tables_and_empty_tables() -> None:
    html = (
        "<p>一</p><table><tr><td>a</td><td>b</td></tr></table><table><tr><td> </td></tr></table>"
        "<p>二</p><table><tr><td>c</td><td>d</td></tr></table>"
    )
    first, second = read_html_body(html, LIMITS)
    assert (first.lines, second.lines) == (["一"], ["二"])
    assert (first.part, second.part) == ("表格1", "表格2")


def test_html_body_without_tables_gives_nothing() -> None:
    assert read_html_body("<p>回执见附件，谢谢！</p>", LIMITS) == []


def test_html_caption_goes_to_lines() -> None:
    [grid] = read_html_body("<table><caption>报名回执表</caption><tr><td>王喆</td></tr></table>", LIMITS)
    assert grid.lines == ["报名回执表"] and grid.rows == [["王喆"]]


def test_html_unclosed_tags_and_broken_markup_do_not_raise() -> None:
    [grid] = read_html_body("<table><tr><td>王喆<td>男<tr><td>李堃<td>男<![foo[ x", LIMITS)
    assert grid.rows[0] == ["王喆", "男"] and grid.rows[1][0] == "李堃"


def test_html_body_with_too_many_rows_is_refused() -> None:
    html = "<table>" + "<tr><td>学员</td></tr>" * 50 + "</table>"
    unreadable(lambda: read_html_body(html, Limits(max_rows=20)), "too_many_rows")


def test_xls_that_is_an_old_systems_html_export_in_gb2312_is_read_as_html() -> None:
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n<head>\r\n'
        '<meta http-equiv=Content-Type content="text/html; charset=gb2312">\r\n'
        "<xml><x:ExcelWorkbook><x:Name>Sheet1</x:Name></x:ExcelWorkbook></xml></head><body>"
        "<table><tr><td class=xl24>姓名</td><td x:num>手机</td></tr>"
        "<tr><td>王喆</td><td x:num>13838012345</td></tr></table></body></html>"
    )
    [grid] = read_attachment("报名回执表.xls", page.encode("gb18030"), LIMITS)
    assert grid.kind == "html" and grid.rows == [["姓名", "手机"], ["王喆", "13838012345"]]
    assert "Sheet1" not in grid.lines


def test_mhtml_single_file_web_page_is_read() -> None:
    html = "<html><body><table><tr><td>姓名</td></tr><tr><td>王喆</td></tr></table></body></html>"
    mht = (
        "MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n"
        'Content-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        "------=_NextPart_01\r\nContent-Location: file:///C:/x/sheet001.htm\r\n"
        'Content-Transfer-Encoding: base64\r\nContent-Type: text/html; charset="gb2312"\r\n\r\n'
    )
    mht += base64.encodebytes(html.encode("gb18030")).decode() + "\r\n------=_NextPart_01--\r\n"
    [grid] = read_attachment("回执.xls", mht.encode(), LIMITS)
    assert grid.kind == "html" and grid.rows == [["姓名"], ["王喆"]]


SPREADSHEET_2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="回执表"><Table>
  <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">报名回执表</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">姓名</Data></Cell><Cell><Data ss:Type="String">手机</Data></Cell>
   <Cell><Data ss:Type="String">抵达酒店时间</Data></Cell></Row>
  <Row><Cell ss:MergeDown="1"><Data ss:Type="String">王喆</Data></Cell>
   <Cell><Data ss:Type="Number">13838012345</Data></Cell>
   <Cell><Data ss:Type="DateTime">2023-06-19T15:30:00.000</Data></Cell></Row>
  <Row ss:Index="5"><Cell ss:Index="2"><Data ss:Type="String">李堃</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>
 </Worksheet>
</Workbook>"""


def test_excel_2003_xml_spreadsheet_is_read_with_merges_dates_and_positions() -> None:
    [grid] = read_attachment("回执.xls", SPREADSHEET_2003.encode(), LIMITS)
    assert (grid.kind, grid.part) == ("xml", "回执表")
    assert grid.rows[0] == ["报名回执表"]  # like xlsx: a spreadsheet row ends at its last value
    assert grid.rows[2] == ["王喆", 13838012345, datetime(2023, 6, 19, 15, 30)]
    assert grid.rows[3] == [] and grid.rows[4] == [None, "李堃"]
    assert grid.merges == [Merge(0, 0, 0, 2), Merge(2, 0, 3, 0)]


def test_excel_2003_xml_with_an_entity_bomb_is_refused_quickly() -> None:
    bomb = SPREADSHEET_2003.replace(
        '<?mso-application progid="Excel.Sheet"?>',
        '<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    )
    error = unreadable(lambda: read_attachment("lol.xls", bomb.encode(), LIMITS), "corrupt")
    assert "DTD" in error.detail  # refused at the declaration, before any entity is expanded
