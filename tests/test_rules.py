"""The rules return the right verdict and a Chinese explanation for every problem code."""

import copy
import dataclasses
import json
from typing import TypedDict, Unpack

import pytest

from intake.readers.grid import CellValue
from rules.attachments import UnreadableFile
from rules.judge import Circumstances, judge
from rules.policy import Late, Policy
from rules.problems import KINDS, UnreadableReason, problem, unreadable
from rules.units import BUREAU, DEPARTMENT, SCHOOL, UnitKind, find_province, unit_kind
from rules.verdict import Severity, Status, Verdict
from tests.helpers import cst, notice, person, receipt_grid, receipt_of

GZ2 = "gzqysgmsc@163.com"
ZZ = "yaoy@moe.edu.cn"


class Arrival(TypedDict, total=False):
    """How a receipt arrived, for verdict(): each key overrides its default."""

    mailbox: str
    received: str
    policy: Policy | None
    sender: str
    subject: str


def verdict(
    unit: str,
    meeting: str,
    people: list[list[CellValue]],
    mailbox: str = GZ2,
    received: str = "2023-06-26T16:08",
    policy: Policy | None = None,
    sender: str = "",
    subject: str = "",
) -> Verdict:
    r = receipt_of(receipt_grid(unit, meeting, people), subject=subject)
    return judge(r, notice(), policy or Policy(), Circumstances(mailbox, cst(received), sender))


def codes(v: Verdict) -> dict[str, Severity]:
    return {p.code: p.severity for p in v.problems}


def clean_gz2(**kw: Unpack[Arrival]) -> Verdict:
    people = [person(1, "徐欣", "贵州省教育厅", "是"), person(2, "白丹", "贵州交通职业技术学院", gender="女")]
    return verdict("贵州省教育厅", "高职状态平台培训第2期", people, **kw)


def test_clean_receipt_is_accepted_with_program_period_province() -> None:
    v = clean_gz2()
    assert (v.status, v.program, v.period, v.province) == ("accepted", "gz-status", 2, "贵州")
    assert v.problems == []
    assert [p.unit_kind for p in v.participants] == [DEPARTMENT, SCHOOL]


@pytest.mark.parametrize(
    "text,name",
    [
        ("内蒙古自治区教育厅", "内蒙古"),
        ("广西壮族自治区教育厅", "广西"),
        ("新疆维吾尔自治区教育厅", "新疆"),
        ("新疆生产建设兵团教育局", "新疆生产建设兵团"),
        ("兵团教育局", "新疆生产建设兵团"),
        ("天津市教委", "天津"),
        ("黑龙江省教育厅", "黑龙江"),
    ],
)
def test_province_from_full_unit_names(text: str, name: str) -> None:
    province = find_province(text, notice())
    assert province is not None
    assert province.name == name


def test_unit_kinds() -> None:
    n = notice()
    henan = n.unit("河南")
    assert unit_kind("河南省教育厅职成处", henan, n) == DEPARTMENT
    assert unit_kind("开封市教育局", henan, n) == BUREAU
    assert unit_kind("河南省开封市教育局", henan, n) == BUREAU
    assert unit_kind("开封市卫生学校", henan, n) == SCHOOL


def test_unknown_province_is_an_error() -> None:
    v = verdict("某某单位", "高职状态平台培训第2期", [person(1, "甲", "某某单位", "是")])
    assert codes(v)["unknown_province"] == "error" and v.status == "rejected"


def test_zz_school_program_takes_no_receipt() -> None:
    v = verdict("河南省教育厅", "中职学校系统培训", [person(1, "甲", "河南省教育厅", "是")], mailbox=ZZ)
    assert codes(v) == {"program_no_receipt": "error"}
    assert v.program == "zz-school"


def test_province_in_the_wrong_period_names_the_right_one() -> None:
    v = verdict(
        "西藏自治区教育厅",
        "中职学生管理系统培训第一期",
        [person(1, "甲", "西藏自治区教育厅", "是")],
        mailbox=ZZ,
        received="2023-06-06T11:37",
    )
    p = next(p for p in v.problems if p.code == "province_not_in_session")
    assert p.severity == "error"
    assert "第3期" in p.message and "yaoy@moe.edu.cn" in p.message and "2023年7月31日 17:00" in p.message


def test_blank_meeting_infers_period_from_province_with_warning() -> None:
    v = verdict("贵州省教育厅", "", [person(1, "徐欣", "贵州省教育厅", "是")])
    assert (v.program, v.period) == ("gz-status", 2)
    assert codes(v) == {"period_inferred": "warning"}


def test_wrong_mailbox_is_a_warning_naming_the_right_address() -> None:
    v = clean_gz2(mailbox="1433935834@qq.com")
    p = next(p for p in v.problems if p.code == "wrong_mailbox")
    assert p.severity == "warning" and GZ2 in p.message and v.status == "accepted"


