"""The organizers' digest: figures computed from a store with known submissions, and how it is rendered."""

from __future__ import annotations

import email
import io
import re
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.cli.main import main
from intake.config.settings import Config, load_config
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.compose.digest_data import MISSING, REJECTED
from mailer.compose.digest_html import render_html
from mailer.outbox import Outbox
from storage.store import Store
from tests.fixtures.smtpd import SmtpServer
from tests.helpers import body_text, cst, known_period
from tests.organizer_data import BEIJING, ORGANIZERS, PERIOD, add, person, populate, write_config

AFTER = cst("2023-06-20T08:00:00")  # the morning after gz-status/1's deadline (6月19日 17:00)
Env = tuple[Config, Store, Organizer]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    config = load_config(write_config(tmp_path, contacts='"上海" = ["shjw@example.cn"]'))
    store = Store(config.storage_dir)
    populate(store)
    organizer = Organizer(config, store, Outbox(config.outbox.directory))
    yield config, store, organizer
    store.close()


def test_figures_per_province_come_from_the_latest_accepted_version(env: Env) -> None:
    config, _store, organizer = env
    data = organizer.digest(known_period(PERIOD, config.notice), AFTER)
    by = {p.province: p for p in data.provinces}
    assert [p.province for p in data.provinces] == ["北京", "天津", "上海", "江苏", "浙江", "山东", "河南"]
    assert by["北京"].status == "accepted" and by["北京"].headcount == 3 and by["北京"].versions == 1
    assert by["北京"].by_kind == {"department": 2, "bureau": 0, "school": 1, "other": 0}
    assert [x.name for x in by["北京"].leaders] == ["王喆"] and by["北京"].leaders[0].mobile == "13900001111"
    # 天津 sent twice: the second roster counts, both versions are counted, the last receipt time is v2's
    assert by["天津"].versions == 2 and by["天津"].headcount == 3
    assert by["天津"].last_received == cst("2023-06-15T16:20")
    assert by["天津"].by_kind == {"department": 1, "bureau": 0, "school": 2, "other": 0}
    # 河南's only receipt was rejected: submitted, nobody counted, its error still open
    assert by["河南"].status == REJECTED and by["河南"].headcount == 0
    assert [e.code for e in by["河南"].errors] == ["bad_mobile"] and by["河南"].warnings == ()
    assert by["江苏"].late and not by["北京"].late and [w.code for w in by["江苏"].warnings] == ["late"]
    assert [w.code for w in by["浙江"].warnings] == ["leader_missing"] and by["浙江"].leaders == ()
    assert by["上海"].status == MISSING and by["上海"].contacts == ("shjw@example.cn",)
    assert by["山东"].status == MISSING and by["山东"].contacts == ()
    assert by["河南"].contacts == ("henan@haedu.cn",)  # learnt from its receipt's sender


def test_missing_provinces_totals_hotels_and_arrivals(env: Env) -> None:
    config, _store, organizer = env
    data = organizer.digest(known_period(PERIOD, config.notice), AFTER)
    assert data.missing == ("上海", "山东")
    assert data.not_accepted == ("河南",)
    t = data.totals
    assert (t["admitted"], t["submitted"], t["accepted"], t["not_accepted"], t["missing"]) == (7, 5, 4, 1, 2)
    assert (t["people"], t["men"], t["women"], t["leaders"], t["late"]) == (12, 7, 5, 3, 1)
    assert (t["kind_department"], t["kind_bureau"], t["kind_school"], t["kind_other"]) == (5, 0, 7, 0)
    assert (t["errors"], t["warnings"]) == (1, 3)
    # gz-status/1 lodges its provinces in three hotels
    assert [(h.name, h.provinces, h.headcount) for h in data.hotels] == [
        ("扬州花园国际酒店", ("北京", "天津", "河南"), 6),
        ("扬州绿地铂领酒店", ("江苏", "山东"), 4),
        ("高仕第酒店", ("上海", "浙江"), 2),
    ]
    assert data.arrivals == (("2023-07-13", 1), ("2023-07-14", 8), ("2023-07-15", 1), ("未填写或无法识别", 2))
    assert data.past_deadline and data.days_left == -1
    assert [(o.province, o.latest.status) for o in data.others] == [("广东", "rejected")]
    assert data.first  # no digest before: every admitted version is news
    assert [(c.province, c.version) for c in data.changes] == [
        ("北京", 1),
        ("天津", 1),
        ("天津", 2),
        ("江苏", 1),
        ("浙江", 1),
        ("河南", 1),
    ]


