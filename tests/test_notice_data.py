"""The notice data file encodes the whole notice, and loads into validated dataclasses."""

import pickle
from datetime import date, datetime

import pytest

from rules.errors import NoticeError
from rules.notice import Hotel, parse_notice
from tests.helpers import CST, known_period, known_program, notice


def test_three_programs_with_their_ids_and_receipt_policy() -> None:
    n = notice()
    assert [p.id for p in n.programs] == ["zz-student", "gz-status", "zz-school"]
    assert known_program("zz-student").name == "中职学生管理系统培训"
    assert known_program("gz-status").name == "高职状态平台培训"
    assert known_program("zz-school").collects_receipts is False
    assert known_program("zz-school").periods == ()


def test_32_units_with_bingtuan_separate_from_xinjiang() -> None:
    n = notice()
    assert len(n.units) == 32
    assert n.unit("新疆生产建设兵团") is not None and n.unit("新疆") is not None


@pytest.mark.parametrize("program", ["zz-student", "gz-status"])
def test_every_unit_is_admitted_to_exactly_one_period_of_each_program(program: str) -> None:
    n = notice()
    admitted = [p for period in known_program(program).periods for p in period.provinces]
    assert sorted(admitted) == sorted(u.name for u in n.units)


def test_deadlines_are_5pm_shanghai_time() -> None:
    assert known_period("zz-student/1").deadline == datetime(2023, 6, 9, 17, 0, tzinfo=CST)
    assert known_period("gz-status/1").deadline == datetime(2023, 6, 19, 17, 0, tzinfo=CST)
    offset = known_period("gz-status/4").deadline.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 8 * 3600


def test_period_facts_dates_city_mailbox_hosts() -> None:
    p = known_period("gz-status/2")
    assert (p.start, p.end, p.city) == (date(2023, 7, 28), date(2023, 7, 30), "贵阳")
    assert p.mailbox == "gzqysgmsc@163.com"
    assert "贵州轻工职业技术学院" in p.hosts
    assert p.host_contacts[0].name == "杨礼美"
    assert known_period("zz-student/3").venue == "重庆君豪大饭店"


def hotel(key: str, province: str) -> Hotel:
    """The hotel of the province in that period; the test stops here if there is none."""
    found = known_period(key).hotel_for(province)
    assert found is not None, (key, province)
    return found


def test_gz_status_hotels_assigned_by_province() -> None:
    assert hotel("gz-status/1", "河南").name == "扬州花园国际酒店"
    assert hotel("gz-status/3", "新疆生产建设兵团").name == "维也纳酒店"
    assert hotel("gz-status/3", "新疆").name == "山水时尚酒店"
    assert hotel("gz-status/4", "江西").address.endswith("霁亭路888号")
    for period in known_program("gz-status").periods:
        for province in period.provinces:
            assert period.hotel_for(province) is not None, (period.key, province)


def test_quotas_per_unit_kind() -> None:
    zz, gz = known_program("zz-student").quotas, known_program("gz-status").quotas
    assert (zz.department, zz.bureau, zz.school, zz.schools_per_prefecture) == (2, 2, 1, 1)
    assert (gz.department, gz.bureau, gz.school) == (2, 0, 1)


def test_one_mailbox_serves_all_zz_student_periods() -> None:
    assert [p.key for p in notice().periods_for_mailbox("YAOY@moe.edu.cn")] == [
        "zz-student/1",
        "zz-student/2",
        "zz-student/3",
    ]


def test_a_period_naming_an_unknown_province_fails_with_the_key() -> None:
    data = {
        "notice": {"id": "x", "year": 2024, "timezone": "Asia/Shanghai"},
        "units": [{"name": "河南"}],
        "unit_kinds": {"department_suffixes": [], "bureau_markers": [], "school_markers": []},
        "programs": [
            {
                "id": "p",
                "name": "P",
                "keywords": ["P"],
                "periods": [
                    {
                        "number": 1,
                        "provinces": ["火星"],
                        "start": date(2024, 1, 1),
                        "end": date(2024, 1, 2),
                        "city": "c",
                        "venue": "v",
                        "mailbox": "a@b.c",
                        "deadline": datetime(2024, 1, 1, 17),
                    }
                ],
            }
        ],
    }
    with pytest.raises(NoticeError) as err:
        parse_notice(data)
    assert err.value.key == "programs[0].periods[0].provinces"


def test_notice_error_carries_key_and_message_and_survives_pickling() -> None:
    err = NoticeError("units", "a unit name is listed twice")
    assert (err.key, err.message, err.args) == (
        "units",
        "a unit name is listed twice",
        (err.key, err.message),
    )
    assert str(err) == "units: a unit name is listed twice"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is NoticeError and isinstance(back, ValueError)
    assert (back.key, back.message, str(back)) == (err.key, err.message, str(err))
