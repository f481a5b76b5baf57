"""Unit kinds, unit keys and prefectures: departments without their province, offices inside a bureau,
vocational-education centres, and the gazetteer (GB/T 2260) that puts a county-level city in its prefecture."""

from __future__ import annotations

import re

import pytest

from rules import units as U
from rules.data import make_divisions
from rules.gazetteer import Level, gazetteer, parse
from rules.units import BUREAU, DEPARTMENT, OTHER, SCHOOL, UnitKind
from tests.helpers import ROOT, known_unit, notice

DIVISIONS = ROOT / "rules" / "data" / "divisions.csv"


@pytest.mark.parametrize(
    "text,province,kind",
    [
        ("省教育厅", "江苏", DEPARTMENT),
        ("教育厅", "江苏", DEPARTMENT),
        ("省教育厅职成处", "江苏", DEPARTMENT),
        ("江苏省教育厅职业教育处", "江苏", DEPARTMENT),
        ("市教委", "北京", DEPARTMENT),  # a 直辖市's department is its 教育委员会
        ("教委职成处", "上海", DEPARTMENT),
        ("兵团教育局", "新疆生产建设兵团", DEPARTMENT),
        ("市教委", "河南", BUREAU),  # in a province a 市 is a prefecture: its 教委 is a bureau
        ("太原市教育局职成教科", "山西", BUREAU),
        ("张家港市职业技术教育中心", "江苏", SCHOOL),
        ("昆山市职教中心", "江苏", SCHOOL),
        ("沛县职业技术教育中心", "江苏", SCHOOL),
        ("江阴市职业高中", "江苏", SCHOOL),
        ("江苏省联合职业技术学院", "江苏", SCHOOL),
        ("江苏省电化教育馆", "江苏", OTHER),
    ],
)
def test_unit_kinds(text: str, province: str, kind: UnitKind) -> None:
    assert U.unit_kind(text, known_unit(province), notice()) == kind


def test_without_a_province_a_bare_department_is_still_a_department() -> None:
    assert U.unit_kind("省教育厅职成处", None, notice()) == DEPARTMENT


@pytest.mark.parametrize(
    "texts,province,kind,key",
    [
        (
            ["太原市教育局", "太原市教育局职成教科", "山西省太原市教育局", "太原教育局"],
            "山西",
            BUREAU,
            "太原市教育局",
        ),
        (
            ["无锡职业技术学院", "无锡职业技术学院教务处", "江苏省无锡职业技术学院信息中心"],
            "江苏",
            SCHOOL,
            "无锡职业技术学院",
        ),
    ],
)
def test_offices_and_spellings_of_one_unit_share_its_key(
    texts: list[str], province: str, kind: UnitKind, key: str
) -> None:
    markers = notice().unit_kinds.bureau_markers if kind == BUREAU else notice().unit_kinds.school_markers
    assert {U.unit_key(t, known_unit(province), markers) for t in texts} == {key}


@pytest.mark.parametrize(
    ("texts", "province"),
    [
        # a 直辖市's district: 教委 and 教育委员会, with and without the city, an office inside it
        (["北京市海淀区教育委员会", "北京市海淀区教委", "海淀区教委", "海淀区教委职成科"], "北京"),
        # one bureau, named by its older or newer name
        (["太原市教育局", "太原市教育体育局", "太原教体局", "太原市教育和体育局"], "山西"),
        # a county's bureau with or without its prefecture
        (["郑州市中原区教育局", "中原区教育局", "郑州中原区教育局"], "河南"),
    ],
)
def test_a_place_has_one_bureau_whatever_it_is_called(texts: list[str], province: str) -> None:
    markers = notice().unit_kinds.bureau_markers
    assert len({U.unit_key(t, known_unit(province), markers, one_per_place=True) for t in texts}) == 1


def test_districts_of_one_name_in_two_prefectures_are_two_bureaus() -> None:
    markers, jiangsu = notice().unit_kinds.bureau_markers, known_unit("江苏")
    nanjing = U.unit_key("南京市鼓楼区教育局", jiangsu, markers, one_per_place=True)
    assert nanjing != U.unit_key("徐州市鼓楼区教育局", jiangsu, markers, one_per_place=True)
    # schools keep their marker: 职教中心 and 卫校 of one city are two schools
    school = notice().unit_kinds.school_markers
    assert U.unit_key("郑州市职教中心", known_unit("河南"), school) != U.unit_key(
        "郑州市卫校", known_unit("河南"), school
    )


