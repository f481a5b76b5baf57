"""Word receipts laid out the ways provinces lay them out: the roster in a frame table, in a text box,
typed as tab-separated paragraphs.  Files are made at test time by LibreOffice Writer (a Word-style
text box with its mc:Fallback copy, a table nested in a cell, paragraphs with tabs) and judged
by the whole pipeline; small hand-made packages pin down the reader's rules."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from xml.sax.saxutils import escape

import pytest

from intake.pipeline.process import Context, process
from intake.readers import read_attachment
from intake.readers.limits import Limits
from rules.verdict import Verdict
from tests.data.legacy.needs import require
from tests.data.readers.builders import docx_bytes, para, table, tc
from tests.helpers import CST, notice
from tests.mailbuilder import MessageBuilder

WHEN = datetime(2023, 6, 1, 10, 0, tzinfo=CST)
UNIT = "省级教育行政部门名称：江苏省教育厅"
MEETING = "会议名称和期数：高职状态平台培训第一期"
COLUMNS = ["姓名", "性别", "单位", "职务", "手机", "电子邮箱", "抵达酒店时间", "领队"]
PEOPLE = [
    ["王建国", "男", "江苏省教育厅", "处长", "13912345671", "wjg@js.edu.cn", "7月14日上午", "是"],
    ["李晓燕", "女", "南京工业职业技术大学", "科长", "13812345672", "lxy@njit.edu.cn", "7月14日下午", "否"],
    ["陈明", "男", "无锡职业技术学院", "主任", "13712345673", "cm@wxit.edu.cn", "7月14日", "否"],
]
NAMES = [p[0] for p in PEOPLE]


def _html_rows(rows: list[list[str]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)


def nested_html() -> str:
    """The form typed into a one-cell frame table: title and fields as paragraphs, the roster a table."""
    inner = f'<table border="1">{_html_rows([COLUMNS, *PEOPLE])}</table>'
    cell = f"<p>报名回执表</p><p>{UNIT}</p><p>{MEETING}</p>{inner}"
    return f'<html><head><meta charset="utf-8"></head><body><table border="1"><tr><td>{cell}</td></tr></table></body></html>'


def tabs_text() -> str:
    """The roster typed as paragraphs, cells split by tabs."""
    return "\n".join(["报名回执表", UNIT, MEETING, *("\t".join(r) for r in [COLUMNS, *PEOPLE])]) + "\n"


def textbox_fodt() -> str:
    """The fields and the roster inside a text box (a frame anchored to a paragraph)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
    )

    def row(cells: list[str]) -> str:
        return (
            "<table:table-row>"
            + "".join(f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>" for c in cells)
            + "</table:table-row>"
        )

    roster = (
        f'<table:table table:name="回执"><table:table-column table:number-columns-repeated="{len(COLUMNS)}"/>'
        + "".join(row(r) for r in [COLUMNS, *PEOPLE])
        + "</table:table>"
    )
    box = (
        '<draw:frame draw:name="框1" text:anchor-type="paragraph" svg:width="17cm" svg:height="9cm">'
        f"<draw:text-box><text:p>{UNIT}</text:p><text:p>{MEETING}</text:p>{roster}</draw:text-box></draw:frame>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document {ns} office:version="1.2" '
        'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
        f"<text:p>报名回执表</text:p><text:p>{box}</text:p></office:text></office:body></office:document>"
    )


@pytest.fixture(scope="module")
def word_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """name -> .docx bytes, all written by one LibreOffice Writer run with a throw-away profile."""
    require("libreoffice")  # in CI a missing LibreOffice fails the tests instead of skipping them
    soffice = shutil.which("soffice")
    assert soffice is not None
    work = tmp_path_factory.mktemp("word")
    sources = {
        "nested": ("html", nested_html()),
        "tabs": ("txt", tabs_text()),
        "textbox": ("fodt", textbox_fodt()),
    }
    for name, (ext, text) in sources.items():
        (work / f"{name}.{ext}").write_text(text, encoding="utf-8")
    profile = work / "profile"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(work / "out"),
            *(str(work / f"{name}.{ext}") for name, (ext, _t) in sources.items()),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    return {name: (work / "out" / f"{name}.docx").read_bytes() for name in sources}


def judged(filename: str, data: bytes) -> Verdict:
    raw = (
        MessageBuilder(
            sender="js@163.com",
            sender_name="江苏省教育厅",
            to="1433935834@qq.com",
            subject="江苏报名回执",
            client="qq",
        )
        .text("老师好，附件是我省报名回执，请查收。")
        .attach(filename, data)
        .build()
    )
    return process(
        raw, Context(notice(), limits=Limits()), mailbox="1433935834@qq.com", received=WHEN
    ).verdict


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("layout", ["nested", "tabs", "textbox"])
def test_word_receipt_in_every_layout_is_read_whole_with_its_fields(
    word_files: dict[str, bytes], layout: str
) -> None:
    v = judged(f"江苏报名回执（{layout}）.docx", word_files[layout])
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 1, "江苏")
    assert [p.name for p in v.participants] == NAMES
    assert [p.mobile for p in v.participants] == [p[4] for p in PEOPLE]
    assert v.participants[0].leader and v.participants[1].arrival_at == date(2023, 7, 14)
    assert [
        p.code for p in v.problems
    ] == []  # no period_inferred: the fields were read where they were typed


