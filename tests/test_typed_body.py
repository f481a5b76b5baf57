"""A roster typed into a mail body with single spaces (「姓名 性别 单位 …」 over its people), as staff
type one when they have no form at hand: read whole, and a row typed otherwise is named, never dropped."""

from __future__ import annotations

from intake.pipeline.process import Context, process
from intake.readers import read_text_body
from intake.readers.limits import Limits
from tests.helpers import cst, notice
from tests.mailbuilder import MessageBuilder

ZZ = "yaoy@moe.edu.cn"
HEADER = "姓名 性别 单位 职务 手机 邮箱 到达时间 是否领队"
LEADER = "刘建华 男 河南省教育厅 处长 13812345678 liujh@ha.edu.cn 6月18日 是"
LAST = "赵丽 女 开封市教育局 科长 13712345678 zhaoli@kf.edu.cn 6月18日 否"


def body(*rows: str) -> str:
    return "\n".join(
        [
            "姚老师您好：",
            "河南省报名回执如下，请查收。",
            "",
            "省级教育行政部门名称：河南省教育厅",
            "会议名称和期数：中职学生管理系统培训第一期",
            HEADER,
            LEADER,
            *rows,
            LAST,
            "",
            "河南省教育厅职成处 王军",
        ]
    )


def test_single_spaced_lines_of_one_width_are_a_table() -> None:
    [grid] = read_text_body(body(), Limits())
    assert grid.rows[0] == HEADER.split()
    assert [row[0] for row in grid.rows[1:]] == ["刘建华", "赵丽"]
    assert "河南省报名回执如下，请查收。" in grid.lines


def test_a_name_typed_with_a_space_is_joined_but_a_split_unit_is_not() -> None:
    [grid] = read_text_body(
        body(
            "陈 晓梅 女 郑州市教育局 科长 13912345678 chenxm@zz.edu.cn 6月18日 否",
            "王强 男 郑州市 教育局 科长 13912345679 wangq@zz.edu.cn 6月18日 否",
        ),
        Limits(),
    )
    assert grid.rows[2][:3] == ["陈晓梅", "女", "郑州市教育局"]
    assert grid.rows[3][:4] == ["王强", "男", "郑州市", "教育局"]  # kept as typed, for extraction to name


def test_prose_lines_of_one_width_with_no_header_are_no_receipt() -> None:
    raw = (
        MessageBuilder(sender="liujh@ha.edu.cn", to=ZZ, client="qq", subject="Hello")
        .text("We will send the form next week okay.\nPlease wait for us a bit okay.\n")
        .build()
    )
    outcome = process(raw, Context(notice()), received=cst("2023-06-08T10:00"))
    assert outcome.receipt is None


def test_a_roster_typed_with_single_spaces_is_read_whole() -> None:
    typed = body("陈 晓梅 女 郑州市教育局 科长 13912345678 chenxm@zz.edu.cn 6月18日 否")
    raw = (
        MessageBuilder(
            sender="liujh@ha.edu.cn", sender_name="河南省教育厅", to=ZZ, client="qq", subject="河南省报名回执"
        )
        .text(typed)
        .build()
    )
    v = process(raw, Context(notice()), received=cst("2023-06-08T10:00")).verdict
    assert (v.status, v.program, v.period, v.province) == ("accepted", "zz-student", 1, "河南"), v.problems
    assert [p.name for p in v.participants] == ["刘建华", "陈晓梅", "赵丽"]
    assert v.participants[0].leader and v.participants[1].mobile == "13912345678"


def test_a_row_typed_out_of_line_is_named_not_dropped() -> None:
    typed = body("王强 男 郑州市 教育局 科长 13912345679 wangq@zz.edu.cn 6月18日 否")
    raw = (
        MessageBuilder(
            sender="liujh@ha.edu.cn",
            sender_name="河南省教育厅",
            to=ZZ,
            client="163",
            subject="河南省报名回执",
        )
        .text(typed)
        .build()
    )
    v = process(raw, Context(notice()), received=cst("2023-06-08T10:00")).verdict
    assert [p.name for p in v.participants] == ["刘建华", "赵丽"]
    assert v.status == "rejected"
    [unplaced] = [p for p in v.problems if p.code == "rows_unplaced"]
    assert "王强" in unplaced.message