def test_days_left_before_the_deadline(env: Env) -> None:
    config, _store, organizer = env
    data = organizer.digest(known_period(PERIOD, config.notice), cst("2023-06-16T08:00:00"))
    assert data.days_left == 3 and not data.past_deadline
    assert "距报名截止还有 3 天（2023年6月19日 17:00）" in render_text(data)


def test_changes_since_the_last_digest_list_only_new_versions(env: Env) -> None:
    config, store, organizer = env
    period = known_period(PERIOD, config.notice)
    organizer.send_digest(period, cst("2023-06-16T08:00:00"), due=cst("2023-06-16T08:00:00"))
    assert store.meta_get(f"digest:{PERIOD}")["reported"] == {
        "北京": 1,
        "天津": 2,
        "江苏": 1,
        "浙江": 1,
        "河南": 1,
    }
    add(
        store,
        "北京",
        [*BEIJING, person("钱进", "北京财贸职业学院", "13900001114")],
        received="2023-06-17T09:00",
        sender="bj@bjedu.cn",
    )
    data = organizer.digest(period, cst("2023-06-18T08:00:00"))
    assert not data.first
    assert [(c.province, c.version, c.status, c.added) for c in data.changes] == [
        ("北京", 2, "accepted", ("钱进",))
    ]
    assert "北京 第 2 版（6月17日 09:00，已确认，4 人）：新增 钱进" in render_text(data)


def test_text_puts_missing_provinces_first_and_shows_leaders_hotels_reminders(env: Env) -> None:
    config, _store, organizer = env
    text = render_text(organizer.digest(known_period(PERIOD, config.notice), AFTER))
    assert text.index("尚未完成报名的省份（3）") < text.index("本期安排") < text.index("各省报送情况")
    assert "上海 未报送" in text and "山东 未报送，无联系邮箱，未能催报" in text
    assert "河南 已报送 1 版，尚未通过（1 个问题待修改，回执中 1 人）" in text
    assert "扬州花园国际酒店（北京、天津、河南）：6 人（男 3，女 3）" in text
    assert "北京：王喆 13900001111" in text and "浙江：（未指定领队）" in text
    assert "7月14日（周五）：8 人" in text
    assert "报名已于 2023年6月19日 17:00 截止，已过 1 天" in text


def test_html_has_a_table_cell_bar_chart_and_nothing_a_mail_client_would_block(env: Env) -> None:
    config, store, organizer = env
    add(
        store,
        "山东",
        [person("<script>alert(1)</script>", "山东省教育厅", "13900007771", leader=True)],
        received="2023-06-19T12:00",
        sender="sd@sdedu.cn",
    )
    html = render_html(organizer.digest(known_period(PERIOD, config.notice), AFTER))
    assert html.index("尚未完成报名的省份") < html.index("各省已确认人数") < html.index("各省报送情况")
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html.lower() and "http://" not in html and "https://" not in html
    assert "<style" not in html.lower()  # inline styles only
    # bars: tables with percentage widths and coloured cells; 江苏 (4 people) is the longest, at 100%
    bars = re.findall(r'<table cellspacing="0" cellpadding="0" width="(\d+)%"', html)
    assert "100" in bars and "75" in bars  # 北京/天津: 3 of 4
    assert 'bgcolor="#2f6db5"' in html and 'bgcolor="#3a9a4a"' in html  # department and school segments


def test_digest_message_is_auto_generated_text_and_html_with_the_workbook(env: Env) -> None:
    config, _store, organizer = env
    period = known_period(PERIOD, config.notice)
    key = organizer.digest_key(period, AFTER)
    assert key == "digest:gz-status/1:2023-06-20"
    _data, raw, workbook = organizer.digest_message(period, AFTER, key, ORGANIZERS)
    assert workbook is not None  # the config attaches the workbook
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["From"] == "baoming@yzpc.edu.cn" and msg["To"] == ", ".join(ORGANIZERS)
    assert msg["Subject"] == "【报名日报】高职状态平台培训第1期 6月20日：已确认 4/7 省，12 人，未报送 2 省"
    assert body_text(msg).startswith("高职状态平台培训第1期 报名日报（6月20日）")
    assert "各省已确认人数" in body_text(msg, "html")
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "高职状态平台培训第1期报名名单-20230620.xlsx"
    assert attachment.get_content() == workbook
    assert load_workbook(io.BytesIO(workbook)).sheetnames[0] == "全部人员"


