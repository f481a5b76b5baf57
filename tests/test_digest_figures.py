"""The figures organizers plan with: hotels night by night, people pending a fix, rosters whose newest
receipt was rejected, receipts nobody could place, leaders' mobiles and senders, remarks, the sign-in sheet."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.cli.main import main
from intake.config.settings import Config, load_config
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.compose.digest_data import ACCEPTED, MISSING, UNIDENTIFIED, DigestData
from mailer.compose.digest_html import render_html
from mailer.compose.signin import signin_workbook
from mailer.compose.workbook import roster_workbook
from storage.store import Store
from tests.helpers import cst, known_period
from tests.organizer_data import BEIJING, PERIOD, add, person, populate, problem, unplaced, write_config

AFTER = cst("2023-06-20T08:00:00")
Env = tuple[Config, Store, Organizer]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    config = load_config(write_config(tmp_path, contacts='"山东" = ["sd@sdedu.cn"]'))
    store = Store(config.storage_dir)
    populate(store)
    # 北京: a newer receipt, rejected, after its accepted roster
    add(
        store,
        "北京",
        [*BEIJING, person("钱进", "北京市教育委员会", "1390000")],
        status="rejected",
        received="2023-06-18T09:00",
        sender="bj@bjedu.cn",
        problems=[
            problem(
                "bad_mobile",
                "error",
                "第 8 行“手机”列：手机号“1390000”不是有效的 11 位手机号码。",
                8,
                "mobile",
            )
        ],
    )
    unplaced(store, "sd@sdedu.cn", "2023-06-17T15:30")  # 山东 wrote; its province could not be read
    unplaced(store, "someone@163.com", "2023-06-16T11:00", program="gz-status", period=1)  # nobody knows who
    organizer = Organizer(config, store)
    yield config, store, organizer
    store.close()


def digest(env: Env) -> DigestData:
    config, _store, organizer = env
    return organizer.digest(known_period(PERIOD, config.notice), AFTER)


def test_a_province_whose_newest_receipt_was_rejected_is_flagged_first_with_its_pending_people(
    env: Env,
) -> None:
    data = digest(env)
    beijing = next(p for p in data.provinces if p.province == "北京")
    assert beijing.status == ACCEPTED and beijing.regressed and beijing.current_version == 1
    assert (
        beijing.headcount == 3 and beijing.pending == 4 and [e.code for e in beijing.errors] == ["bad_mobile"]
    )
    assert data.regressed == (beijing,)
    assert (data.totals["pending"], data.totals["pending_provinces"]) == (5, 2)  # 北京 4, 河南 1
    text = render_text(data)
    flag = "北京 最近一次回执（6月18日 09:00）未通过，有 1 个问题待修改；现仍按第 1 版名单（3 人）登记"
    assert flag in text and text.index(flag) < text.index("尚未完成报名的省份") < text.index("本期安排")
    assert "另有 5 人在待修改的回执中（2 省）" in text
    assert "北京：4 人（6月18日 09:00 收到，待修改后重新报送）" in text
    html = render_html(data)
    assert html.index("最新回执未通过的省份（1）") < html.index("尚未完成报名的省份") < html.index("本期安排")


def test_a_province_that_wrote_but_could_not_be_identified_is_not_missing(env: Env) -> None:
    data = digest(env)
    by = {p.province: p for p in data.provinces}
    assert by["山东"].status == UNIDENTIFIED and by["上海"].status == MISSING
    [letter] = by["山东"].unidentified
    assert (letter.sender, letter.people, letter.received) == ("sd@sdedu.cn", 1, cst("2023-06-17T15:30"))
    assert data.totals["unidentified"] == 1 and data.totals["missing"] == 1
    text = render_text(data)
    assert (
        "山东 来件未识别：6月17日 15:30 sd@sdedu.cn「报名回执」（读到 1 人）：无法确定报送单位所属省份"
        in text
    )
    assert "山东 未报送" not in text
    # nobody knows who sent this one: it is listed at the top for a person to look at
    [stranger] = data.unidentified
    assert stranger.sender == "someone@163.com" and stranger.province == ""
    assert "来件未识别（无法确定是哪个省份，1 封，请人工查看）" in text
    assert "6月16日 11:00 someone@163.com「报名回执」" in text
    html = render_html(data)
    assert "来件未识别" in html and "someone@163.com" in html


def test_hotels_count_men_and_women_night_by_night(env: Env) -> None:
    data = digest(env)
    garden, lvdi, gaoshi = data.hotels
    assert (garden.name, garden.headcount, garden.men, garden.women) == ("扬州花园国际酒店", 6, 3, 3)
    assert [(n.day, n.arriving.people, n.staying.men, n.staying.women) for n in garden.nights] == [
        (date(2023, 7, 14), 5, 3, 2),
        (date(2023, 7, 15), 1, 3, 3),
    ]
    assert [(n.day, n.arriving.men, n.staying.people) for n in lvdi.nights] == [
        (date(2023, 7, 13), 1, 1),  # 陈刚 comes the evening before
        (date(2023, 7, 14), 2, 4),
        (date(2023, 7, 15), 0, 4),
    ]
    assert gaoshi.unknown_arrival == 2 and gaoshi.nights[0].staying.people == 2  # counted from the first day
    text = render_text(data)
    assert "扬州绿地铂领酒店（江苏、山东）：4 人（男 3，女 1）" in text
    assert "7月13日（周四）：抵达 1（男 1，女 0），当晚在住 1（男 1，女 0）" in text
    assert "抵达时间未填或无法识别 2 人（按开班当天入住计）" in text
    assert "扬州花园国际酒店 按晚人数" in render_html(data)
    nights = load_workbook(io.BytesIO(roster_workbook(data)))["住宿统计"]
    rows = [[c.value for c in row] for row in nights.iter_rows(min_row=2)]
    assert rows[0][:8] == ["扬州花园国际酒店", rows[0][1], 3, 2, 5, 3, 2, 5]
    assert (
        rows[0][1].date() == date(2023, 7, 14) and nights.cell(row=2, column=2).number_format == 'm"月"d"日"'
    )


def test_the_summary_gives_the_leaders_mobile_and_the_senders_address(env: Env) -> None:
    data = digest(env)
    assert "北京：王喆 13900001111；报送邮箱 bj@bjedu.cn" in render_text(data)
    html = render_html(data)
    assert "报送邮箱</th>" in html and "tj@tjedu.cn" in html
    summary = load_workbook(io.BytesIO(roster_workbook(data)))["各省汇总"]
    header = [c.value for c in summary[1]]
    rows = {summary.cell(row=r, column=1).value: [c.value for c in summary[r]] for r in range(2, 9)}
    at = {name: header.index(name) for name in ("领队手机", "报送邮箱", "待修改回执人数", "现行版本")}
    assert [rows["天津"][at[k]] for k in at] == ["13900002221", "tj@tjedu.cn", None, 2]
    assert [rows["北京"][at[k]] for k in at] == ["13900001111", "bj@bjedu.cn", 4, 1]
    assert summary.cell(row=3, column=at["领队手机"] + 1).number_format == "@"


def test_remarks_are_kept_in_the_workbook_and_the_digest(env: Env) -> None:
    config, store, organizer = env
    sd = [
        person("刘洋", "山东省教育厅", "13900008881", leader=True),
        person("马丽", "山东商业职业技术学院", "13900008882", gender="女"),
    ]
    sd[1]["remark"] = "需单间，清真"
    add(store, "山东", sd, received="2023-06-19T09:00", sender="sd@sdedu.cn")
    data = organizer.digest(known_period(PERIOD, config.notice), AFTER)
    assert [(p.name, p.remark) for p in data.remarks] == [("马丽", "需单间，清真")]
    assert "山东 马丽（山东商业职业技术学院）：需单间，清真" in render_text(data)
    assert "需单间，清真" in render_html(data)
    people = load_workbook(io.BytesIO(roster_workbook(data)))["全部人员"]
    header = [c.value for c in people[1]]
    remarks = {
        people.cell(row=r, column=2).value: people.cell(row=r, column=header.index("备注") + 1).value
        for r in range(2, people.max_row + 1)
    }
    assert remarks["马丽"] == "需单间，清真" and remarks["刘洋"] is None


def test_the_sign_in_sheet_numbers_everyone_with_a_signature_column_per_day(
    env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, store, _organizer = env
    data = digest(env)
    for raw in (roster_workbook(data), signin_workbook(data)):
        ws = load_workbook(io.BytesIO(raw))["签到表"]
        assert ws["A1"].value == "高职状态平台培训第1期签到表（7月14日至7月16日，扬州）"
        assert [c.value for c in ws[2]] == [
            "序号",
            "省份",
            "姓名",
            "性别",
            "单位",
            "职务",
            "7月14日（周五）签字",
            "7月15日（周六）签字",
            "7月16日（周日）签字",
        ]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
        assert [r[0] for r in rows] == list(range(1, 13)) and rows[0][1:3] == ["北京", "王喆"]
        assert [r[1] for r in rows].index("天津") == 3 and all(r[6:] == [None, None, None] for r in rows)
        assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
        assert ws.freeze_panes == "A3" and ws.row_dimensions[3].height == 30
    store.close()  # the command opens the store itself
    out = tmp_path / "签到表.xlsx"
    argv = [
        "export",
        "--config",
        str(config.path),
        "--period",
        PERIOD,
        "--signin",
        "--out",
        str(out),
        "--now",
        "2023-06-20T08:00",
    ]
    assert main(argv) == 0
    assert "sign-in sheet, 3 days; 12 participants" in capsys.readouterr().out
    assert load_workbook(out).sheetnames == ["签到表"]