def test_late_is_a_warning_or_an_error_by_policy() -> None:
    assert codes(clean_gz2(received="2023-07-03T17:01")) == {"late": "warning"}
    assert codes(clean_gz2(received="2023-07-03T16:59")) == {}
    v = clean_gz2(received="2023-07-04T09:00", policy=Policy(late=Late.ERROR))
    assert codes(v) == {"late": "error"} and v.status == "rejected"


def test_department_over_quota() -> None:
    people = [
        person(i, n, u, "是" if i == 1 else "")
        for i, (n, u) in enumerate(
            [("甲", "贵州省教育厅"), ("乙", "贵州省教育厅"), ("丙", "贵州省教育厅职成处")], 1
        )
    ]
    v = verdict("贵州省教育厅", "高职状态平台培训第2期", people)
    p = next(p for p in v.problems if p.code == "quota_exceeded")
    assert p.severity == "error" and p.row == 7 and "3 人" in p.message


def test_school_over_quota_and_bureau_not_invited_to_gz_status() -> None:
    people = [
        person(1, "甲", "贵州交通职业技术学院", "是"),
        person(2, "乙", "贵州交通职业技术学院"),
        person(3, "丙", "贵阳市教育局"),
    ]
    v = verdict("贵州省教育厅", "高职状态平台培训第2期", people)
    assert [p.row for p in v.problems if p.code == "quota_exceeded"] == [6, 7]


def test_zz_student_one_school_per_prefecture_except_the_host_city() -> None:
    people = [
        person(1, "甲", "河南省教育厅", "是", arrival="2023-06-19 10:00"),
        person(2, "乙", "郑州市教育局", arrival="2023-06-19 10:00"),
        person(3, "丙", "郑州市第一职业中专", arrival="2023-06-19 10:00"),
        person(4, "丁", "郑州市第二职业中专", arrival="2023-06-19 10:00"),
        person(5, "戊", "开封市卫生学校", arrival="2023-06-19 10:00"),
        person(6, "己", "开封市文化艺术学校", arrival="2023-06-19 10:00"),
    ]
    v = verdict("河南省教育厅", "中职学生管理系统培训第一期", people, mailbox=ZZ, received="2023-06-01T10:00")
    quota = [p for p in v.problems if p.code == "quota_exceeded"]
    assert len(quota) == 1 and "郑州市" in quota[0].message and quota[0].row == 8


def test_row_level_errors_name_row_and_column() -> None:
    people = [
        person(1, "", "贵州省教育厅", "是"),
        person(2, "乙", "贵州省教育厅", mobile="0851-1234567"),
        person(3, "丙", "贵州轻工职业技术学院", email="bing@163,com"),
        person(4, "丁", "贵州交通职业技术学院", gender="未知"),
    ]
    v = verdict("贵州省教育厅", "高职状态平台培训第2期", people)
    found = {(p.code, p.row, p.field) for p in v.problems}
    assert {
        ("missing_field", 5, "name"),
        ("bad_mobile", 6, "mobile"),
        ("bad_email", 7, "email"),
        ("bad_gender", 8, "gender"),
    } <= found
    bad_mobile = next(p for p in v.problems if p.code == "bad_mobile")
    assert bad_mobile.message.startswith("第 6 行“手机”列")


def test_duplicate_person_by_mobile() -> None:
    people = [
        person(1, "甲", "贵州省教育厅", "是", mobile="13900001111"),
        person(2, "甲", "贵州轻工职业技术学院", mobile="13900001111"),
    ]
    v = verdict("贵州省教育厅", "高职状态平台培训第2期", people)
    p = next(p for p in v.problems if p.code == "duplicate_person")
    assert p.row == 6 and "第 5 行" in p.message


def test_leader_missing_and_multiple_are_warnings() -> None:
    none = verdict("贵州省教育厅", "高职状态平台培训第2期", [person(1, "甲", "贵州省教育厅")])
    assert codes(none) == {"leader_missing": "warning"}
    two = verdict(
        "贵州省教育厅",
        "高职状态平台培训第2期",
        [person(1, "甲", "贵州省教育厅", "是"), person(2, "乙", "贵州省教育厅", "√")],
    )
    assert codes(two) == {"leader_multiple": "warning"}


def test_arrival_outside_the_window_is_a_warning() -> None:
    v = verdict(
        "贵州省教育厅",
        "高职状态平台培训第2期",
        [person(1, "甲", "贵州省教育厅", "是", arrival="6月18日下午")],
    )
    p = next(p for p in v.problems if p.code == "arrival_out_of_window")
    assert p.severity == "warning" and p.row == 5


def test_sender_not_on_the_provinces_list_is_unverified() -> None:
    policy = Policy(senders={"贵州": ("@gzsjyt.gov.cn",)})
    assert codes(clean_gz2(policy=policy, sender="zcc@gzsjyt.gov.cn")) == {}
    assert codes(clean_gz2(policy=policy, sender="someone@qq.com")) == {"sender_unverified": "warning"}