def test_a_county_bureau_and_a_school_beside_a_bureau_keep_their_own_keys() -> None:
    kinds, shanxi = notice().unit_kinds, known_unit("山西")
    assert U.unit_key("清徐县教育局", shanxi, kinds.bureau_markers) == "太原市清徐县教育局"
    assert U.unit_key("太原市教育局", shanxi, kinds.bureau_markers) != "太原市清徐县教育局"
    # what follows a school's name and is not an office is part of the name
    jiangsu = known_unit("江苏")
    assert U.unit_key("南京学院继续教育学院", jiangsu, kinds.school_markers) == "南京学院继续教育学院"


@pytest.mark.parametrize(
    "text,province,prefecture",
    [
        ("张家港市中等专业学校", "江苏", "苏州市"),  # a county-level city counts with its prefecture
        ("常熟市职业教育中心", "江苏", "苏州市"),
        ("江苏省常熟中等专业学校", "江苏", "苏州市"),  # its name without 市, after the province
        ("江阴中专", "江苏", "无锡市"),
        ("沛县职业技术教育中心", "江苏", "徐州市"),
        ("苏州工业园区职业技术学院", "江苏", "苏州市"),
        ("南京市鼓楼区职业学校", "江苏", "南京市"),
        ("鼓楼区职业学校", "江苏", ""),  # 鼓楼区 is in 南京 and in 徐州: it does not say
        ("江苏联合职业技术学院", "江苏", ""),
        # in a 直辖市 the district (its 区教委 is the 地市级 authority) is what the rule counts by
        ("北京市海淀区职业学校", "北京", "海淀区"),
        ("海淀区职业学校", "北京", "海淀区"),
        ("城口县职业教育中心", "重庆", "城口县"),
        ("北京市商务科技学校", "北京", ""),  # named only by the city: placed in no prefecture
        ("济源市职业技术学校", "河南", "济源市"),  # 省直辖县级市: its own prefecture
        ("仙桃职业学院", "湖北", "仙桃市"),
        (
            "黔东南州中等职业学校",
            "贵州",
            "黔东南苗族侗族自治州",
        ),  # an autonomous prefecture as people shorten it
        ("阿克苏地区职业技术学校", "新疆", "阿克苏地区"),
        ("锡林郭勒盟职业学院", "内蒙古", "锡林郭勒盟"),
        ("石河子市职业技术学校", "新疆生产建设兵团", "石河子市"),  # a 兵团 city is its own
        ("吉林市职业技术学校", "吉林", "吉林市"),  # a prefecture named like its province
    ],
)
def test_prefecture_of_a_school_from_the_gazetteer(text: str, province: str, prefecture: str) -> None:
    assert U.prefecture(text, known_unit(province)) == prefecture


def test_the_gazetteer_is_the_national_division_table() -> None:
    g = gazetteer()
    levels = [d.level for d in g.by_code.values()]
    assert levels.count(Level.PROVINCE) == 34  # 31 on the mainland, 台湾, 香港, 澳门
    assert 330 <= levels.count(Level.PREFECTURE) <= 340 and levels.count(Level.COUNTY) > 2800
    assert all(not d.parent or d.parent in g.by_code for d in g.by_code.values())
    haidian = next(d for d in g.by_code.values() if d.name == "海淀区")
    assert g.prefecture(haidian) == haidian and g.prefecture(g.by_code["110000"]) is None


def test_the_division_file_is_what_its_script_makes_and_names_its_source() -> None:
    text = DIVISIONS.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any(f"{make_divisions.PACKAGE} {make_divisions.VERSION} (MIT licence" in line for line in header)
    assert any(re.search(r"sha256 [0-9a-f]{64}", line) for line in header)
    divisions = {d.code: d.name for d in parse(text)}
    remade = make_divisions.render(divisions, make_divisions.VERSION, "x")
    assert remade.split("code,name,parent\n")[1] == text.split("code,name,parent\n")[1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{make_divisions.PACKAGE} {make_divisions.VERSION}" in readme and "GB/T 2260" in readme
