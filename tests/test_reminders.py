"""Reminders before a deadline, under a frozen clock: who gets one, when, and never twice a day.

gz-status/1 closes 2023-06-19 17:00; with days_before = [3, 1] and cron 09:00 the stages open on
6月16日 09:00 and 6月18日 09:00.  In the store (tests.organizer_data.populate) 上海 and 山东 sent
nothing (上海 has a [contacts] address, 山东 none) and 河南's only receipt was rejected.
"""

from __future__ import annotations

import email
import io
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.cli.main import main
from intake.config.settings import Config, load_config
from intake.organizer.desk import Organizer
from mailer.outbox import Outbox
from storage.store import Store
from tests.helpers import body_text, cst
from tests.organizer_data import add, person, populate, write_config

SH = "reminder:gz-status/1:上海:{}"
HN = "reminder:gz-status/1:河南:{}"
Env = tuple[Config, Store, Outbox, Organizer]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    config = load_config(
        write_config(tmp_path, contacts='"上海" = ["shjw@example.cn"]', digest="enabled = false")
    )
    store = Store(config.storage_dir)
    populate(store)
    outbox = Outbox(config.outbox.directory)
    yield config, store, outbox, Organizer(config, store, outbox)
    store.close()


def message(outbox: Outbox, key: str) -> EmailMessage:
    item = outbox.get(key)
    assert item is not None, f"nothing queued under {key}"
    return email.message_from_bytes(item.raw, policy=policy.default)


def test_provinces_without_an_accepted_receipt_get_a_reminder_three_days_before(env: Env) -> None:
    _config, store, outbox, organizer = env
    assert organizer.run_due(cst("2023-06-16T08:59"))["reminders"] == []
    assert organizer.run_due(cst("2023-06-16T09:00"))["reminders"] == [
        SH.format("2023-06-16"),
        HN.format("2023-06-16"),
    ]
    sh = message(outbox, SH.format("2023-06-16"))
    assert sh["To"] == "shjw@example.cn" and sh["Reply-To"] == "1433935834@qq.com"
    assert sh["From"] == "baoming@yzpc.edu.cn" and sh["Auto-Submitted"] == "auto-generated"
    assert sh["Subject"] == "【报名提醒】上海高职状态平台培训第1期报名回执请于2023年6月19日 17:00前报送"
    text = body_text(sh)
    assert text.startswith("上海市教育委员会：")
    assert (
        "报名截止时间为 2023年6月19日 17:00（还有 3 天截止）" in text and "尚未收到贵单位的报名回执" in text
    )
    assert "发送至 1433935834@qq.com" in text
    [attachment] = list(sh.iter_attachments())
    assert attachment.get_filename() == "上海-高职状态平台培训第1期-报名回执表.xlsx"
    template = load_workbook(io.BytesIO(attachment.get_content())).active
    assert template["A2"].value == "省级教育行政部门名称：上海市教育委员会"
    assert template["A3"].value == "会议名称和期数：高职状态平台培训 第1期"
    hn = message(outbox, HN.format("2023-06-16"))
    assert hn["To"] == "henan@haedu.cn"  # learnt from the sender of its rejected receipt
    assert "仍有需要修改的问题" in body_text(hn)
    assert store.meta_get("reminder:gz-status/1:上海:") is None
    assert store.meta_get("reminder:gz-status/1:上海") == [
        {"date": "2023-06-16", "stage": 3, "to": ["shjw@example.cn"], "key": SH.format("2023-06-16")}
    ]
    assert store.meta_get("reminded:上海") == "2023-06-16"
    assert store.meta_get("reminder:gz-status/1:山东") is None  # no address known: nobody to remind
    assert store.meta_get("reminder:gz-status/1:北京") is None  # accepted


def test_no_province_gets_more_than_one_reminder_a_day_or_per_stage(env: Env) -> None:
    _config, store, outbox, organizer = env
    organizer.run_due(cst("2023-06-16T09:00"))
    for when in ("2023-06-16T18:00", "2023-06-17T09:00", "2023-06-17T23:59", "2023-06-18T08:59"):
        assert organizer.run_due(cst(when))["reminders"] == [], when
    assert organizer.run_due(cst("2023-06-18T09:00"))["reminders"] == [
        SH.format("2023-06-18"),
        HN.format("2023-06-18"),
    ]
    for when in ("2023-06-18T20:00", "2023-06-19T09:00", "2023-06-19T17:00", "2023-06-20T09:00"):
        assert organizer.run_due(cst(when))["reminders"] == [], when
    assert sorted(i.key for i in outbox.items()) == sorted(
        [SH.format("2023-06-16"), HN.format("2023-06-16"), SH.format("2023-06-18"), HN.format("2023-06-18")]
    )
    assert [h["stage"] for h in store.meta_get("reminder:gz-status/1:上海")] == [3, 1]
    assert "今天截止" not in body_text(message(outbox, SH.format("2023-06-18")))
    assert "还有 1 天截止" in body_text(message(outbox, SH.format("2023-06-18")))


