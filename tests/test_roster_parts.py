"""A roster read from every table or sheet that carries it, header fields in label | value tables, and
the program decided by the strongest evidence, never by the form's printed note.

The files in tests/data/rosters were written by pandoc, LibreOffice and Gnumeric
(tests/data/rosters/make_fixtures.py); messages are built as real bytes (tests/mailbuilder.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from pytest import FixtureRequest

from intake.pipeline.process import Context, Outcome, process, process_attachment
from rules.verdict import Verdict
from tests.data.legacy.needs import require
from tests.data.rosters.make_fixtures import NOTE, PEOPLE
from tests.helpers import cst, notice
from tests.mailbuilder import MessageBuilder
from tests.roster_files import COLUMNS, person_row, receipt_workbook, write_form

DATA = Path(__file__).parent / "data" / "rosters"
GZ1 = "1433935834@qq.com"  # 高职状态平台培训 第一期 (江苏's period)
ZZ = "yaoy@moe.edu.cn"  # 中职学生管理系统培训, all three periods
NAMES = [p[0] for p in PEOPLE]
WHEN = cst("2023-06-10T10:00")


@pytest.fixture
def converter(request: FixtureRequest) -> None:
    require("libreoffice")


def read(name: str, mailbox: str = GZ1, as_name: str = "回执") -> Outcome:
    """A fixture through the pipeline under a neutral file name (the name is evidence too)."""
    data = (DATA / name).read_bytes()
    return process_attachment(
        f"{as_name}{Path(name).suffix}", data, Context(notice()), mailbox=mailbox, received=WHEN
    )


def gz1_accepted(v: Verdict) -> None:
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 1, "江苏"), v.problems
    assert [p.name for p in v.participants] == NAMES


@pytest.mark.parametrize(
    "name,part",
    [
        ("pandoc_split_repeated_header.docx", "第 2 个表格"),  # the header row repeated in the second table
        ("libreoffice_split_page_break.docx", "第 2 个表格"),  # a page break, no header in the second table
        ("gnumeric_two_sheets.xlsx", "工作表“续表”"),  # continued on a second sheet without the header
        ("gnumeric_two_sheets_header.xlsx", "工作表“续表”"),  # ... and with it
    ],
)
def test_a_roster_split_over_tables_or_sheets_is_read_whole(name: str, part: str) -> None:
    outcome = read(name)
    gz1_accepted(outcome.verdict)
    assert [p.part for p in outcome.verdict.participants] == ["", "", "", part, part]
    assert outcome.receipt is not None and len(outcome.receipt.parts) == 2


@pytest.mark.converter
@pytest.mark.parametrize(
    "name",
    ["libreoffice_split_page_break.doc", "libreoffice_split_page_break.odt", "gnumeric_two_sheets.ods"],
)
def test_split_rosters_in_word_97_and_opendocument_are_read_whole(converter: None, name: str) -> None:
    # Word 97 and OpenDocument keep the two tables as one, the later rows on their own column grid:
    # each is put back under the header cell by cell.
    gz1_accepted(read(name).verdict)


def test_a_problem_in_the_second_sheet_names_the_sheet() -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    people = [(p[0], p[1], p[2], p[4]) for p in PEOPLE]
    write_form(first, "江苏省教育厅", "高职状态平台培训第一期", people[:3], "7月13日下午")
    rest = wb.create_sheet("续表")
    rest.append(person_row(4, people[3], "7月14日上午", False))
    rest.append(person_row(5, (*people[4][:3], "1385100"), "7月14日上午", False))  # a mobile cut short
    out = io.BytesIO()
    wb.save(out)
    v = process_attachment("回执.xlsx", out.getvalue(), Context(notice()), mailbox=GZ1, received=WHEN).verdict
    assert [p.name for p in v.participants] == NAMES
    [bad] = [p for p in v.problems if p.code == "bad_mobile"]
    assert v.status == "rejected" and bad.row == 2
    assert bad.message.startswith("工作表“续表”第 2 行“手机”列")


def test_people_in_a_table_of_another_shape_are_named_never_dropped() -> None:
    v = read("pandoc_other_shape.docx").verdict
    assert v.status == "rejected" and [p.name for p in v.participants] == NAMES[:3]
    [unplaced] = [p for p in v.problems if p.code == "rows_unplaced"]
    assert unplaced.severity == "error"
    assert "“回执.docx”的第 2 个表格第 1-2 行（赵敏、孙强）" in unplaced.message


def test_a_signature_table_under_the_roster_is_not_a_person() -> None:
    v = read("pandoc_signature_table.docx").verdict
    assert v.status == "accepted" and [p.name for p in v.participants] == NAMES[:3]


def test_a_sheet_that_copies_the_roster_adds_nobody() -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    people = [
        ("王喆", "男", "江苏省教育厅", "13851001001"),
        ("李堃", "男", "无锡职业技术学院", "13851001002"),
    ]
    write_form(first, "江苏省教育厅", "高职状态平台培训第一期", people, "7月13日下午")
    write_form(wb.create_sheet("打印版"), "江苏省教育厅", "高职状态平台培训第一期", people, "7月13日下午")
    out = io.BytesIO()
    wb.save(out)
    v = process_attachment("回执.xlsx", out.getvalue(), Context(notice()), mailbox=GZ1, received=WHEN).verdict
    assert v.status == "accepted" and [p.name for p in v.participants] == ["王喆", "李堃"]


@pytest.mark.parametrize(
    "name",
    [
        "pandoc_label_value_fields.docx",  # a two-column table above the roster
        "pandoc_label_value_4col.docx",  # label | value | label | value, with （盖章） after a label
        "gnumeric_label_value.xlsx",  # a label | value block in the sheet
        "gnumeric_labels_over_values.xlsx",  # labels over their values
    ],
)
def test_header_fields_in_a_label_value_table(name: str) -> None:
    # Sent to the 中职学生 mailbox, with the template's note naming 中职学生系统 first: the form's own
    # fields decide (the mailbox is only a warning).
    outcome = read(name, mailbox=ZZ)
    assert outcome.receipt is not None
    assert (outcome.receipt.unit_name, outcome.receipt.meeting) == ("江苏省教育厅", "高职状态平台培训第一期")
    v = outcome.verdict
    assert (v.program, v.period, v.province) == ("gz-status", 1, "江苏")
    assert [p.code for p in v.problems] == ["wrong_mailbox"]


def _blank_form_message(subject: str, to: str) -> bytes:
    data = (DATA / "pandoc_blank_fields.docx").read_bytes()
    return (
        MessageBuilder(
            sender="jsjyt@js.edu.cn", sender_name="江苏省教育厅", to=to, client="qq", subject=subject
        )
        .text("老师您好，附件是报名回执，请查收。")
        .attach("回执.docx", data)
        .build()
    )


@pytest.mark.parametrize(
    "subject,to",
    [
        ("江苏省高职状态平台培训报名回执", ZZ),  # the subject names the program
        ("报名回执", GZ1),  # the mailbox serves only 高职状态平台培训
        ("报名回执", "office@example.cn"),  # only the arrival dates (7月13日-14日: 扬州's period, not 开封's)
    ],
)
def test_the_printed_note_never_decides_the_program(subject: str, to: str) -> None:
    outcome = process(_blank_form_message(subject, to), Context(notice()), received=WHEN)
    assert outcome.receipt is not None and outcome.receipt.notes == NOTE
    assert NOTE not in outcome.receipt.title
    v = outcome.verdict
    assert (v.program, v.period, v.province) == ("gz-status", 1, "江苏")
    assert "arrival_out_of_window" not in {p.code for p in v.problems}  # no false zz-student warnings


def test_a_subject_naming_two_programs_is_no_evidence() -> None:
    outcome = process(
        _blank_form_message("中职学生系统、高职状态平台培训报名回执", GZ1), Context(notice()), received=WHEN
    )
    assert outcome.verdict.program == "gz-status"  # from the mailbox


def _html_table(rows: list[list[object]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table border="1">{cells}</table>'


def test_an_html_body_with_the_roster_in_two_tables() -> None:
    people = [(p[0], p[1], p[2], p[4]) for p in PEOPLE]
    header: list[object] = list(COLUMNS)
    first = [
        header,
        *(person_row(i, p, "7月13日下午", i == 1) for i, p in enumerate(people[:3], 1)),
    ]
    second = [person_row(i, p, "7月14日上午", False) for i, p in enumerate(people[3:], 4)]
    html = (
        "<div>省级教育行政部门名称：江苏省教育厅</div><div>会议名称和期数：高职状态平台培训第一期</div>"
        + _html_table(first)
        + "<div><br></div>"
        + _html_table(second)
    )
    raw = (
        MessageBuilder(sender="jsjyt@js.edu.cn", sender_name="江苏", to=GZ1, client="163", subject="报名回执")
        .html(html)
        .build()
    )
    gz1_accepted(process(raw, Context(notice()), received=WHEN).verdict)


def test_two_provinces_receipts_in_one_message_the_other_is_named() -> None:
    jiangsu = receipt_workbook(
        "江苏省教育厅", "高职状态平台培训第一期", [("王喆", "男", "江苏省教育厅", "13851001001")]
    )
    zhejiang = receipt_workbook(
        "浙江省教育厅",
        "高职状态平台培训第一期",
        [
            ("钱军", "男", "浙江省教育厅", "13851002001"),
            ("周洁", "女", "浙江机电职业技术学院", "13851002002"),
        ],
    )
    raw = (
        MessageBuilder(sender="jsjyt@js.edu.cn", sender_name="江苏", to=GZ1, client="qq", subject="报名回执")
        .text("附件是两个省的回执。")
        .attach("江苏.xlsx", jiangsu)
        .attach("浙江.xlsx", zhejiang)
        .build()
    )
    v = process(raw, Context(notice()), received=WHEN).verdict
    # The receipt with more people stands, as before; the other is named, not silently dropped.
    assert v.province == "浙江" and [p.name for p in v.participants] == ["钱军", "周洁"]
    [other] = [p for p in v.problems if p.code == "other_receipt"]
    assert (
        other.severity == "warning"
        and "“江苏.xlsx”：江苏省教育厅 高职状态平台培训第一期，1 人" in other.message
    )


def test_the_same_receipt_twice_in_one_message_is_not_another_receipt() -> None:
    data = receipt_workbook(
        "江苏省教育厅", "高职状态平台培训第一期", [("王喆", "男", "江苏省教育厅", "13851001001")]
    )
    raw = (
        MessageBuilder(sender="jsjyt@js.edu.cn", sender_name="江苏", to=GZ1, client="qq", subject="报名回执")
        .text("回执见附件。")
        .attach("回执.xlsx", data)
        .attach("回执(1).xlsx", data)
        .build()
    )
    v = process(raw, Context(notice()), received=WHEN).verdict
    assert v.status == "accepted" and "other_receipt" not in {p.code for p in v.problems}


@pytest.mark.parametrize(
    "to,program,names,other",
    [
        (GZ1, "gz-status", ["王喆"], "中职学生管理系统培训第一期，2 人"),
        (ZZ, "zz-student", ["钱军", "周洁"], "高职状态平台培训第一期，1 人"),
    ],
)
def test_of_two_trainings_receipts_the_mailboxs_own_is_registered(
    to: str, program: str, names: list[str], other: str
) -> None:
    # 江苏 attends both trainings' first periods; one message carries both receipts, the other
    # training's with more people.  The receipt for the mailbox's own training is registered, whatever
    # its size; the other is named, never dropped.
    gz = receipt_workbook(
        "江苏省教育厅", "高职状态平台培训第一期", [("王喆", "男", "江苏省教育厅", "13851001001")]
    )
    zz = receipt_workbook(
        "江苏省教育厅",
        "中职学生管理系统培训第一期",
        [("钱军", "男", "江苏省教育厅", "13851002001"), ("周洁", "女", "江苏省教育厅", "13851002002")],
    )
    raw = (
        MessageBuilder(sender="jsjyt@js.edu.cn", sender_name="江苏", to=to, client="qq", subject="报名回执")
        .text("附件是两个培训的回执。")
        .attach("高职回执.xlsx", gz)
        .attach("中职回执.xlsx", zz)
        .build()
    )
    v = process(raw, Context(notice()), received=WHEN).verdict
    assert (v.program, v.period, v.province) == (program, 1, "江苏"), v.problems
    assert [p.name for p in v.participants] == names
    [named] = [p for p in v.problems if p.code == "other_receipt"]
    assert other in named.message