def test_every_code_has_a_severity_and_a_chinese_message() -> None:
    assert set(KINDS) >= {
        "no_form",
        "unreadable_attachment",
        "unknown_province",
        "program_no_receipt",
        "province_not_in_session",
        "quota_exceeded",
        "missing_field",
        "bad_mobile",
        "bad_email",
        "bad_gender",
        "duplicate_person",
        "wrong_mailbox",
        "late",
        "arrival_out_of_window",
        "leader_missing",
        "leader_multiple",
        "period_inferred",
        "sender_unverified",
    }
    assert problem("no_form").message.startswith("邮件中没有找到报名回执表")


def test_a_mailbox_the_operator_configured_for_the_period_is_not_wrong() -> None:
    r = receipt_of(
        receipt_grid("贵州省教育厅", "高职状态平台培训第2期", [person(1, "徐欣", "贵州省教育厅", "是")])
    )
    when = Circumstances("someone@163.com", cst("2023-06-26T16:08"), "", served=("gz-status/2",))
    assert judge(r, notice(), Policy(), when).problems == []


def test_judge_changes_nothing_it_is_given() -> None:
    r = receipt_of(
        receipt_grid(
            "贵州省教育厅",
            "",
            [
                person(1, "徐欣", "贵州省教育厅", "是"),
                person(2, "白丹", "贵州交通职业技术学院", mobile="123"),
            ],
        )
    )
    policy, when = Policy(late=Late.ERROR), Circumstances("x@y.cn", cst("2023-07-26T16:08"), "a@b.cn")
    given = copy.deepcopy((r, policy, when))
    v = judge(r, notice(), policy, when, [UnreadableFile("b.xlsx", UnreadableReason.CORRUPT)])
    assert (r, policy, when) == given
    assert [p.unit_kind for p in v.participants] == [UnitKind.DEPARTMENT, UnitKind.SCHOOL]
    assert [row.participant.unit_kind for row in r.rows] == [None, None]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.status = Status.ACCEPTED  # type: ignore[misc]  # assigning to a frozen field is the refusal under test


def test_no_receipt_is_rejected_with_each_unreadable_file_or_else_no_form() -> None:
    n, when = notice(), Circumstances(ZZ)
    files = [
        UnreadableFile("a.xlsx", UnreadableReason.ENCRYPTED),
        UnreadableFile("b.pdf", UnreadableReason.EMPTY),
    ]
    v = judge(None, n, Policy(), when, files)
    assert v.status == "rejected" and codes(v) == {"unreadable_attachment": "error"}
    assert ["“a.xlsx”" in p.message and "密码" in p.message for p in v.problems] == [True, False]
    assert "“b.pdf”" in v.problems[1].message
    v = judge(None, n, Policy(), when)
    assert (v.status, [p.code for p in v.problems], v.province) == ("rejected", ["no_form"], None)


def test_a_form_without_rows_is_no_form_before_its_other_problems() -> None:
    r = receipt_of(receipt_grid("某某单位", "高职状态平台培训第2期", []))
    v = judge(r, notice(), Policy(), Circumstances(GZ2))
    assert v.status == "rejected" and [p.code for p in v.problems] == ["no_form", "unknown_province"]


def test_unreadable_files_beside_a_receipt_are_warnings_and_scans_are_the_record() -> None:
    r = receipt_of(
        receipt_grid("贵州省教育厅", "高职状态平台培训第2期", [person(1, "徐欣", "贵州省教育厅", "是")])
    )
    files = [
        UnreadableFile("旧表.xlsx", UnreadableReason.CORRUPT),
        UnreadableFile("盖章.zip/扫描件.PDF", UnreadableReason.CORRUPT),
        UnreadableFile("照片.jpg", UnreadableReason.TOO_LARGE),
    ]
    v = judge(r, notice(), Policy(), Circumstances(GZ2, cst("2023-06-26T16:08")), files)
    assert v.status == "accepted"
    assert [(p.code, p.severity) for p in v.problems] == [("unreadable_attachment", "warning")]
    assert "“旧表.xlsx”" in v.problems[0].message


def test_a_reason_the_table_does_not_know_reads_as_corrupt() -> None:
    assert UnreadableReason("no-such-reason") is UnreadableReason.CORRUPT
    assert unreadable("a.xlsx", "no-such-reason").message == unreadable("a.xlsx", "corrupt").message


def test_choices_are_str_enums_and_the_public_json_is_unchanged() -> None:
    v = clean_gz2(received="2023-07-26T16:08")
    assert v.status is Status.ACCEPTED and v.problems[0].severity is Severity.WARNING
    public = v.public()
    assert type(public["status"]) is str and type(public["problems"][0]["severity"]) is str
    assert json.loads(json.dumps(public, ensure_ascii=False))["status"] == "accepted"
    assert Policy(late="error").late is Late.ERROR  # type: ignore[arg-type]  # a plain string, coerced: what this checks
