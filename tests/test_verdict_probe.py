"""Receipts as provincial staff send them (a real xlsx in a real message, through the whole pipeline),
judged against what the notice says: quotas per unit kind, units the notice does not invite, two
programs in one 会议名称和期数, two people with one mobile, an arrival that is no date."""

from __future__ import annotations

import email
import io
from datetime import datetime
from email import policy
from email.message import EmailMessage

from openpyxl import Workbook

from intake.pipeline.process import Context, process
from mailer.compose.reply import Original, compose_reply
from rules.judge import Circumstances, judge
from rules.policy import Policy
from rules.verdict import Problem, Status, Verdict
from tests.helpers import CST, HEADER, body_text, notice, person, receipt_grid, receipt_of
from tests.mailbuilder import MessageBuilder

ZZ1 = "中职学生管理系统培训第一期"
GZ1 = "高职状态平台培训第一期"
BEFORE_ZZ1 = datetime(2023, 6, 5, 10, 0, tzinfo=CST)
Row = tuple[str, str, str, str]  # name, gender, unit, mobile


def workbook(
    unit: str,
    meeting: str,
    people: list[Row],
    arrival: list[str] | None = None,
    header: list[str] | None = None,
    leader: str = "是",
) -> bytes:
    """The notice's 附件3 as a province fills it in Excel: title, the two header lines, the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["报名回执表"])
    sheet.append([f"省级教育行政部门名称：{unit}"])
    sheet.append([f"会议名称和期数：{meeting}"])
    sheet.append(header or HEADER)
    for i, (name, gender, org, mobile) in enumerate(people, 1):
        when = arrival[i - 1] if arrival else "6月18日下午"
        sheet.append([i, name, gender, org, "科长", mobile, f"p{i}@163.com", when, leader if i == 1 else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def judged(
    unit: str,
    meeting: str,
    people: list[Row],
    *,
    to: str = "yaoy@moe.edu.cn",
    arrival: list[str] | None = None,
    header: list[str] | None = None,
    leader: str = "是",
) -> Verdict:
    raw = (
        MessageBuilder(sender="zcc@haedu.cn", to=to, subject=f"{unit}报名回执", client="qq")
        .text("您好，附件是报名回执，请查收。")
        .attach("报名回执表.xlsx", workbook(unit, meeting, people, arrival, header, leader))
        .build()
    )
    return process(raw, Context(notice()), mailbox=to, received=BEFORE_ZZ1).verdict


def found(v: Verdict, code: str) -> list[Problem]:
    return [p for p in v.problems if p.code == code]


HENAN = [
    ("王建国", "男", "河南省教育厅", "13900000001"),
    ("李娜", "女", "河南省教育厅", "13900000002"),
    ("张伟", "男", "郑州市教育局", "13900000003"),
    ("赵敏", "女", "郑州市教育局", "13900000004"),
    ("刘洋", "男", "郑州市财贸学校", "13900000005"),
]


def test_a_roster_at_every_limit_is_accepted_without_a_word() -> None:
    v = judged("河南省教育厅", ZZ1, HENAN)
    assert v.status is Status.ACCEPTED and v.problems == []


def test_two_schools_of_one_prefecture_are_counted_in_schools_and_named() -> None:
    v = judged("河南省教育厅", ZZ1, [*HENAN, ("陈刚", "男", "郑州市商业技师学院", "13900000006")])
    [over] = found(v, "quota_exceeded")
    assert v.status is Status.REJECTED and over.row == 10
    assert "“郑州市”报名 2 所学校（郑州市财贸学校、郑州市商业技师学院）" in over.message
    assert "限 1 所" in over.message and "人" not in over.message.split("。")[0].split("（限")[1]


def test_a_school_over_its_limit_is_named_as_written_not_without_its_province() -> None:
    people = [
        ("王建国", "男", "河南省教育厅", "13900000001"),
        ("刘洋", "男", "河南职业技术学院", "13900000005"),
        ("陈刚", "男", "河南职业技术学院教务处", "13900000006"),
    ]
    v = judged("河南省教育厅", GZ1, people, to="1433935834@qq.com", arrival=["7月13日下午"] * 3)
    [over] = found(v, "quota_exceeded")
    assert over.row == 7 and "“河南职业技术学院”报名 2 人" in over.message and "限 1 人" in over.message


def test_a_bureau_at_a_program_that_invites_none_is_told_so_plainly() -> None:
    people = [("王建国", "男", "河南省教育厅", "13900000001"), ("张伟", "男", "郑州市教育局", "13900000003")]
    v = judged("河南省教育厅", GZ1, people, to="1433935834@qq.com", arrival=["7月13日下午"] * 2)
    [over] = found(v, "quota_exceeded")
    assert v.status is Status.REJECTED and over.row == 6
    assert "高职状态平台培训不邀请地市级教育行政部门参加" in over.message
    assert "限 0 人" not in over.message and "删减到 0 人" not in over.message


def test_a_unit_of_no_invited_kind_is_a_warning_naming_the_kinds_invited() -> None:
    people = [
        ("王建国", "男", "河南省教育厅", "13900000001"),
        ("周强", "男", "河南省教育科学研究院", "13900000007"),
    ]
    v = judged("河南省教育厅", GZ1, people, to="1433935834@qq.com", arrival=["7月13日下午"] * 2)
    [odd] = found(v, "unit_kind_unknown")
    assert v.status is Status.ACCEPTED and odd.severity == "warning" and odd.row == 6
    assert odd.message.startswith("第 6 行“单位”列：单位“河南省教育科学研究院”")
    assert "省级教育行政部门、学校" in odd.message


def test_a_unit_of_another_province_is_a_warning_and_bingtuan_is_not_xinjiang() -> None:
    people = [
        ("王建国", "男", "新疆生产建设兵团教育局", "13900000001"),
        ("张伟", "男", "新疆维吾尔自治区教育厅", "13900000003"),
        ("赵敏", "女", "石河子市教育局", "13900000004"),
    ]
    v = judged("新疆生产建设兵团教育局", "中职学生管理系统培训第三期", people, arrival=["8月14日"] * 3)
    [other] = found(v, "unit_other_province")
    assert v.status is Status.ACCEPTED and v.province == "新疆生产建设兵团" and other.row == 6
    assert "属于新疆" in other.message and "新疆生产建设兵团的报名回执" in other.message
    assert (
        found(
            judged("新疆生产建设兵团教育局", "中职学生管理系统培训第三期", people[:1]), "unit_other_province"
        )
        == []
    )


def test_two_people_with_one_mobile_is_not_called_the_same_person() -> None:
    people = [*HENAN[:2], ("陈刚", "男", "郑州市教育局", "13900000001")]
    v = judged("河南省教育厅", ZZ1, people)
    [shared] = found(v, "duplicate_person")
    assert v.status is Status.REJECTED and (shared.row, shared.field) == (7, "mobile")
    assert shared.message == (
        "第 7 行“手机”列：手机号“13900000001”与第 5 行（王建国）相同。每位参训人员请填写本人手机号；"
        "如是同一人，请删除重复行。核对更正后重新发送。"
    )
    same = judged("河南省教育厅", ZZ1, [*HENAN[:2], ("王建国", "男", "郑州市教育局", "13900000001")])
    [again] = found(same, "duplicate_person")
    assert again.row == 7 and "王建国与第 5 行重复（手机号相同）" in again.message


def test_an_arrival_that_is_no_date_is_a_warning_with_an_example() -> None:
    v = judged("河南省教育厅", ZZ1, HENAN[:2], arrival=["6月18日下午", "6月31日"])
    [bad] = found(v, "arrival_unreadable")
    assert v.status is Status.ACCEPTED and bad.row == 6 and bad.severity == "warning"
    assert "“6月31日”不是有效的日期" in bad.message and "6月18日 15:00" in bad.message
    assert (
        found(judged("河南省教育厅", ZZ1, HENAN[:2], arrival=["6月18日下午", "待定"]), "arrival_unreadable")
        == []
    )


def test_a_meeting_naming_both_programs_is_said_so_not_that_it_is_blank() -> None:
    v = judged("河南省教育厅", "中职学生管理系统培训第一期、高职状态平台培训第一期", HENAN)
    assert (v.program, v.period, v.status) == ("zz-student", 1, Status.ACCEPTED)
    [both] = found(v, "meeting_two_programs")
    assert found(v, "period_inferred") == []
    assert "同时写了中职学生管理系统培训、高职状态平台培训" in both.message
    assert "登记为中职学生管理系统培训第1期（6月19日至6月22日，开封）" in both.message


def test_the_reply_explains_each_new_problem_by_row_and_column() -> None:
    people = [*HENAN, ("陈刚", "男", "郑州市商业技师学院", "13900000001")]
    v = judged("河南省教育厅", ZZ1, people)
    raw = compose_reply(
        v, notice(), Original("zcc@haedu.cn", "河南省报名回执"), from_addr="yaoy@moe.edu.cn", now=BEFORE_ZZ1
    )
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text = body_text(msg)
    assert "第 10 行“手机”列：手机号“13900000001”与第 5 行（王建国）相同" in text
    assert "“郑州市”报名 2 所学校（郑州市财贸学校、郑州市商业技师学院）" in text


def test_a_person_written_twice_is_one_duplicate_not_also_a_quota_over() -> None:
    people = [*HENAN[:2], HENAN[0]]
    v = judged("河南省教育厅", ZZ1, people)
    assert [(p.code, p.row) for p in v.problems] == [("duplicate_person", 7)]
    assert len(v.participants) == 3  # every row is kept; the quota counts each person once


def test_a_leader_column_headed_daidui_is_read_and_a_missing_leader_names_that_column() -> None:
    header = [*HEADER[:-1], "是否带队"]
    v = judged("河南省教育厅", ZZ1, HENAN[:2], header=header, leader="带队")
    assert v.problems == [] and [p.leader for p in v.participants] == [True, False]
    none = judged("河南省教育厅", ZZ1, HENAN[:2], header=header, leader="否")
    [missing] = found(none, "leader_missing")
    assert "请在“是否带队”一栏" in missing.message and none.status is Status.ACCEPTED


def test_a_confirmation_repeats_the_notices_requirements_and_contacts() -> None:
    v = judged("河南省教育厅", ZZ1, HENAN)
    raw = compose_reply(
        v, notice(), Original("zcc@haedu.cn", "河南省报名回执"), from_addr="yaoy@moe.edu.cn", now=BEFORE_ZZ1
    )
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text = body_text(msg)
    assert "会务联系人：董丽萍 010-66096218-802；姚艳 010-83988970-823" in text
    assert "培训要求（摘自通知）" in text and "签到制度" in text and "自带笔记本电脑" in text
    for line in ("刘洋 | 男 | 郑州市财贸学校", "地点：开封中州国际饭店（河南省开封市龙亭区大梁路121号）"):
        assert line in text
    rejected = judged("河南省教育厅", ZZ1, [*HENAN, HENAN[4]])
    raw = compose_reply(
        rejected, notice(), Original("zcc@haedu.cn", "回执"), from_addr="yaoy@moe.edu.cn", now=BEFORE_ZZ1
    )
    again = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(again, EmailMessage)
    assert "培训要求" not in body_text(again) and "会务联系人" in body_text(again)


def test_a_county_bureau_where_the_notice_invites_prefectures_is_a_warning() -> None:
    people = [
        *HENAN[:2],
        ("张伟", "男", "新郑市教育局", "13900000003"),
        ("赵敏", "女", "郑州市中原区教育局", "13900000004"),
        ("刘洋", "男", "郑州市教育局", "13900000005"),
    ]
    v = judged("河南省教育厅", ZZ1, people)
    county = found(v, "unit_county_bureau")
    assert v.status is Status.ACCEPTED and [p.row for p in county] == [7, 8]
    assert "县级（新郑市）" in county[0].message and "县级（中原区）" in county[1].message
    assert "地市级教育行政部门（每单位限 2 人）" in county[0].message
    beijing = judged(
        "北京市教育委员会",
        ZZ1,
        [("王建国", "男", "北京市教委", "13900000001"), ("张伟", "男", "海淀区教委", "13900000003")],
    )
    assert found(beijing, "unit_county_bureau") == []  # a 直辖市's district is its 地市级


def test_a_province_naming_a_period_it_does_not_attend_is_shown_its_own_arrangements() -> None:
    v = judged("广东省教育厅", ZZ1, [("王建国", "男", "广东省教育厅", "13900000001")])
    assert v.status is Status.REJECTED and [p.code for p in v.problems] == ["province_not_in_session"]
    raw = compose_reply(v, notice(), Original("a@gd.cn", "回执"), from_addr="yaoy@moe.edu.cn", now=BEFORE_ZZ1)
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text = body_text(msg)
    assert "广东参加第2期（7月15日至7月18日，长沙）" in text
    assert "时间：7月15日至7月18日（2023年）" in text and "报名截止：2023年7月7日 17:00" in text
    assert "开封" not in text.split("培训安排：")[1]


def test_a_city_bureau_sending_for_itself_is_told_to_send_through_its_province() -> None:
    people = [
        ("王建国", "男", "大连市教育局", "13900000001"),
        ("李娜", "女", "大连市轻工业学校", "13900000002"),
    ]
    v = judged("大连市教育局", ZZ1, people)
    [direct] = found(v, "province_from_place")
    assert v.status is Status.REJECTED and v.province == "辽宁" and found(v, "unknown_province") == []
    assert "“大连市教育局”（辽宁），不是省级教育行政部门" in direct.message
    assert "请将参训人员报给辽宁省教育厅" in direct.message
    compiled = judged("大连市教育局", ZZ1, [("赵敏", "女", "辽宁省教育厅", "13900000003"), *people])
    assert compiled.status is Status.ACCEPTED and compiled.province == "辽宁"


def test_a_place_of_the_province_named_like_another_province_is_not_foreign() -> None:
    people = [
        ("王建国", "男", "青海省教育厅", "13900000001"),
        ("张伟", "男", "海南州教育局", "13900000003"),  # 海南藏族自治州 is 青海's
        ("赵敏", "女", "海南省教育厅", "13900000004"),
    ]
    v = judged("青海省教育厅", "中职学生管理系统培训第三期", people, arrival=["8月14日"] * 3)
    assert [(p.code, p.row) for p in v.problems] == [("unit_other_province", 7)]


def test_two_people_with_one_mobile_in_a_scan_is_a_reading_to_check() -> None:
    people = [
        person(1, "陈伟", "河南省教育厅", "是", mobile="13900000001", arrival="6月18日"),
        person(2, "罗敏", "河南省教育厅", gender="女", mobile="13900000001", arrival="6月18日"),
    ]
    receipt = receipt_of(receipt_grid("河南省教育厅", ZZ1, people))
    receipt.ocr = True
    v = judge(receipt, notice(), Policy(), Circumstances("yaoy@moe.edu.cn", BEFORE_ZZ1))
    [check] = v.problems
    assert (check.code, check.row, check.severity) == ("ocr_uncertain", 6, "warning")
    assert "13900000001" in check.message


def test_the_host_municipalitys_schools_are_unlimited_whatever_their_district() -> None:
    people = [
        ("王建国", "男", "重庆市教育委员会", "13900000001"),
        ("刘洋", "男", "重庆市江北区职业教育中心", "13900000005"),
        ("陈刚", "男", "重庆市江北区第二职业学校", "13900000006"),
    ]
    v = judged("重庆市教育委员会", "中职学生管理系统培训第三期", people, arrival=["8月14日"] * 3)
    assert v.status is Status.ACCEPTED and v.problems == []
    # elsewhere a 直辖市's district is its 地市级: two schools of one district are over
    beijing = [
        ("王建国", "男", "北京市教育委员会", "13900000001"),
        *[(n, "男", u, m) for n, _g, u, m in people[1:]],
    ]
    beijing = [(n, g, u.replace("重庆市江北区", "北京市海淀区"), m) for n, g, u, m in beijing]
    [over] = found(judged("北京市教育委员会", ZZ1, beijing), "quota_exceeded")
    assert "“海淀区”报名 2 所学校" in over.message


def test_a_meeting_naming_two_periods_is_placed_in_the_one_the_province_attends() -> None:
    people = [
        ("王建国", "男", "河南省教育厅", "13900000001"),
        ("刘洋", "男", "河南职业技术学院", "13900000005"),
    ]
    for meeting in ("高职状态平台培训第三期、第一期", "高职状态平台培训第一、三期"):
        v = judged("河南省教育厅", meeting, people, to="1433935834@qq.com", arrival=["7月13日下午"] * 2)
        assert (v.program, v.period, v.status, v.problems) == ("gz-status", 1, Status.ACCEPTED, [])
    alone = judged("河南省教育厅", "高职状态平台培训第三期", people, to="1433935834@qq.com")
    assert [p.code for p in alone.problems] == ["province_not_in_session"]


def test_a_receipt_for_no_training_anyone_can_tell_is_not_confirmed() -> None:
    people = [("王建国", "男", "河南省教育厅", "13900000001"), ("刘洋", "男", "郑州市教育局", "13900000005")]
    v = judged("河南省教育厅", "", people, to="forwarded@moe.edu.cn", arrival=["", ""])
    [unknown] = found(v, "unknown_program")
    assert v.status is Status.REJECTED and v.program is None
    assert "请在“会议名称和期数”中写明培训名称和期数" in unknown.message
    raw = (
        MessageBuilder(sender="zcc@haedu.cn", to="forwarded@moe.edu.cn", subject="报名回执", client="qq")
        .attach("报名回执表.xlsx", workbook("河南省教育厅", "", people, ["", ""]))
        .build()
    )
    served = process(raw, Context(notice()), received=BEFORE_ZZ1, served=("gz-status/1",)).verdict
    assert (served.program, served.period) == ("gz-status", 1) and found(served, "unknown_program") == []