def test_digest_command_prints_and_writes_eml_and_workbook(
    env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, store, _organizer = env
    store.close()  # the command opens the store itself
    assert (
        main(["digest", "--config", str(config.path), "--period", PERIOD, "--now", "2023-06-20T08:00"]) == 0
    )
    out = capsys.readouterr().out
    assert "已确认 4/7 个省份" in out and "上海 未报送" in out
    target = tmp_path / "digest-out"
    assert (
        main(
            [
                "digest",
                "--config",
                str(config.path),
                "--period",
                PERIOD,
                "--out",
                str(target),
                "--now",
                "2023-06-20T08:00",
            ]
        )
        == 0
    )
    files = sorted(p.name for p in target.iterdir())
    assert files == ["digest-gz-status-1-20230620.eml", "高职状态平台培训第1期报名名单-20230620.xlsx"]
    msg = email.message_from_bytes((target / files[0]).read_bytes(), policy=policy.default)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert main(["digest", "--config", str(config.path), "--period", "gz-status/9"]) == 2


def test_digest_command_reads_the_store_while_the_daemon_holds_its_lock(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    config, store, _organizer = env  # the fixture's open store holds the lock, as the daemon would
    assert (
        main(
            [
                "digest",
                "--config",
                str(config.path),
                "--period",
                PERIOD,
                "--print",
                "--now",
                "2023-06-20T08:00",
            ]
        )
        == 0
    )
    assert "已确认 4/7 个省份" in capsys.readouterr().out
    # --send cannot record the digest, so it only queues it for the running daemon
    assert (
        main(
            [
                "digest",
                "--config",
                str(config.path),
                "--period",
                PERIOD,
                "--send",
                "--now",
                "2023-06-20T08:00",
            ]
        )
        == 0
    )
    [item] = Outbox(config.outbox.directory).items()
    assert item.key.startswith("digest:gz-status/1:2023-06-20:manual-") and item.state == "pending"
    assert store.meta_get(f"digest:{PERIOD}") is None


def test_digest_send_command_delivers_and_records_it(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    config, store, _organizer = env
    store.close()
    assert (
        main(
            [
                "digest",
                "--config",
                str(config.path),
                "--period",
                PERIOD,
                "--send",
                "--now",
                "2023-06-20T08:00",
            ]
        )
        == 0
    )
    assert ": sent" in capsys.readouterr().out
    [eml] = list((config.path.parent / "sent").iterdir())
    assert email.message_from_bytes(eml.read_bytes(), policy=policy.default)["To"] == ", ".join(ORGANIZERS)
    with Store(config.storage_dir) as reopened:
        assert reopened.meta_get(f"digest:{PERIOD}")["reported"]["天津"] == 2
        assert "due" not in reopened.meta_get(f"digest:{PERIOD}")  # a manual digest leaves the schedule alone


@pytest.mark.smtp
def test_one_digest_is_delivered_through_a_real_smtp_server(tmp_path: Path, smtpd: SmtpServer) -> None:
    from intake.daemon.runner import Daemon

    cfg = write_config(
        tmp_path, outbox=f'kind = "smtp"\nhost = "{smtpd.host}"\nport = {smtpd.port}\nsecurity = "none"'
    )
    config = load_config(cfg)
    with Daemon(config) as daemon:
        populate(daemon.store)
        organizer = Organizer(config, daemon.store, daemon.outbox)
        organizer.send_digest(known_period(PERIOD, config.notice), AFTER, due=AFTER)
        report = daemon.deliver()
    assert report.sent == ["digest:gz-status/1:2023-06-20"]
    [got] = smtpd.wait_for(1)
    assert sorted(got.rcpt_tos) == sorted(ORGANIZERS) and got.mail_from == "baoming@yzpc.edu.cn"
    msg = email.message_from_bytes(got.content, policy=policy.default)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "未报送 2 省" in msg["Subject"]
    assert "上海" in body_text(msg)
    assert 'bgcolor="#2f6db5"' in body_text(msg, "html")
    [attachment] = list(msg.iter_attachments())
    assert load_workbook(io.BytesIO(attachment.get_content()))["全部人员"]["B2"].value == "王喆"