@pytest.mark.libreoffice
@pytest.mark.slow
def test_text_box_is_read_once_with_its_paragraphs_as_the_tables_lines(word_files: dict[str, bytes]) -> None:
    grids = read_attachment("回执.docx", word_files["textbox"], Limits())
    assert [g.part for g in grids] == ["表格1"]  # Word's mc:Fallback copy of the box is not a second table
    assert grids[0].lines == ["报名回执表", UNIT, MEETING]


def test_table_of_its_own_in_a_cell_becomes_a_grid_after_the_frame() -> None:
    head = tc("姓名") + tc("性别") + tc("单位") + tc("手机")
    roster = table([head, tc("王建国") + tc("男") + tc("江苏省教育厅") + tc("13912345671")])
    [frame, inner] = read_attachment(
        "回执.docx", docx_bytes(table([f"<w:tc>{para(UNIT)}{roster}</w:tc>"])), Limits()
    )
    assert frame.rows == [[UNIT]]  # the paragraphs beside the roster stay the frame's text
    assert inner.part == "表格2"
    assert inner.rows == [["姓名", "性别", "单位", "手机"], ["王建国", "男", "江苏省教育厅", "13912345671"]]


@pytest.mark.parametrize(
    "contact",
    [
        [tc("手机") + tc("13912345671"), tc("邮箱") + tc("wjg@js.edu.cn")],
        [tc("手机") + tc("座机") + tc("邮箱"), tc("13912345671") + tc("025-83335555") + tc("wjg@js.edu.cn")],
    ],
)
def test_small_table_in_a_cell_is_still_the_cells_text(contact: list[str]) -> None:
    cell = f"<w:tc>{table(contact)}</w:tc>"
    [grid] = read_attachment("回执.docx", docx_bytes(table([tc("王建国") + cell])), Limits())
    assert grid.rows[0][0] == "王建国" and "13912345671" in str(grid.rows[0][1])


def test_document_without_tables_gives_its_typed_roster_as_a_grid() -> None:
    body = "".join(
        para(t) for t in ["报名回执表", UNIT, "姓名\t性别\t手机", "王建国\t男\t13912345671", "以上"]
    )
    [grid] = read_attachment("回执.docx", docx_bytes(body), Limits())
    assert (grid.part, grid.kind) == ("表格1", "docx")
    assert grid.rows == [["姓名", "性别", "手机"], ["王建国", "男", "13912345671"]]
    assert grid.lines == ["报名回执表", UNIT, "以上"]


def test_document_without_any_table_keeps_its_paragraphs_as_lines() -> None:
    [grid] = read_attachment("回执.docx", docx_bytes(para("回执稍后发送") + para("谢谢")), Limits())
    assert (grid.rows, grid.lines) == ([], ["回执稍后发送", "谢谢"])
