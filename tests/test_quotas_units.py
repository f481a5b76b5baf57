"""Quotas counted on units as provinces write them: the department without its province, a bureau's office,
vocational-education centres, and schools named by their county-level city (openpyxl workbooks, the whole
pipeline), and the digest's unit counts on the same spellings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from intake.pipeline.process import Context, process_attachment
from mailer.compose.digest_data import DigestSnapshot, build_digest
from rules.units import DEPARTMENT, SCHOOL
from rules.verdict import Problem, Verdict
from storage.store import Store
from tests.helpers import cst, known_period, notice
from tests.organizer_data import add, person
from tests.roster_files import Person, receipt_workbook

ZZ = "yaoy@moe.edu.cn"
GZ1 = "1433935834@qq.com"


def judged(unit: str, meeting: str, people: Sequence[Person], mailbox: str, arrival: str) -> Verdict:
    data = receipt_workbook(unit, meeting, people, arrival)
    outcome = process_attachment(
        "回执.xlsx", data, Context(notice()), mailbox=mailbox, received=cst("2023-06-01T10:00")
    )
    return outcome.verdict


def zz1(unit: str, people: Sequence[Person]) -> Verdict:
    return judged(unit, "中职学生管理系统培训第一期", people, ZZ, "6月18日下午")


def quota_problems(v: Verdict) -> list[Problem]:
    return [p for p in v.problems if p.code == "quota_exceeded"]


def test_department_written_without_its_province_counts_against_its_limit_of_two() -> None:
    people = [
        ("王喆", "男", "江苏省教育厅", "13900001111"),
        ("李堃", "男", "省教育厅", "13900001112"),
        ("张婷", "女", "教育厅职成处", "13900001113"),
    ]
    v = judged("江苏省教育厅", "高职状态平台培训第一期", people, GZ1, "7月13日下午")
    assert [p.unit_kind for p in v.participants] == [DEPARTMENT] * 3
    [over] = quota_problems(v)
    assert over.row == 7 and "“江苏省教育厅”报名 3 人" in over.message and "限 2 人" in over.message
    assert (
        judged("江苏省教育厅", "高职状态平台培训第一期", people[:2], GZ1, "7月13日下午").status == "accepted"
    )


def test_an_office_of_a_bureau_counts_with_the_bureau() -> None:
    people = [
        ("王喆", "男", "山西省教育厅", "13900002221"),
        ("李堃", "男", "太原市教育局", "13900002222"),
        ("张婷", "女", "太原市教育局", "13900002223"),
        ("赵敏", "女", "太原市教育局职成教科", "13900002224"),
    ]
    [over] = quota_problems(zz1("山西省教育厅", people))
    assert over.row == 8 and "“太原市教育局”报名 3 人" in over.message


def test_a_municipal_district_bureau_written_three_ways_is_one_unit() -> None:
    people = [
        ("王喆", "男", "北京市教育委员会", "13900003331"),
        ("李堃", "男", "北京市海淀区教育委员会", "13900003332"),
        ("张婷", "女", "海淀区教委", "13900003333"),
        ("赵敏", "女", "北京市海淀区教委职成科", "13900003334"),
    ]
    [over] = quota_problems(zz1("北京市教育委员会", people))
    assert over.row == 8 and "“北京市海淀区教育委员会”报名 3 人" in over.message
    assert zz1("北京市教育委员会", people[:3]).status == "accepted"


def test_two_schools_of_one_prefecture_named_by_their_county_level_cities() -> None:
    people = [
        ("王喆", "男", "江苏省教育厅", "13900003331"),
        ("李堃", "男", "张家港市职业技术教育中心", "13900003332"),
        ("张婷", "女", "常熟市职教中心", "13900003333"),
    ]
    v = zz1("江苏省教育厅", people)
    assert [p.unit_kind for p in v.participants][1:] == [SCHOOL, SCHOOL]
    [over] = quota_problems(v)
    assert over.row == 7 and "“苏州市”报名 2 所学校" in over.message and "每个地市限报学校数" in over.message


def test_schools_of_two_prefectures_pass() -> None:
    people = [
        ("王喆", "男", "江苏省教育厅", "13900004441"),
        ("李堃", "男", "张家港市职业技术教育中心", "13900004442"),
        ("张婷", "女", "沛县职业技术教育中心", "13900004443"),
    ]
    v = zz1("江苏省教育厅", people)
    assert v.status == "accepted" and quota_problems(v) == []


def test_the_host_citys_county_schools_are_unlimited_and_others_counted() -> None:
    people = [
        ("王喆", "男", "河南省教育厅", "13900005551"),
        ("李堃", "男", "开封市卫生学校", "13900005552"),
        ("张婷", "女", "尉氏县职业技术教育中心", "13900005553"),  # 尉氏县 is in 开封, the host city
        ("赵敏", "女", "郑州市财贸学校", "13900005554"),
        ("钱军", "男", "新郑市职教中心", "13900005555"),  # 新郑市 is in 郑州
    ]
    [over] = quota_problems(zz1("河南省教育厅", people))
    assert over.row == 9 and "“郑州市”报名 2 所学校" in over.message


def test_digest_counts_units_of_every_spelling_by_their_kind(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    try:
        add(
            store,
            "江苏",
            [
                person("王喆", "教育厅职成处", "13900006661", leader=True),
                person("李堃", "张家港市职业技术教育中心", "13900006662"),
            ],
            received="2023-06-10T10:00",
            sender="jsjyt@js.edu.cn",
        )
        period = known_period("gz-status/1")
        versions = {p: store.versions(period.program, period.number, p) for p in period.provinces}
        data = build_digest(notice(), period, DigestSnapshot(versions=versions), cst("2023-06-12T08:00"))
    finally:
        store.close()
    [jiangsu] = [p for p in data.provinces if p.province == "江苏"]
    assert jiangsu.by_kind == {"department": 1, "bureau": 0, "school": 1, "other": 0}