def test_a_province_whose_receipt_is_accepted_is_not_reminded_again(env: Env) -> None:
    _config, store, _outbox, organizer = env
    organizer.run_due(cst("2023-06-16T09:00"))
    add(
        store,
        "河南",
        [person("张伟", "河南省教育厅", "13900006661", leader=True)],
        received="2023-06-17T10:00",
        sender="henan@haedu.cn",
    )
    assert organizer.run_due(cst("2023-06-18T09:30"))["reminders"] == [SH.format("2023-06-18")]


def test_reminders_missed_while_the_daemon_was_down_are_sent_once_when_it_comes_back(env: Env) -> None:
    config, store, outbox, _organizer = env
    # down from before 6月16日 09:00 until 6月18日 12:00: both stages opened meanwhile; one reminder each
    back = Organizer(config, store, outbox)
    assert back.run_due(cst("2023-06-18T12:00"))["reminders"] == [
        SH.format("2023-06-18"),
        HN.format("2023-06-18"),
    ]
    assert back.run_due(cst("2023-06-18T12:01"))["reminders"] == []
    assert [h["stage"] for h in store.meta_get("reminder:gz-status/1:上海")] == [1]


def test_a_province_in_two_periods_gets_at_most_one_reminder_a_day_the_most_urgent_first(
    tmp_path: Path,
) -> None:
    # 河南 is in zz-student/1 (closes 6月9日) and gz-status/1 (closes 6月19日)
    config = load_config(
        write_config(
            tmp_path,
            contacts='"河南" = ["zs@haedu.cn"]',
            digest="enabled = false",
            reminders="days_before = [12, 3]",
        )
    )
    with Store(config.storage_dir) as store:
        populate(store)
        organizer = Organizer(config, store, Outbox(config.outbox.directory))
        first = organizer.run_due(cst("2023-06-07T09:30"))["reminders"]
        assert "reminder:zz-student/1:河南:2023-06-07" in first
        assert not any(k.startswith("reminder:gz-status/1:河南") for k in first)
        assert "reminder:gz-status/1:上海:2023-06-07" not in first  # 上海 has no contact in this config
        assert "reminder:zz-student/1:北京:2023-06-07" in first  # 北京's gz-status sender, for zz-student
        assert (
            "reminder:gz-status/1:河南:2023-06-08" in organizer.run_due(cst("2023-06-08T09:30"))["reminders"]
        )
        assert store.meta_get("reminded:河南") == "2023-06-08"


def test_the_digest_shows_who_was_reminded(tmp_path: Path) -> None:
    config = load_config(
        write_config(tmp_path, contacts='"上海" = ["shjw@example.cn"]', digest='cron = "0 10 * * *"')
    )
    with Store(config.storage_dir) as store:
        populate(store)
        outbox = Outbox(config.outbox.directory)
        done = Organizer(config, store, outbox).run_due(cst("2023-06-16T10:00"))
        assert done == {
            "reminders": [SH.format("2023-06-16"), HN.format("2023-06-16")],
            "digests": ["digest:gz-status/1:2023-06-16"],
        }
        text = body_text(message(outbox, "digest:gz-status/1:2023-06-16")).replace("\r\n", "\n")
        html = body_text(message(outbox, "digest:gz-status/1:2023-06-16"), "html")
    assert "上海 未报送，已催报 2023-06-16" in text and "山东 未报送，无联系邮箱，未能催报" in text
    assert "催报记录：\n  上海：2023-06-16（shjw@example.cn）\n  河南：2023-06-16（henan@haedu.cn）" in text
    assert "<b>催报记录</b>" in html and "shjw@example.cn" in html


def test_no_reminders_when_disabled(tmp_path: Path) -> None:
    config = load_config(
        write_config(tmp_path, contacts='"上海" = ["shjw@example.cn"]', reminders="enabled = false")
    )
    with Store(config.storage_dir) as store:
        populate(store)
        assert (
            Organizer(config, store, Outbox(config.outbox.directory)).due_reminders(cst("2023-06-16T09:30"))
            == []
        )


def test_remind_command_lists_what_is_due_and_sends_it(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    config, store, _outbox, _organizer = env
    store.close()
    assert main(["remind", "--config", str(config.path), "--now", "2023-06-16T09:30"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "gz-status/1\t上海\t未报送\t3 天前\tshjw@example.cn",
        "gz-status/1\t河南\t需修改\t3 天前\thenan@haedu.cn",
    ]
    assert main(["remind", "--config", str(config.path), "--now", "2023-06-16T09:30", "--send"]) == 0
    assert capsys.readouterr().out.splitlines() == [SH.format("2023-06-16"), HN.format("2023-06-16")]
    assert len(list((config.path.parent / "sent").iterdir())) == 2
    assert main(["remind", "--config", str(config.path), "--now", "2023-06-16T10:00"]) == 0
    assert capsys.readouterr().out == "no reminder is due\n"
