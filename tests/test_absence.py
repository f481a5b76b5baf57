"""A province that sends nobody (不参加): the organizer's record in the store's meta, the digest's status
and totals, its text, HTML and workbook, and the reminders that stop.

gz-status/1 (tests.organizer_data.populate): 北京 天津 江苏 浙江 accepted, 河南 rejected (6月14日),
上海 and 山东 sent nothing; the deadline is 6月19日 17:00, reminder stages open 6月16日 and 6月18日 09:00.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.config.settings import Config, load_config
from intake.organizer.desk import Organizer
from mailer.compose.digest import render_text
from mailer.compose.digest_data import ABSENT, ACCEPTED, MISSING, REJECTED, UNIDENTIFIED, DigestData
from mailer.compose.digest_html import render_html
from mailer.compose.workbook import roster_workbook
from mailer.outbox import Outbox
from storage.notes import AbsenceNote, absence_key, read_absences
from storage.store import Store
from tests.helpers import cst, known_period
from tests.organizer_data import PERIOD, add, person, populate, unplaced, write_config

RECORDED = "2023-06-15T10:00"  # when the organizer records it (after 河南's rejected receipt of 6月14日)
NOW = cst("2023-06-16T08:00")
Env = tuple[Config, Store, Outbox, Organizer]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    contacts = '"上海" = ["shjw@example.cn"]\n"山东" = ["sd@sdedu.cn"]'
    config = load_config(write_config(tmp_path, contacts=contacts, digest="enabled = false"))
    store = Store(config.storage_dir)
    populate(store)
    outbox = Outbox(config.outbox.directory)
    yield config, store, outbox, Organizer(config, store, outbox)
    store.close()


def record(
    store: Store, province: str, reason: str = "来函说明本期无人参加", at: str = RECORDED
) -> AbsenceNote:
    """As the console records it: an AbsenceNote under absent:<period>:<province>."""
    note = AbsenceNote(by="wang", at=cst(at).isoformat(), reason=reason, message="ab" * 32)
    store.meta_set(absence_key(PERIOD, province), note.to_json())
    return note


def digest(env: Env, now: str = "2023-06-16T08:00") -> DigestData:
    config, _store, _outbox, organizer = env
    return organizer.digest(known_period(PERIOD, config.notice), cst(now))


def status(data: DigestData, province: str) -> str:
    return next(p.status for p in data.provinces if p.province == province)


def test_an_absence_note_round_trips_and_a_withdrawn_one_reads_as_none(env: Env) -> None:
    _config, store, _outbox, _organizer = env
    note = AbsenceNote(by="wang", at="2023-06-15T10:00:00+08:00", reason="电话告知", message="")
    assert note.to_json() == {"by": "wang", "at": "2023-06-15T10:00:00+08:00", "reason": "电话告知"}
    assert AbsenceNote.from_json(note.to_json()) == note
    linked = AbsenceNote(by="li", at="2023-06-15T11:00:00+08:00", reason="来函", message="f" * 64)
    assert AbsenceNote.from_json(linked.to_json()) == linked
    assert AbsenceNote.from_json(None) is None and AbsenceNote.from_json({"by": "x"}) is None
    assert absence_key(PERIOD, "上海") == "absent:gz-status/1:上海"
    store.meta_set(absence_key(PERIOD, "上海"), note.to_json())
    store.meta_set(absence_key(PERIOD, "山东"), linked.to_json())
    store.meta_set(absence_key(PERIOD, "山东"), None)  # withdrawn
    assert read_absences(store.meta_get, PERIOD, ["上海", "山东", "北京"]) == {"上海": note}
    recorded = note.at_time
    assert recorded is not None
    assert note.holds([]) and note.holds([recorded - timedelta(days=1), recorded])
    assert not note.holds([recorded + timedelta(seconds=1)]) and not note.holds([None])


def test_a_province_recorded_absent_is_neither_missing_nor_waited_for(env: Env) -> None:
    _config, store, _outbox, organizer = env
    note = record(store, "上海")
    period = known_period(PERIOD, organizer.notice)
    assert organizer.snapshot(period).absent == {"上海": note}
    data = digest(env)
    shanghai = next(p for p in data.provinces if p.province == "上海")
    assert shanghai.status == ABSENT and shanghai.absence == note and not shanghai.late
    assert status(data, "山东") == MISSING and data.missing == ("山东",)
    assert data.absent == (shanghai,)
    t = data.totals
    assert (t["admitted"], t["submitted"], t["accepted"], t["not_accepted"], t["missing"], t["absent"]) == (
        7,
        5,
        4,
        1,
        1,
        1,
    )
    text = render_text(data)
    assert "不参加：上海（来函说明本期无人参加）" in text
    assert "上海 未报送" not in text and "山东 未报送" in text
    assert "尚未完成报名的省份（2）" in text  # 山东 and 河南
    assert "未报送 1 个，不参加 1 个" in text
    html = render_html(data)
    assert "不参加：上海（来函说明本期无人参加）" in html
    assert "<b>上海</b> 未报送" not in html and "<b>山东</b> 未报送" in html
    assert "尚未完成报名的省份（2）" in html and ">不参加<" in html  # the status and the progress chart
    summary = load_workbook(io.BytesIO(roster_workbook(data)))["各省汇总"]
    rows = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["上海"] == "不参加" and rows["山东"] == "未报送"


def test_no_province_absent_means_no_absent_line(env: Env) -> None:
    data = digest(env)
    assert data.totals["absent"] == 0 and not data.absent
    text = render_text(data)
    assert "不参加" not in text and "不参加" not in render_html(data)


def test_a_receipt_that_arrives_after_the_record_overrides_it(env: Env) -> None:
    _config, store, _outbox, _organizer = env
    record(store, "上海")
    add(
        store,
        "上海",
        [person("吴磊", "上海市教育委员会", "13900007771", leader=True)],
        received="2023-06-17T09:00",
        sender="shjw@example.cn",
    )
    data = digest(env, "2023-06-18T08:00")
    shanghai = next(p for p in data.provinces if p.province == "上海")
    assert shanghai.status == ACCEPTED and shanghai.absence is None and shanghai.headcount == 1
    assert data.totals["absent"] == 0 and "不参加" not in render_text(data)


def test_a_record_made_after_a_rejected_receipt_stands_until_the_province_sends_again(env: Env) -> None:
    _config, store, _outbox, _organizer = env
    record(store, "河南", "来函：因故不派员参加")  # its receipt of 6月14日 was rejected
    data = digest(env)
    henan = next(p for p in data.provinces if p.province == "河南")
    assert henan.status == ABSENT and henan.versions == 1
    assert henan.pending == 0 and not henan.errors and not any(p.province == "河南" for p in data.problems)
    assert data.totals["not_accepted"] == 0 and data.totals["submitted"] == 5  # it did send something
    assert "河南 已报送" not in render_text(data)
    add(
        store,
        "河南",
        [person("张伟", "河南省教育厅", "1390000")],
        status="rejected",
        received="2023-06-17T09:00",
        sender="henan@haedu.cn",
    )
    assert status(digest(env, "2023-06-18T08:00"), "河南") == REJECTED


def test_a_receipt_nobody_could_place_after_the_record_is_shown_not_hidden(env: Env) -> None:
    _config, store, _outbox, _organizer = env
    record(store, "山东")
    unplaced(store, "sd@sdedu.cn", "2023-06-14T15:30")  # before the record: the record holds
    assert status(digest(env), "山东") == ABSENT
    unplaced(store, "sd@sdedu.cn", "2023-06-17T15:30")  # after it: a person must look
    assert status(digest(env, "2023-06-18T08:00"), "山东") == UNIDENTIFIED


def test_a_withdrawn_record_makes_the_province_missing_again(env: Env) -> None:
    _config, store, _outbox, _organizer = env
    record(store, "上海")
    store.meta_set(absence_key(PERIOD, "上海"), None)
    data = digest(env)
    assert status(data, "上海") == MISSING and data.totals["absent"] == 0 and data.totals["missing"] == 2


def test_a_province_recorded_absent_gets_no_reminder(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    _config, store, _outbox, organizer = env
    record(store, "上海")
    record(store, "河南", "来函：因故不派员参加")
    with caplog.at_level(logging.INFO, logger="intake.organizer.desk"):
        sent = organizer.run_due(cst("2023-06-16T09:00"))["reminders"]
    assert sent == ["reminder:gz-status/1:山东:2023-06-16"]
    assert "reminder gz-status/1 上海: not sent, recorded as sending nobody by wang" in caplog.text
    assert store.meta_get("reminder:gz-status/1:上海") is None
    # 上海 sends a receipt after all, rejected: the record no longer holds, the next stage reminds it
    add(
        store,
        "上海",
        [person("吴磊", "上海市教育委员会", "1390000")],
        status="rejected",
        received="2023-06-17T09:00",
        sender="shjw@example.cn",
    )
    later = organizer.run_due(cst("2023-06-18T09:00"))["reminders"]
    assert "reminder:gz-status/1:上海:2023-06-18" in later
    assert not any("河南" in key for key in later)
